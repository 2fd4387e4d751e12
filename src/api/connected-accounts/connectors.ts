// Connectors: the `connector` name a connected account belongs to, its provider and authorization type, and where
// this server reaches the provider on the user's side (tool executor and proxy upstream). Scalekit's cloud knows
// the providers itself; a local server is told with PUT /local/v1/connectors/{name}.
import type { FastifyInstance } from "fastify";
import { Type } from "@sinclair/typebox";
import type { AccountConnector } from "../../generated/prisma/client.js";
import type { Db } from "../../db/client.js";
import type { Tx } from "../../db/tx.js";
import { inTransaction } from "../../db/tx.js";
import { connectedAccounts } from "../../protocol/descriptors.js";
import { invalidArgument, notFound } from "../../protocol/errors.js";
import { newId } from "../../protocol/ids.js";
import { route } from "../../http/route.js";
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

function httpUrl(field: string, v: string): string | null {
  if (v === "") return null;
  try {
    const u = new URL(v);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error();
  } catch { throw invalidArgument(field, "must be an http(s) URL"); }
  return v.replace(/\/+$/, "");
}

function headerTemplates(v: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, t] of Object.entries(v)) {
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(k)) throw invalidArgument("proxy_headers", `"${k}" is not a valid header name`);
    out[k.toLowerCase()] = t;
  }
  return out;
}

const Url = Type.Optional(Type.String());
const Secretish = Type.Optional(Type.String({ maxLength: 2048, errorMessage: "must be a string of at most 2048 characters" }));
/** Every field is optional; an empty string clears a URL or credential. */
const ConnectorSettings = Type.Object({
  provider: Type.Optional(Type.String()),
  authorization_type: Type.Optional(Type.String({ enum: AUTH_TYPES, errorMessage: `must be one of ${AUTH_TYPES.join(", ")}` })),
  tool_executor_url: Url, proxy_base_url: Url, token_url: Url,
  proxy_headers: Type.Optional(Type.Record(Type.String(), Type.String(), { errorMessage: "must be an object of header name to template" })),
  client_id: Secretish, client_secret: Secretish,
});
const NameParams = Type.Object({ name: Type.String() });

export async function connectorLocalRoutes(scope: FastifyInstance, deps: ServiceDeps): Promise<void> {
  route(scope, {
    method: "PUT", url: "/connectors/:name", params: NameParams, body: ConnectorSettings,
    handler: async (req) => {
      const name = checkConnectorName("name", req.params.name);
      const b = req.body;
      const provider = b.provider?.trim();
      if (provider !== undefined && !/^[A-Z0-9_]{1,64}$/.test(provider)) throw invalidArgument("provider", "must be 1-64 of A-Z, 0-9 and _");
      const authorizationType = b.authorization_type;
      const data = {
        ...(provider ? { provider } : {}),
        ...(authorizationType ? { authorizationType } : {}),
        ...(b.tool_executor_url !== undefined ? { toolExecutorUrl: httpUrl("tool_executor_url", b.tool_executor_url) } : {}),
        ...(b.proxy_base_url !== undefined ? { proxyBaseUrl: httpUrl("proxy_base_url", b.proxy_base_url) } : {}),
        ...(b.proxy_headers !== undefined ? { proxyHeaders: headerTemplates(b.proxy_headers) } : {}),
        ...(b.token_url !== undefined ? { tokenUrl: httpUrl("token_url", b.token_url) } : {}),
        ...(b.client_id !== undefined ? { clientId: b.client_id || null } : {}),
      };
      const clientSecret = b.client_secret === undefined ? undefined : b.client_secret || null;
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
    },
  });

  route(scope, {
    method: "GET", url: "/connectors/:name", params: NameParams,
    handler: async (req) => {
      const row = await deps.db.accountConnector.findUnique({ where: { name: req.params.name } });
      if (!row) throw notFound("connector", req.params.name);
      return { connector: connectorJson(row) };
    },
  });

  route(scope, {
    method: "GET", url: "/connectors",
    handler: async () => {
      const rows = await deps.db.accountConnector.findMany({ orderBy: { name: "asc" } });
      return { connectors: rows.map(connectorJson) };
    },
  });
}

export async function findConnector(db: Db | Tx, name: string): Promise<AccountConnector | null> {
  return db.accountConnector.findUnique({ where: { name } });
}
