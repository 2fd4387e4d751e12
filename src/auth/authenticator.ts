// Bearer verification shared by the REST hook and the gRPC adapter. Only RS256 with one of this environment's
// keys is accepted: `alg: none`, HS256 signed with the public key, unknown kids, expired or malformed tokens all
// fail with UNAUTHENTICATED, which makes the SDK fetch a fresh token and retry.
import { decodeProtectedHeader, jwtVerify, errors as joseErrors } from "jose";
import { ConnectError } from "@connectrpc/connect";
import { unauthenticated } from "../protocol/errors.js";
import type { KeyStore } from "./keys.js";
import type { Principal } from "./principal.js";

export class Authenticator {
  constructor(private readonly keys: KeyStore) {}

  async verifyAuthorization(header: string | undefined): Promise<Principal> {
    if (!header || !header.trim()) throw unauthenticated("Token empty");
    const m = /^Bearer\s+([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*)\s*$/i.exec(header);
    if (!m) throw unauthenticated("malformed authorization header: expected \"Bearer <access token>\"");
    return this.verifyToken(m[1]);
  }

  async verifyToken(token: string): Promise<Principal> {
    let kid: string | undefined;
    try {
      const h = decodeProtectedHeader(token);
      if (h.alg !== "RS256") throw unauthenticated(`token algorithm ${String(h.alg)} is not accepted`);
      kid = h.kid;
    } catch (e) {
      if (e instanceof ConnectError) throw e;
      throw unauthenticated("malformed access token");
    }
    if (!kid) throw unauthenticated("access token has no kid");
    const key = await this.keys.publicKey(kid);
    if (!key) throw unauthenticated("access token was not signed by this environment");
    try {
      const { payload } = await jwtVerify(token, key, { algorithms: ["RS256"] });
      if (typeof payload.client_id !== "string") throw unauthenticated("access token has no client_id");
      const scopes = Array.isArray(payload.scopes) ? payload.scopes.filter((s): s is string => typeof s === "string") : [];
      const oid = typeof payload.oid === "string" ? payload.oid : undefined;
      return { clientId: payload.client_id, scopes, ...(oid ? { organizationId: oid } : {}) };
    } catch (e) {
      if (e instanceof joseErrors.JWTExpired) throw unauthenticated("access token expired");
      if (e instanceof ConnectError) throw e;
      throw unauthenticated("invalid access token");
    }
  }
}
