// Connectors: the `connector` name a connected account belongs to, its provider and authorization type, and where
// this server reaches the provider on the user's side (tool executor and proxy upstream). Scalekit's cloud knows
// the providers itself; a local server is told with PUT /local/v1/connectors/{name}.
import type { FastifyInstance } from "fastify";
import type { AccountConnector } from "../../generated/prisma/client.js";
import type { Db } from "../../db/client.js";
import type { Tx } from "../../db/tx.js";
import { inTransaction } from "../../db/tx.js";
import { connectedAccounts } from "../../protocol/descriptors.js";
import { invalidArgument, notFound } from "../../protocol/errors.js";
import { newId } from "../../protocol/ids.js";
import type { ServiceDeps } from "../deps.js";
import { cipherFor } from "./crypto.js";

/** the contract's rule for connector names (buf.validate on every `connector` field), with a length cap */
const NAME = /^[a-zA-Z0-9_: -]{1,128}$/;

export function checkConnectorName(field: string, value: string | undefined): string {
  const v = (value ?? "").trim();
  if (!v) throw invalidArgument(field, "is required");
  if (!NAME.test(v)) throw invalidArgument(field, "must be 1-128 letters, digits, '_', ':', '-' or spaces");
  return v;
}

/** "google-drive" -> "GOOGLE_DRIVE": the provider of a connector nobody configured. */
export function defaultProvider(connector: string): string {
  return connector.toUpperCase().replace(/[^A-Z0-9]+/g, "_");
}

const AUTH_TYPES = Object.keys(connectedAccounts.ConnectorType).filter((k) => isNaN(Number(k)) && k !== "CONNECTION_TYPE_UNSPECIFIED");

/** The connector row, made on first use with defaults taken from the credentials the first account brings. */
export async function ensureConnector(tx: Tx, name: string, staticAuth: boolean): Promise<AccountConnector> {
  const found = await tx.accountConnector.findUnique({ where: { name } });
  if (found) return found;
  await tx.$executeRaw`INSERT INTO account_connectors (name, id, provider, authorization_type) VALUES (${name}, ${newId("conn")}, ${defaultProvider(name)}, ${staticAuth ? "API_KEY" : "OAUTH"}) ON CONFLICT (name) DO NOTHING`;
  return tx.accountConnector.findUniqueOrThrow({ where: { name } });
}

export function connectorJson(c: AccountConnector) {
  return {
    name: c.name, connection_id: c.id, provider: c.provider, authorization_type: c.authorizationType,
    tool_executor_url: c.toolExecutorUrl ?? "", proxy_base_url: c.proxyBaseUrl ?? "", proxy_headers: c.proxyHeaders,
    token_url: c.tokenUrl ?? "", client_id: c.clientId ?? "", client_secret_set: !!c.clientSecret,
    created_at: c.createdAt.toISOString(), updated_at: c.updatedAt.toISOString(),
  };
}

function httpUrl(field: string, v: unknown): string | null {
  if (v === undefined || v === null || v === "") return null;
  if (typeof v !== "string") throw invalidArgument(field, "must be a string");
  try {
    const u = new URL(v);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error();
  } catch { throw invalidArgument(field, "must be an http(s) URL"); }
  return v.replace(/\/+$/, "");
}

function optionalText(field: string, v: unknown): string | null {
  if (v === undefined || v === null || v === "") return null;
  if (typeof v !== "string" || v.length > 2048) throw invalidArgument(field, "must be a string of at most 2048 characters");
  return v;
}

function headerTemplates(v: unknown): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== "object" || Array.isArray(v)) throw invalidArgument("proxy_headers", "must be an object of header name to template");
  const out: Record<string, string> = {};
  for (const [k, t] of Object.entries(v)) {
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(k)) throw invalidArgument("proxy_headers", `"${k}" is not a valid header name`);
    if (typeof t !== "string") throw invalidArgument("proxy_headers", `the value of ${k} must be a string`);
    out[k.toLowerCase()] = t;
  }
  return out;
}

export async function connectorLocalRoutes(scope: FastifyInstance, deps: ServiceDeps): Promise<void> {
  scope.put("/connectors/:name", async (req) => {
    const name = checkConnectorName("name", (req.params as { name: string }).name);
    const b = (req.body ?? {}) as Record<string, unknown>;
    if (typeof b !== "object" || Array.isArray(b)) throw invalidArgument("body", "must be a JSON object");
    const provider = b.provider === undefined ? undefined : String(b.provider).trim();
    if (provider !== undefined && !/^[A-Z0-9_]{1,64}$/.test(provider)) throw invalidArgument("provider", "must be 1-64 of A-Z, 0-9 and _");
    const authorizationType = b.authorization_type === undefined ? undefined : String(b.authorization_type);
    if (authorizationType !== undefined && !AUTH_TYPES.includes(authorizationType)) throw invalidArgument("authorization_type", `must be one of ${AUTH_TYPES.join(", ")}`);
    const data = {
      ...(provider ? { provider } : {}),
      ...(authorizationType ? { authorizationType } : {}),
      ...("tool_executor_url" in b ? { toolExecutorUrl: httpUrl("tool_executor_url", b.tool_executor_url) } : {}),
      ...("proxy_base_url" in b ? { proxyBaseUrl: httpUrl("proxy_base_url", b.proxy_base_url) } : {}),
      ...("proxy_headers" in b ? { proxyHeaders: headerTemplates(b.proxy_headers) } : {}),
      ...("token_url" in b ? { tokenUrl: httpUrl("token_url", b.token_url) } : {}),
      ...("client_id" in b ? { clientId: optionalText("client_id", b.client_id) } : {}),
    };
    const clientSecret = "client_secret" in b ? optionalText("client_secret", b.client_secret) : undefined;
    const cipher = cipherFor(deps.db, deps.config.encryptionKey);
    await cipher.ready();
    if (clientSecret !== undefined)
      Object.assign(data, { clientSecret: clientSecret === null ? null : await cipher.encrypt(clientSecret, `connector:${name}`) });
    const row = await inTransaction(deps.db, async (tx) => {
      const c = await ensureConnector(tx, name, authorizationType !== undefined && authorizationType !== "OAUTH");
      const updated = await tx.accountConnector.update({ where: { name }, data: { ...data, updatedAt: new Date() } });
      // accounts report their connector's provider and type
      if (updated.provider !== c.provider || updated.authorizationType !== c.authorizationType)
        await tx.connectedAccount.updateMany({ where: { connector: name }, data: { provider: updated.provider, authorizationType: updated.authorizationType } });
      return updated;
    });
    return { connector: connectorJson(row) };
  });

  scope.get("/connectors/:name", async (req) => {
    const name = (req.params as { name: string }).name;
    const row = await deps.db.accountConnector.findUnique({ where: { name } });
    if (!row) throw notFound("connector", name);
    return { connector: connectorJson(row) };
  });

  scope.get("/connectors", async () => {
    const rows = await deps.db.accountConnector.findMany({ orderBy: { name: "asc" } });
    return { connectors: rows.map(connectorJson) };
  });
}

export async function findConnector(db: Db | Tx, name: string): Promise<AccountConnector | null> {
  return db.accountConnector.findUnique({ where: { name } });
}
