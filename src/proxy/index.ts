// The authenticated proxy behind the SDK's `actions.request`: `<METHOD> /proxy/<path>` with headers
// `connection_name` and `identifier` (optionally `organization_id` / `user_id` to choose between owners) is
// forwarded to the connector's proxy_base_url + <path> (query string kept, body streamed), with the connected
// account's credentials injected, and the upstream answer is streamed back as it is. Injection: the connector's
// proxy_headers templates ({"x-api-key": "{{api_key}}"}, fields of the credentials) when set; otherwise
// `Authorization: Bearer <access_token>` for OAuth, and for static credentials a bearer from
// access_token/token/api_key/bearer_token or Basic from username + password.
// Also mounted here: the public magic-link pages (see api/connected-accounts/magic-link.ts).
import http from "node:http";
import https from "node:https";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Code } from "@connectrpc/connect";
import type { Authenticator } from "../auth/authenticator.js";
import type { ServiceDeps } from "../api/deps.js";
import { findConnector } from "../api/connected-accounts/connectors.js";
import { cipherFor } from "../api/connected-accounts/crypto.js";
import { connectRoutes } from "../api/connected-accounts/connect-page.js";
import type { AuthorizationDetails } from "../api/connected-accounts/mapping.js";
import { credentialsOf, findAccount } from "../api/connected-accounts/store.js";
import { withFreshToken } from "../api/connected-accounts/refresh.js";
import { apiError, failedPrecondition, invalidArgument } from "../protocol/errors.js";
import { sendRestError } from "../protocol/rest.js";

export const PROXY_PREFIX = "/proxy";
const UPSTREAM_TIMEOUT_MS = 55_000;

const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host"]);
const LOCATOR_HEADERS = new Set(["authorization", "connection_name", "identifier", "organization_id", "user_id"]);

/** Credential fields by name, for header templates. */
function credentialFields(d: AuthorizationDetails | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (d?.details.case === "oauthToken") {
    const t = d.details.value;
    Object.assign(out, { access_token: t.accessToken, refresh_token: t.refreshToken, domain: t.domain, scopes: t.scopes.join(" ") });
  } else if (d?.details.case === "staticAuth") {
    for (const [k, v] of Object.entries(d.details.value.details ?? {})) if (v !== null && typeof v !== "object") out[k] = String(v);
  } else if (d?.details.case === "googleDwd") {
    out.access_token = d.details.value.accessToken;
  }
  return out;
}

function injectedHeaders(d: AuthorizationDetails | undefined, templates: Record<string, string>): Record<string, string> {
  const fields = credentialFields(d);
  if (Object.keys(templates).length) {
    const out: Record<string, string> = {};
    for (const [name, t] of Object.entries(templates)) {
      out[name] = t.replace(/\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g, (_m, f: string) => {
        if (!fields[f]) throw failedPrecondition(`the connector's proxy header ${name} needs credential field ${f}, which this account does not have`);
        return fields[f];
      });
    }
    return out;
  }
  const bearer = fields.access_token || fields.token || fields.api_key || fields.bearer_token;
  if (bearer) return { authorization: `Bearer ${bearer}` };
  if (fields.username && fields.password !== undefined) return { authorization: `Basic ${Buffer.from(`${fields.username}:${fields.password}`).toString("base64")}` };
  return {};
}

const header = (req: FastifyRequest, name: string) => {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v)?.trim() ?? "";
};

async function proxy(req: FastifyRequest, reply: FastifyReply, auth: Authenticator, deps: ServiceDeps) {
  await auth.verifyAuthorization(req.headers.authorization);
  const connectorName = header(req, "connection_name"), identifier = header(req, "identifier");
  if (!connectorName) throw invalidArgument("connection_name", "header is required");
  if (!identifier) throw invalidArgument("identifier", "header is required");
  const cipher = cipherFor(deps.db, deps.config.encryptionKey);
  const found = await findAccount(deps.db, { connector: connectorName, identifier, organizationId: header(req, "organization_id"), userId: header(req, "user_id") });
  const account = await withFreshToken(deps, cipher, found);
  if (account.status !== "ACTIVE") throw failedPrecondition(`connected account ${account.id} is ${account.status}, not ACTIVE`);
  const connector = await findConnector(deps.db, account.connector);
  if (!connector?.proxyBaseUrl)
    throw failedPrecondition(`connector ${account.connector} has no proxy upstream: set one with PUT /local/v1/connectors/${encodeURIComponent(account.connector)} {"proxy_base_url": "https://…"}`);
  const injected = injectedHeaders(await credentialsOf(cipher, account), (connector.proxyHeaders ?? {}) as Record<string, string>);

  const rest = req.url.slice(PROXY_PREFIX.length); // path and query exactly as sent
  const target = new URL(connector.proxyBaseUrl + (rest.startsWith("/") ? rest : `/${rest}`));
  // dot segments are resolved by URL: the request must still land under the configured base path
  const basePath = new URL(connector.proxyBaseUrl).pathname.replace(/\/+$/, "");
  if (target.pathname !== basePath && !target.pathname.startsWith(`${basePath}/`))
    throw invalidArgument("path", `must stay under the connector's proxy_base_url path ${basePath || "/"}`);
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k) && !LOCATOR_HEADERS.has(k)) headers[k] = v;
  Object.assign(headers, injected);
  const body = req.body as NodeJS.ReadableStream | undefined;

  await deps.db.connectedAccount.update({ where: { id: account.id }, data: { lastUsedAt: new Date() } });
  const upstream = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const out = (target.protocol === "https:" ? https : http).request(target, { method: req.method, headers, timeout: UPSTREAM_TIMEOUT_MS }, resolve);
    out.on("timeout", () => out.destroy(Object.assign(new Error("upstream timed out"), { code: "ETIMEDOUT" })));
    out.on("error", reject);
    if (body && typeof body.pipe === "function") body.pipe(out);
    else out.end();
  }).catch((e: NodeJS.ErrnoException) => {
    throw e.code === "ETIMEDOUT"
      ? apiError(Code.DeadlineExceeded, `the upstream of connector ${account.connector} did not answer in time`)
      : apiError(Code.Unavailable, `the upstream of connector ${account.connector} could not be reached (${e.code ?? e.message})`);
  });
  reply.code(upstream.statusCode ?? 502);
  for (const [k, v] of Object.entries(upstream.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) reply.header(k, v);
  return reply.send(upstream);
}

export async function registerProxyRoutes(app: FastifyInstance, auth: Authenticator, deps: ServiceDeps): Promise<void> {
  await app.register(async (scope) => {
    // bodies pass through untouched, whatever their type
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", (_req, payload, done) => done(null, payload));
    const handler = async (req: FastifyRequest, reply: FastifyReply) => {
      try { return await proxy(req, reply, auth, deps); } catch (e) { return sendRestError(reply, e); }
    };
    scope.all(`${PROXY_PREFIX}/*`, handler);
  });
  await app.register(async (scope) => connectRoutes(scope, deps));
}
