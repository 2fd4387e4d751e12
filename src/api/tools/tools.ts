// Tool registration (create, update, delete, default version) and the three tool listings: every tool
// (ListTools), the default tools an identifier's active connected accounts can run (ListAvailableTools), and
// those paired with the account that would run them (ListScopedTools).
import type { Prisma, Tool as ToolRow, ConnectedAccount as AccountRow } from "../../generated/prisma/client.js";
import type { Db } from "../../db/client.js";
import type { Tx } from "../../db/tx.js";
import { inTransaction } from "../../db/tx.js";
import { keysetPage, prismaKeyset, type IdRange } from "../../db/keyset-page.js";
import { uniqueViolation } from "../../db/unique.js";
import { tools } from "../../protocol/descriptors.js";
import { alreadyExists, invalidArgument, notFound } from "../../protocol/errors.js";
import { newId } from "../../protocol/ids.js";
import { clampedPageSize } from "../../protocol/page-size.js";
import type { ServiceImplementation } from "../../protocol/rpc.js";
import type { ServiceDeps } from "../deps.js";
import { findAccount } from "../connected-accounts/store.js";
import { toolColumns, toolMessage } from "./mapping.js";

type Methods = ServiceImplementation<typeof tools.ToolService>["methods"];

const PAGE = { min: 1, max: 100, default: 10 };

