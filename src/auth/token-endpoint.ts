// POST /oauth/token (client_credentials; client_secret_post or client_secret_basic), GET /keys (JWKS) and
// OpenID discovery. Plain HTTP as the SDKs expect; errors are RFC 6749 §5.2 bodies, not API error bodies.
import type { FastifyInstance, FastifyReply } from "fastify";
import { SignJWT } from "jose";
import { randomUUID } from "node:crypto";
import type { Database } from "../db/client.js";
import type { KeyStore } from "./keys.js";
import { hashSecret } from "./secrets.js";

export interface TokenEndpointDeps {
  sql: Database["sql"];
  keys: KeyStore;
  hashKey: Buffer;
  issuer: string;
  environmentTokenTtl: number;
}

interface ClientRow {
  secretId: string; id: string; kind: string; organizationId: string | null; scopes: string[]; audience: string[];
  customClaims: Record<string, unknown>; expirySeconds: number;
}

// The one query a token costs: the client that owns this secret hash (the hash is the unique lookup key).
const CLIENT_BY_SECRET = `
  SELECT s.id AS "secretId", c.id, c.kind, c.organization_id AS "organizationId", c.scopes, c.audience,
         c.custom_claims AS "customClaims", c.expiry_seconds AS "expirySeconds"
  FROM client_secrets s JOIN api_clients c ON c.id = s.client_id
  WHERE s.hash = $1`;

type OAuthError = "invalid_request" | "invalid_client" | "unsupported_grant_type" | "invalid_grant" | "invalid_scope";

class TokenError extends Error {
  constructor(readonly error: OAuthError, readonly description: string, readonly basicAuth = false) { super(description); }
}

function sendTokenError(reply: FastifyReply, e: TokenError) {
  const status = e.error === "invalid_client" ? 401 : 400;
  if (e.error === "invalid_client" && e.basicAuth) reply.header("www-authenticate", 'Basic realm="scalekit"');
  return reply.code(status).headers({ "cache-control": "no-store", pragma: "no-cache" })
    .send({ error: e.error, error_description: e.description });
}

function one(v: unknown): string | undefined {
  if (Array.isArray(v)) return v.length === 1 && typeof v[0] === "string" ? v[0] : undefined;
  return typeof v === "string" ? v : undefined;
}

/** Client credentials from the Basic header or the body; using both (or neither) is an error per RFC 6749. */
function clientCredentials(authorization: string | undefined, body: Record<string, unknown>) {
  const bodyId = one(body.client_id), bodySecret = one(body.client_secret);
  if (authorization && /^basic\s/i.test(authorization)) {
    if (bodySecret !== undefined) throw new TokenError("invalid_request", "use one client authentication method, not both", true);
    const decoded = Buffer.from(authorization.replace(/^basic\s+/i, ""), "base64").toString("utf8");
    const i = decoded.indexOf(":");
    if (i < 0) throw new TokenError("invalid_client", "malformed Basic credentials", true);
    const dec = (s: string) => { try { return decodeURIComponent(s.replace(/\+/g, " ")); } catch { return s; } };
    const id = dec(decoded.slice(0, i)), secret = dec(decoded.slice(i + 1));
    if (bodyId !== undefined && bodyId !== id) throw new TokenError("invalid_request", "client_id in the body does not match the Authorization header", true);
    return { clientId: id, secret, basic: true };
  }
  if (!bodyId) throw new TokenError("invalid_client", "client authentication missing: send client_id and client_secret");
  if (!bodySecret) throw new TokenError("invalid_client", "client_secret is required");
  return { clientId: bodyId, secret: bodySecret, basic: false };
}

export async function registerTokenEndpoints(app: FastifyInstance, deps: TokenEndpointDeps) {
  const { sql, keys, hashKey, issuer } = deps;

  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: 64 * 1024 }, (_req, body, done) => {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of new URLSearchParams(body as string)) {
      const prev = out[k];
      out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    done(null, out);
  });

  app.post("/oauth/token", async (req, reply) => {
    try {
      const body = (req.body && typeof req.body === "object" ? req.body : {}) as Record<string, unknown>;
      for (const k of ["grant_type", "client_id", "client_secret", "scope"])
        if (Array.isArray(body[k])) throw new TokenError("invalid_request", `${k} must not be repeated`);
      const grantType = one(body.grant_type);
      if (!grantType) throw new TokenError("invalid_request", "grant_type is required");
      const { clientId, secret, basic } = clientCredentials(req.headers.authorization, body);

      const [client] = await sql<ClientRow>(CLIENT_BY_SECRET, [hashSecret(hashKey, secret)]);
      if (!client || client.id !== clientId) throw new TokenError("invalid_client", "client authentication failed", basic);
      if (grantType !== "client_credentials")
        throw new TokenError("unsupported_grant_type", `grant_type ${grantType} is not supported; use client_credentials`);

      // Organization clients' secrets show last_used_time; at most one write a minute per secret. The environment
      // client skips it: its token calls are the hot path and nobody reads its secrets' usage.
      if (client.kind !== "environment")
        await sql(`UPDATE client_secrets SET last_used_at = now() AT TIME ZONE 'UTC' WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < (now() AT TIME ZONE 'UTC') - interval '1 minute')`, [client.secretId]);
      const now = Math.floor(Date.now() / 1000);
      const ttl = client.kind === "environment" ? deps.environmentTokenTtl : client.expirySeconds;
      const { kid, privateKey } = keys.signingKey();
      const claims: Record<string, unknown> = {
        ...(client.customClaims as Record<string, unknown>), // first, so they can never replace the claims below
        client_id: client.id,
        scopes: client.scopes,
        jti: `tkn_${randomUUID().replace(/-/g, "")}`,
        ...(client.organizationId ? { oid: client.organizationId } : {}),
      };
      let jwt = new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
        .setIssuer(issuer).setSubject(client.id).setIssuedAt(now).setNotBefore(now).setExpirationTime(now + ttl);
      if (client.audience.length) jwt = jwt.setAudience(client.audience);
      const accessToken = await jwt.sign(privateKey);
      return reply.headers({ "cache-control": "no-store", pragma: "no-cache" }).send({
        access_token: accessToken, token_type: "Bearer", expires_in: ttl,
        scope: client.scopes.length ? client.scopes.join(" ") : "openid",
      });
    } catch (e) {
      if (e instanceof TokenError) return sendTokenError(reply, e);
      throw e;
    }
  });

  app.get("/keys", async (_req, reply) => reply.header("cache-control", "public, max-age=300").send(await keys.jwks()));

  app.get("/.well-known/openid-configuration", async () => ({
    issuer,
    authorization_endpoint: `${issuer}/oauth/authorize`,
    token_endpoint: `${issuer}/oauth/token`,
    jwks_uri: `${issuer}/keys`,
    end_session_endpoint: `${issuer}/oidc/logout`,
    response_types_supported: ["code"],
    grant_types_supported: ["client_credentials"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256"],
    token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    claims_supported: ["sub", "iss", "aud", "exp", "iat", "client_id", "scopes"],
  }));
}
