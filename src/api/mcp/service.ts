// McpService (Python SDK only: scalekit/mcp.py): MCP configs (which tools of which connections an MCP server
// exposes) and MCP instances (a config for one user, whose connected accounts are found by user_identifier).
// The MCP endpoint itself is Scalekit's hosted gateway, which this server does not run: instances have no url.
// The Mcp resources (CreateMcp, GetMcp, ListMcp, DeleteMcp) have no caller in either SDK and stay UNIMPLEMENTED.
import { fromJson, toJson, type JsonObject } from "@bufbuild/protobuf";
import type { McpConfig, McpInstance, Prisma } from "../../generated/prisma/client.js";
import type { Db } from "../../db/client.js";
import type { Tx } from "../../db/tx.js";
import { inTransaction } from "../../db/tx.js";
import { keysetPage, type IdRange } from "../../db/keyset-page.js";
import { contractMessage, contractService } from "../../protocol/descriptors.js";
import { implementChecked } from "../../protocol/descriptor-rules.js";
import { failedPrecondition, invalidArgument, notFound } from "../../protocol/errors.js";
import { newId } from "../../protocol/ids.js";
import { clampedPageSize } from "../../protocol/page-size.js";
import type { ServiceDeps } from "../deps.js";
import { duplicateKey } from "../roles/store.js";
import { create } from "@bufbuild/protobuf";
import { connectedAccounts } from "../../protocol/descriptors.js";
import { magicLinkMethods } from "../connected-accounts/magic-link.js";

export const MCP_SERVICE = contractService("scalekit.v1.mcp.McpService");
const Config = contractMessage("scalekit.v1.mcp.McpConfig");
const Instance = contractMessage("scalekit.v1.mcp.McpInstance");
const AuthState = contractMessage("scalekit.v1.mcp.McpInstanceConnectionAuthState");
const PAGE = { min: 1, max: 100, default: 20 };
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

interface Mapping { connection_name: string; tools: string[] }
interface Connection { id: string; name: string; provider: string }

const body = (desc: Parameters<typeof toJson>[0], msg: unknown) => toJson(desc, msg as never, { useProtoFieldName: true }) as JsonObject;
const str = (v: unknown) => (typeof v === "string" ? v.trim() : "");

function checkName(v: unknown, field: string): string {
  const s = str(v);
  if (!s) throw invalidArgument(field, "is required");
  if (!NAME.test(s)) throw invalidArgument(field, "must be 1-100 letters, digits, '_', '.' or '-', starting with a letter or digit");
  return s;
}

/** The connection a mapping names: an app connection (by key_id) or a connector of connected accounts. */
async function resolveConnection(db: Db | Tx, name: string): Promise<Connection | null> {
  const app = await db.connection.findFirst({ where: { keyId: name, organizationId: null }, select: { id: true, keyId: true, providerKey: true } });
  if (app) return { id: app.id, name: app.keyId, provider: app.providerKey.toUpperCase() };
  const c = await db.accountConnector.findUnique({ where: { name }, select: { id: true, name: true, provider: true } });
  return c ? { id: c.id, name: c.name, provider: c.provider } : null;
}

async function checkMappings(db: Db | Tx, v: unknown, field: string): Promise<Mapping[]> {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalidArgument(field, "must be a list");
  if (v.length > 50) throw invalidArgument(field, "must have at most 50 connections");
  const out: Mapping[] = [];
  for (const [i, m] of v.entries()) {
    const o = (m ?? {}) as JsonObject;
    const name = str(o.connection_name);
    if (!name) throw invalidArgument(`${field}[${i}].connection_name`, "is required");
    if (!(await resolveConnection(db, name))) throw notFound("connection", name);
    if (out.some((x) => x.connection_name === name)) throw invalidArgument(`${field}[${i}].connection_name`, `connection ${name} is mapped twice`);
    const tools = Array.isArray(o.tools) ? [...new Set(o.tools.map(str).filter(Boolean))] : [];
    out.push({ connection_name: name, tools });
  }
  return out;
}

