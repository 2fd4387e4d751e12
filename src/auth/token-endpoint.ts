// POST /oauth/token, GET /keys (JWKS) and OpenID discovery. Plain HTTP as the SDKs expect; errors are RFC 6749
// §5.2 bodies, not API error bodies. The endpoint only validates the form (a declared schema), authenticates the
// client (client_secret_post or client_secret_basic; none for public clients where the grant allows it) and
// dispatches to one module per grant (src/auth/grants/), the shape node-oidc-provider has.
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchemaValidationError } from "fastify";
import type { ServiceDeps } from "../api/deps.js";
import type { KeyStore } from "./keys.js";
import { hashSecret } from "./secrets.js";
import { registerFormParser } from "../views/form.js";
import { GRANTS } from "./grants/index.js";
import { TokenError, type AuthenticatedClient, type TokenDeps, type TokenForm } from "./grants/types.js";

export interface TokenEndpointDeps {
  services: ServiceDeps;
  keys: KeyStore;
  issuer: string;
  environmentTokenTtl: number;
}

// The one query a client_credentials token costs: the client that owns this secret hash (the unique lookup key).
const CLIENT_BY_SECRET = `
  SELECT s.id AS "secretId", c.id, c.kind, c.organization_id AS "organizationId", c.scopes, c.audience,
         c.custom_claims AS "customClaims", c.expiry_seconds AS "expirySeconds"
  FROM client_secrets s JOIN api_clients c ON c.id = s.client_id
  WHERE s.hash = $1`;

const param = (maxLength: number) => ({ type: "string", maxLength });

/** Every parameter any grant reads; each at most once (a repeated one arrives as an array and fails `string`). */
const FORM_SCHEMA = {
  type: "object",
  required: ["grant_type"],
  properties: {
    grant_type: param(100),
    client_id: param(200),
    client_secret: param(1000),
    scope: param(2000),
    code: param(512),
    redirect_uri: param(2048),
    code_verifier: param(256),
    refresh_token: param(1024),
  },
} as const;

function sendTokenError(reply: FastifyReply, e: TokenError) {
  const status = e.error === "invalid_client" ? 401 : 400;
  if (e.error === "invalid_client" && e.basicAuth) reply.header("www-authenticate", 'Basic realm="scalekit"');
  return reply.code(status).headers({ "cache-control": "no-store", pragma: "no-cache" })
    .send({ error: e.error, error_description: e.description });
}

function formError(errors: FastifySchemaValidationError[]): TokenError {
  const e = errors[0];
  const field = e.instancePath.replace(/^\//, "") || String((e.params as { missingProperty?: string }).missingProperty ?? "");
  if (!field) return new TokenError("invalid_request", "the request body must be application/x-www-form-urlencoded parameters");
  if (e.keyword === "required") return new TokenError("invalid_request", `${field} is required`);
  if (e.keyword === "maxLength") return new TokenError("invalid_request", `${field} is too long (at most ${(e.params as { limit: number }).limit} characters)`);
  return new TokenError("invalid_request", `${field} must be given once, as a string`);
}

/** Client credentials from the Basic header or the body; using both is an error per RFC 6749. */
function clientCredentials(authorization: string | undefined, form: TokenForm) {
  const bodyId = form.client_id || undefined, bodySecret = form.client_secret || undefined; // empty = absent (Node SDK)
  if (authorization && /^basic\s/i.test(authorization)) {
    if (bodySecret !== undefined) throw new TokenError("invalid_request", "use one client authentication method, not both", true);
    const decoded = Buffer.from(authorization.replace(/^basic\s+/i, ""), "base64").toString("utf8");
    const i = decoded.indexOf(":");
    if (i < 0) throw new TokenError("invalid_client", "malformed Basic credentials", true);
    const dec = (s: string) => { try { return decodeURIComponent(s.replace(/\+/g, " ")); } catch { return s; } };
    const id = dec(decoded.slice(0, i)), secret = dec(decoded.slice(i + 1));
    if (bodyId !== undefined && bodyId !== id) throw new TokenError("invalid_request", "client_id in the body does not match the Authorization header", true);
    return { clientId: id, secret: secret || undefined, basic: true };
  }
  if (!bodyId) throw new TokenError("invalid_client", "client authentication missing: send client_id and client_secret");
  return { clientId: bodyId, secret: bodySecret, basic: false };
}

export async function registerTokenEndpoints(app: FastifyInstance, deps: TokenEndpointDeps) {
  const { keys, issuer } = deps;
  const { sql, hashKey } = deps.services;
  const grantDeps: TokenDeps = deps;

  registerFormParser(app);

  app.post("/oauth/token", { schema: { body: FORM_SCHEMA }, attachValidation: true }, async (req: FastifyRequest, reply) => {
    try {
      if (req.validationError) throw formError(req.validationError.validation);
      const form = req.body as TokenForm;
      const grant = GRANTS.get(form.grant_type);
      if (!grant) throw new TokenError("unsupported_grant_type", `grant_type ${form.grant_type} is not supported; use ${[...GRANTS.keys()].join(", ")}`);
      const { clientId, secret, basic } = clientCredentials(req.headers.authorization, form);
      let client: AuthenticatedClient | undefined;
      if (secret !== undefined) {
        const [row] = await sql<AuthenticatedClient>(CLIENT_BY_SECRET, [hashSecret(hashKey, secret)]);
        if (!row || row.id !== clientId) throw new TokenError("invalid_client", "client authentication failed", basic);
        client = row;
      } else if (!grant.publicClients) {
        throw new TokenError("invalid_client", "client_secret is required", basic);
      }
      const body = await grant.issue({ form: { ...form, client_id: clientId }, client, deps: grantDeps, req });
      return reply.headers({ "cache-control": "no-store", pragma: "no-cache" }).send(body);
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
    grant_types_supported: [...GRANTS.keys()],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256"],
    token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic", "none"],
    code_challenge_methods_supported: ["S256", "plain"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    claims_supported: ["sub", "iss", "aud", "exp", "iat", "client_id", "scopes"],
  }));
}
