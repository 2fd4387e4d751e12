// Bearer verification shared by the REST hook, the local API and the gRPC adapter. Only RS256 with one of this
// environment's keys is accepted: `alg: none`, HS256 signed with the public key, unknown kids, expired or
// malformed tokens all fail with UNAUTHENTICATED, which makes the SDK fetch a fresh token and retry.
import type { DescMethod } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { acceptsUserSession } from "../protocol/auth-option.js";
import { apiError, unauthenticated } from "../protocol/errors.js";
import type { KeyStore } from "./keys.js";
import type { Principal } from "./principal.js";
import { JwtFormatError, rs256Valid, splitJwt } from "./jwt-verify.js";

const BEARER = /^Bearer\s+([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*)\s*$/i;

/** How many verified tokens one process remembers (a few hundred bytes each). */
const VERIFIED_TOKENS_MAX = 10_000;

interface VerifiedToken { principal: Readonly<Principal>; exp: number; kid: string }

export class Authenticator {
  /**
   * Tokens already verified, so a client's repeated calls skip the RSA check and JSON parsing (a fifth of a GET's
   * CPU). A hit cannot answer differently from a fresh verification: a token string's signature never changes,
   * expiry is checked again on every hit, and the key must still be one this store verifies with.
   */
  private readonly verified = new Map<string, VerifiedToken>();

  constructor(private readonly keys: KeyStore) {}

  /**
   * The caller of the management API (/api/v1, gRPC, /local/v1): the environment client only. A valid token of
   * an organization M2M client is refused with PERMISSION_DENIED, not UNAUTHENTICATED: the token is fine, it
   * just is not an environment credential (every RPC of the contract names WORKSPACE_CLIENT as its caller), and
   * UNAUTHENTICATED would send the SDK into useless re-authentication.
   */
  async verifyAuthorization(header: string | undefined): Promise<Principal> {
    if (!header || !header.trim()) throw unauthenticated("Token empty");
    const m = /^Bearer\s+([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*)\s*$/i.exec(header);
    if (!m) throw unauthenticated("malformed authorization header: expected \"Bearer <access token>\"");
    const principal = await this.verifyToken(m[1]);
    if (principal.userId)
      throw apiError(Code.PermissionDenied, "this is a user's access token (hosted login); this API needs an environment client token");
    if (principal.organizationId)
      throw apiError(Code.PermissionDenied, `client ${principal.clientId} is an organization client; this API needs an environment client token`);
    return principal;
  }

  /**
   * The caller of one RPC. The RPCs whose auth_option names a user session (src/protocol/auth-option.ts) take a
   * user's hosted-login access token as well as the environment client's; every other RPC is verifyAuthorization.
   */
  async verifyCaller(header: string | undefined, method: DescMethod | undefined): Promise<Principal> {
    if (!method || !acceptsUserSession(method)) return this.verifyAuthorization(header);
    const m = header ? BEARER.exec(header) : null;
    if (!m) return this.verifyAuthorization(header); // the same errors for a missing or malformed header
    const principal = await this.verifyToken(m[1]);
    if (principal.userId) return principal;
    return this.verifyAuthorization(header);
  }

  async verifyToken(token: string): Promise<Principal> {
    const hit = this.verified.get(token);
    if (hit) {
      if (hit.exp > Math.floor(Date.now() / 1000) && (await this.keys.verificationKey(hit.kid))) return hit.principal;
      this.verified.delete(token);
    }
    let parts;
    try {
      parts = splitJwt(token);
    } catch (e) {
      if (e instanceof JwtFormatError) throw unauthenticated("malformed access token");
      throw e;
    }
    const { header, payload } = parts;
    if (header.alg !== "RS256") throw unauthenticated(`token algorithm ${String(header.alg)} is not accepted`);
    if (typeof header.kid !== "string" || !header.kid) throw unauthenticated("access token has no kid");
    if (header.crit !== undefined) throw unauthenticated("access token has unsupported critical headers");
    const key = await this.keys.verificationKey(header.kid);
    if (!key) throw unauthenticated("access token was not signed by this environment");
    if (!rs256Valid(parts, key)) throw unauthenticated("invalid access token");

    const now = Math.floor(Date.now() / 1000);
    if (typeof payload.exp !== "number") throw unauthenticated("access token has no exp");
    if (payload.exp <= now) throw unauthenticated("access token expired");
    if (typeof payload.nbf === "number" && payload.nbf > now) throw unauthenticated("access token is not valid yet");
    if (typeof payload.client_id !== "string") throw unauthenticated("access token has no client_id");
    const scopes = Array.isArray(payload.scopes) ? payload.scopes.filter((s): s is string => typeof s === "string") : [];
    const oid = typeof payload.oid === "string" ? payload.oid : undefined;
    const user = typeof payload.sub === "string" && payload.sub.startsWith("usr_")
      ? { userId: payload.sub, ...(typeof payload.sid === "string" ? { sessionId: payload.sid } : {}) } : {};
    const principal: Principal = Object.freeze({
      clientId: payload.client_id, scopes: Object.freeze(scopes) as string[], ...(oid ? { organizationId: oid } : {}), ...user,
    });
    if (this.verified.size >= VERIFIED_TOKENS_MAX) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { principal, exp: payload.exp, kid: header.kid });
    return principal;
  }
}