/** Serialises changes to the versions of one tool name (which one is the default). */
async function lockName(tx: Tx, name: string) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`tools:${name}`}))`;
}

async function makeDefault(tx: Tx, row: ToolRow): Promise<ToolRow> {
  await tx.tool.updateMany({ where: { name: row.name, isDefault: true, NOT: { id: row.id } }, data: { isDefault: false, updatedAt: new Date() } });
  return tx.tool.update({ where: { id: row.id }, data: { isDefault: true, updatedAt: new Date() } });
}

function conflict(e: unknown, c: { name: string; schemaVersion: string; toolVersion: string }): unknown {
  if (!uniqueViolation(e)) return e;
  return alreadyExists(`tool ${c.name} schema_version ${c.schemaVersion} tool_version ${c.toolVersion} already exists`, c.name);
}

function toolsPage(db: Db, where: Prisma.ToolWhereInput, size: number, token: string) {
  return keysetPage<ToolRow>(prismaKeyset(db.tool, where), size, token);
}

/** Active accounts of one identifier (the end user as the app knows them). */
function activeAccounts(db: Db, identifier: string, connectors: string[] = []) {
  return db.connectedAccount.findMany({
    where: { identifier, status: "ACTIVE", ...(connectors.length ? { connector: { in: connectors } } : {}) }, orderBy: { id: "asc" },
  });
}

function requiredIdentifier(v: string): string {
  const s = v.trim();
  if (!s) throw invalidArgument("identifier", "is required");
  return s;
}

export function toolMethods(deps: ServiceDeps): Methods {
  const { db } = deps;
  return {
    async createTool(req) {
      if (!req.tool) throw invalidArgument("tool", "is required");
      const c = toolColumns(req.tool);
      try {
        const row = await inTransaction(db, async (tx) => {
          await lockName(tx, c.name);
          const created = await tx.tool.create({ data: { id: newId("tol"), ...c } });
          const hasDefault = await tx.tool.count({ where: { name: c.name, isDefault: true } });
          return req.tool!.isDefault === true || !hasDefault ? makeDefault(tx, created) : created;
        });
        return { tool: toolMessage(row) };
      } catch (e) { throw conflict(e, c); }
    },

    async updateTool(req) {
      const id = req.tool?.id.trim();
      if (!req.tool || !id) throw invalidArgument("tool.id", "is required");
      const patch = req.tool;
      const current = await db.tool.findUnique({ where: { id } });
      if (!current) throw notFound("tool", id);
      const merged = toolColumns({
        ...patch,
        provider: patch.provider || current.provider,
        definition: patch.definition && Object.keys(patch.definition).length ? patch.definition : (current.definition as any),
        metadata: patch.metadata ?? (current.metadata as any),
        tags: patch.tags.length ? patch.tags : current.tags,
      } as tools.Tool);
      try {
        const row = await inTransaction(db, async (tx) => {
          await lockName(tx, current.name);
          if (merged.name !== current.name) await lockName(tx, merged.name);
          const updated = await tx.tool.update({ where: { id }, data: { ...merged, updatedAt: new Date() } });
          return patch.isDefault === true ? makeDefault(tx, updated) : updated;
        });
        return { tool: toolMessage(row) };
      } catch (e) { throw conflict(e, merged); }
    },

    async deleteTool(req) {
      const id = req.id.trim();
      if (!id) throw invalidArgument("id", "is required");
      await inTransaction(db, async (tx) => {
        const row = await tx.tool.findUnique({ where: { id } });
        if (!row) throw notFound("tool", id);
        await lockName(tx, row.name);
        await tx.tool.delete({ where: { id } });
        // the newest remaining version takes over, so the name stays runnable
        if (row.isDefault) {
          const next = await tx.tool.findFirst({ where: { name: row.name }, orderBy: { id: "desc" } });
          if (next) await makeDefault(tx, next);
        }
      });
      return {};
    },

    async setToolDefault(req) {
      const row = await inTransaction(db, async (tx) => {
        await lockName(tx, req.name);
        const found = await tx.tool.findUnique({ where: { name_schemaVersion_toolVersion: { name: req.name, schemaVersion: req.schemaVersion, toolVersion: req.toolVersion } } });
        if (!found) throw notFound("tool", `${req.name} ${req.schemaVersion}/${req.toolVersion}`);
        return makeDefault(tx, found);
      });
      return { tool: toolMessage(row) };
    },

    async listTools(req) {
      const f = req.filter;
      const where: Prisma.ToolWhereInput[] = [];
      if (f?.provider) where.push({ provider: { equals: f.provider.trim(), mode: "insensitive" } });
      if (f?.toolName.length) where.push({ name: { in: f.toolName } });
      if (f?.query?.trim()) where.push({ name: { contains: f.query.trim().replace(/[\\%_]/g, (c) => `\\${c}`), mode: "insensitive" } });
      if (f?.connectedAccountId || f?.connector) {
        const account = await findAccount(db, { id: f.connectedAccountId, connector: f.connector, identifier: f.identifier, organizationId: f.organizationId, userId: f.userId });
        where.push({ provider: account.provider });
      } else if (f?.identifier) {
        const providers = [...new Set((await activeAccounts(db, f.identifier.trim())).map((a) => a.provider))];
        where.push({ provider: { in: providers } });
      }
      const page = await toolsPage(db, { AND: where }, clampedPageSize(req.pageSize, PAGE), req.pageToken);
      return {
        tools: page.items.map((t) => toolMessage(t, f?.summary === true)), toolNames: page.items.map((t) => t.name),
        totalSize: page.totalSize, nextPageToken: page.nextPageToken, prevPageToken: page.prevPageToken,
      };
    },

    async listAvailableTools(req) {
      const identifier = requiredIdentifier(req.identifier);
      const providers = [...new Set((await activeAccounts(db, identifier)).map((a) => a.provider))];
      const page = await toolsPage(db, { isDefault: true, provider: { in: providers } }, clampedPageSize(req.pageSize, PAGE), req.pageToken);
      return { tools: page.items.map((t) => toolMessage(t)), totalSize: page.totalSize, nextPageToken: page.nextPageToken, prevPageToken: page.prevPageToken };
    },

    async listScopedTools(req) {
      const identifier = requiredIdentifier(req.identifier);
      const f = req.filter;
      const providers = new Set((f?.providers ?? []).map((p) => p.trim().toUpperCase()).filter(Boolean));
      let accounts: AccountRow[] = await activeAccounts(db, identifier, f?.connectionNames ?? []);
      if (providers.size) accounts = accounts.filter((a) => providers.has(a.provider.toUpperCase()));
      const rows = await db.tool.findMany({
        where: { isDefault: true, provider: { in: [...new Set(accounts.map((a) => a.provider))] }, ...(f?.toolNames.length ? { name: { in: f.toolNames } } : {}) },
        orderBy: { id: "asc" },
      });
      // one entry per (account, tool) pair; the pair's ids make a stable key for keyset paging
      const pairs = accounts.flatMap((a) => rows.filter((t) => t.provider === a.provider).map((t) => ({ id: `${a.id}.${t.id}`, account: a, tool: t })));
      const page = await keysetPage({
        count: async () => pairs.length,
        rows: async (range: IdRange, order, take) => {
          const inRange = pairs.filter((p) => (!range.gt || p.id > range.gt) && (!range.lt || p.id < range.lt));
          return (order === "asc" ? inRange : inRange.reverse()).slice(0, take);
        },
      }, clampedPageSize(req.pageSize, PAGE), req.pageToken);
      return {
        tools: page.items.map((p) => ({ tool: toolMessage(p.tool), identifier: p.account.identifier, connectedAccountId: p.account.id })),
        totalSize: page.totalSize, nextPageToken: page.nextPageToken, prevPageToken: page.prevPageToken,
      };
    },
  };
}