const mappingsOf = (row: McpConfig) => (Array.isArray(row.mappings) ? (row.mappings as unknown as Mapping[]) : []);

async function configJson(db: Db | Tx, row: McpConfig, userIdentifier?: string): Promise<JsonObject> {
  const mappings = [];
  for (const m of mappingsOf(row)) {
    const c = await resolveConnection(db, m.connection_name);
    const account = userIdentifier !== undefined
      ? await db.connectedAccount.findFirst({ where: { connector: m.connection_name, identifier: userIdentifier }, orderBy: { id: "asc" } })
      : null;
    mappings.push({
      connection_id: c?.id ?? "", connection_name: m.connection_name, provider: c?.provider ?? "", tools: m.tools,
      ...(account ? { connected_account_id: account.id, connected_account_status: account.status } : {}),
    });
  }
  return { id: row.id, name: row.name, description: row.description, connection_tool_mappings: mappings };
}

export function mcpService(deps: ServiceDeps) {
  const { db } = deps;
  const links = magicLinkMethods(deps);
  const configMessage = async (client: Db | Tx, row: McpConfig) => fromJson(Config, await configJson(client, row));
  const instanceMessage = async (client: Db | Tx, row: McpInstance & { config: McpConfig }) => fromJson(Instance, {
    id: row.id, name: row.name, user_identifier: row.userIdentifier, config: await configJson(client, row.config, row.userIdentifier),
    ...(row.lastUsedAt ? { last_used_at: row.lastUsedAt.toISOString() } : {}), updated_at: row.updatedAt.toISOString(), url: "",
  });
  const findConfig = async (client: Db | Tx, where: { id: string } | { name: string }, what: string) => {
    const row = await client.mcpConfig.findUnique({ where });
    if (!row) throw notFound("mcp config", what);
    return row;
  };
  const findInstance = async (client: Db | Tx, id: string) => {
    if (!id) throw invalidArgument("instance_id", "is required");
    const row = await client.mcpInstance.findUnique({ where: { id }, include: { config: true } });
    if (!row) throw notFound("mcp instance", id);
    return row;
  };
  const nameTaken = (e: unknown, field: string, name: string) =>
    (e as { code?: unknown })?.code === "P2002" ? duplicateKey(field, `${name} already exists`) : e;

  return implementChecked(MCP_SERVICE, {
    async createMcpConfig(req) {
      const c = body(MCP_SERVICE.method.createMcpConfig.input, req).config as JsonObject | undefined;
      if (!c) throw invalidArgument("config", "is required");
      const name = checkName(c.name, "config.name");
      try {
        const row = await inTransaction(db, async (tx) => tx.mcpConfig.create({
          data: { id: newId("mcpc"), name, description: str(c.description), mappings: await checkMappings(tx, c.connection_tool_mappings, "config.connection_tool_mappings") as unknown as Prisma.InputJsonValue },
        }));
        return { config: await configMessage(db, row) };
      } catch (e) {
        throw nameTaken(e, "config.name", `mcp config ${name}`);
      }
    },

    /** Description and mappings replace the stored ones when given (a non-empty list replaces all mappings). */
    async updateMcpConfig(req) {
      const b = body(MCP_SERVICE.method.updateMcpConfig.input, req);
      const id = str(b.config_id);
      if (!id) throw invalidArgument("config_id", "is required");
      const row = await inTransaction(db, async (tx) => {
        const current = await findConfig(tx, { id }, id);
        const mappings = Array.isArray(b.connection_tool_mappings) && b.connection_tool_mappings.length
          ? await checkMappings(tx, b.connection_tool_mappings, "connection_tool_mappings") : undefined;
        return tx.mcpConfig.update({
          where: { id: current.id },
          data: { ...(str(b.description) ? { description: str(b.description) } : {}), ...(mappings ? { mappings: mappings as unknown as Prisma.InputJsonValue } : {}), updatedAt: new Date() },
        });
      });
      return { config: await configMessage(db, row) };
    },

    async getMcpConfig(req) {
      const id = str((req as unknown as { configId: string }).configId);
      if (!id) throw invalidArgument("config_id", "is required");
      return { config: await configMessage(db, await findConfig(db, { id }, id)) };
    },

    async listMcpConfigs(req) {
      const r = req as unknown as { filter?: { id: string; name: string; provider: string }; search: string; pageSize: number; pageToken: string };
      const where: Prisma.McpConfigWhereInput = {
        ...(r.filter?.id ? { id: r.filter.id } : {}), ...(r.filter?.name ? { name: r.filter.name } : {}),
        ...(r.search ? { name: { contains: r.search.replace(/[\\%_]/g, (ch) => `\\${ch}`), mode: "insensitive" } } : {}),
      };
      let rows = await db.mcpConfig.findMany({ where, orderBy: { id: "asc" } });
      if (r.filter?.provider) {
        const wanted = r.filter.provider.toUpperCase();
        const keep: McpConfig[] = [];
        for (const row of rows) {
          const mappings = (await configJson(db, row)).connection_tool_mappings as JsonObject[];
          if (mappings.some((m) => String(m.provider).toUpperCase() === wanted)) keep.push(row);
        }
        rows = keep;
      }
      const page = await keysetPage({
        count: async () => rows.length,
        rows: async (range: IdRange, order, take) => {
          const inRange = rows.filter((x) => (!range.gt || x.id > range.gt) && (!range.lt || x.id < range.lt));
          return (order === "asc" ? inRange : inRange.reverse()).slice(0, take);
        },
      }, clampedPageSize(r.pageSize, PAGE), r.pageToken);
      const configs = [];
      for (const row of page.items) configs.push(await configMessage(db, row));
      return { configs, totalSize: page.totalSize, nextPageToken: page.nextPageToken, prevPageToken: page.prevPageToken };
    },

    async deleteMcpConfig(req) {
      const id = str((req as unknown as { configId: string }).configId);
      if (!id) throw invalidArgument("config_id", "is required");
      await inTransaction(db, async (tx) => {
        const row = await findConfig(tx, { id }, id);
        const used = await tx.mcpInstance.count({ where: { configId: row.id } });
        if (used) throw failedPrecondition(`mcp config ${row.name} is used by ${used} instance${used === 1 ? "" : "s"}; delete them first`);
        await tx.mcpConfig.delete({ where: { id: row.id } });
      });
      return {};
    },

    /** The named instance, created for the config and user if it does not exist; the same name for another
     *  config or user is refused rather than silently changed. */
    async ensureMcpInstance(req) {
      const b = body(MCP_SERVICE.method.ensureMcpInstance.input, req);
      const name = checkName(b.name, "name");
      const configName = checkName(b.config_name, "config_name");
      const userIdentifier = str(b.user_identifier);
      if (!userIdentifier) throw invalidArgument("user_identifier", "is required");
      const config = await findConfig(db, { name: configName }, configName);
      const existing = await db.mcpInstance.findUnique({ where: { name }, include: { config: true } });
      if (existing) {
        if (existing.configId !== config.id || existing.userIdentifier !== userIdentifier)
          throw failedPrecondition(`mcp instance ${name} exists for config ${existing.config.name} and user ${existing.userIdentifier}`);
        return { instance: await instanceMessage(db, existing) };
      }
      try {
        const row = await db.mcpInstance.create({ data: { id: newId("mcpi"), name, configId: config.id, userIdentifier }, include: { config: true } });
        return { instance: await instanceMessage(db, row) };
      } catch (e) {
        if ((e as { code?: unknown })?.code === "P2002") {
          const raced = await db.mcpInstance.findUnique({ where: { name }, include: { config: true } });
          if (raced && raced.configId === config.id && raced.userIdentifier === userIdentifier) return { instance: await instanceMessage(db, raced) };
        }
        throw nameTaken(e, "name", `mcp instance ${name}`);
      }
    },

    async getMcpInstance(req) {
      return { instance: await instanceMessage(db, await findInstance(db, str((req as unknown as { instanceId: string }).instanceId))) };
    },

    async listMcpInstances(req) {
      const r = req as unknown as { filter?: { id: string; name: string; configName: string; userIdentifier: string }; search: string; pageSize: number; pageToken: string };
      const where: Prisma.McpInstanceWhereInput = {
        ...(r.filter?.id ? { id: r.filter.id } : {}), ...(r.filter?.name ? { name: r.filter.name } : {}),
        ...(r.filter?.configName ? { config: { name: r.filter.configName } } : {}),
        ...(r.filter?.userIdentifier ? { userIdentifier: r.filter.userIdentifier } : {}),
        ...(r.search ? { name: { contains: r.search.replace(/[\\%_]/g, (ch) => `\\${ch}`), mode: "insensitive" } } : {}),
      };
      const page = await keysetPage({
        count: () => db.mcpInstance.count({ where }),
        rows: (range: IdRange, order, take) => db.mcpInstance.findMany({ where: { AND: [where, { id: range }] }, orderBy: { id: order }, take, include: { config: true } }),
      }, clampedPageSize(r.pageSize, PAGE), r.pageToken);
      const instances = [];
      for (const row of page.items) instances.push(await instanceMessage(db, row));
      return { instances, totalSize: page.totalSize, nextPageToken: page.nextPageToken, prevPageToken: page.prevPageToken };
    },

    /** Renames the instance or moves it to another config; the user stays. */
    async updateMcpInstance(req) {
      const b = body(MCP_SERVICE.method.updateMcpInstance.input, req);
      const id = str(b.instance_id);
      try {
        const row = await inTransaction(db, async (tx) => {
          const current = await findInstance(tx, id);
          const name = b.name ? checkName(b.name, "name") : undefined;
          const config = b.config_name ? await findConfig(tx, { name: checkName(b.config_name, "config_name") }, str(b.config_name)) : undefined;
          return tx.mcpInstance.update({
            where: { id: current.id }, include: { config: true },
            data: { ...(name ? { name } : {}), ...(config ? { configId: config.id } : {}), updatedAt: new Date() },
          });
        });
        return { instance: await instanceMessage(db, row) };
      } catch (e) {
        throw nameTaken(e, "name", `mcp instance ${str(b.name)}`);
      }
    },

    async deleteMcpInstance(req) {
      const id = str((req as unknown as { instanceId: string }).instanceId);
      const row = await findInstance(db, id);
      const { count } = await db.mcpInstance.deleteMany({ where: { id: row.id } });
      if (!count) throw notFound("mcp instance", id);
      return {};
    },

    /**
     * Per mapped connection: the user's connected account and its status (NOT_CONNECTED when there is none). With
     * include_auth_links, every connection whose account is not ACTIVE gets a connected-account magic link (the
     * same link GetMagicLinkForConnectedAccount makes; it creates the pending account when there is none).
     */
    async getMcpInstanceAuthState(req, ctx) {
      const r = req as unknown as { instanceId: string; includeAuthLinks: boolean };
      const row = await findInstance(db, str(r.instanceId));
      const config = await configJson(db, row.config, row.userIdentifier);
      const connections = [];
      for (const m of (config.connection_tool_mappings ?? []) as JsonObject[]) {
        let link = "";
        if (r.includeAuthLinks && m.connected_account_status !== "ACTIVE") {
          const made = await links.getMagicLinkForConnectedAccount!(create(connectedAccounts.GetMagicLinkForConnectedAccountRequestSchema, {
            connector: String(m.connection_name), identifier: row.userIdentifier,
          }), ctx);
          link = String(made.link ?? "");
        }
        connections.push(fromJson(AuthState, {
          connection_id: m.connection_id, connection_name: m.connection_name, provider: m.provider,
          connected_account_id: m.connected_account_id ?? "", connected_account_status: m.connected_account_status ?? "NOT_CONNECTED",
          authentication_link: link,
        }));
      }
      return { connections };
    },
  });
}
