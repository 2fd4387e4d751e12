// The environment's data as the database catalog sees it, so that reset and snapshot cover every table a
// migration adds without anyone having to list it here. Only what the environment *is* is kept: its settings and
// keys, its own clients (the environment client and application clients), their secrets and login settings, and the webhook endpoints its configuration declares.
import { sql } from "../db/sql.js";
import type { Tx } from "../db/tx.js";

/** Tables kept whole: server-wide values, signing keys, generated encryption keys. */
export const KEPT_TABLES = ["server_settings", "signing_keys", "generated_encryption_keys"] as const;

/**
 * Tables that mix the environment's own rows with data: the SQL condition selects the rows that stay.
 * Organization M2M clients live in api_clients next to the environment client; configured webhook endpoints
 * (WEBHOOK_URL / WEBHOOKS_FILE, reconciled by key at start) next to those created through the API.
 */
export const KEPT_ROWS: Record<string, string> = {
  api_clients: `kind = 'environment'`,
  client_secrets: `client_id IN (SELECT id FROM api_clients WHERE kind = 'environment')`,
  // redirect allow-lists and login settings of environment-level clients: configuration, not data
  client_login_settings: `client_id IN (SELECT id FROM api_clients WHERE kind = 'environment')`,
  webhook_endpoints: `config_key IS NOT NULL`,
};

/** Bookkeeping of the migrator, never data. */
const SYSTEM_TABLES = ["_prisma_migrations"];

export interface Catalog {
  /** every table of the schema (data and kept ones), sorted */
  tables: string[];
  /** foreign keys: referencing table -> referenced tables */
  references: Map<string, Set<string>>;
}

export async function readCatalog(tx: Tx): Promise<Catalog> {
  const tables = (await tx.$queryRaw<{ name: string }[]>(
    sql`SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY 1`))
    .map((r) => r.name).filter((t) => !SYSTEM_TABLES.includes(t));
  const fks = await tx.$queryRaw<{ src: string; dst: string }[]>(
    sql`SELECT s.relname AS src, d.relname AS dst FROM pg_constraint k
     JOIN pg_class s ON s.oid = k.conrelid JOIN pg_class d ON d.oid = k.confrelid
     JOIN pg_namespace n ON n.oid = s.relnamespace
     WHERE k.contype = 'f' AND n.nspname = current_schema()`);
  const references = new Map<string, Set<string>>();
  for (const { src, dst } of fks) {
    if (!references.has(src)) references.set(src, new Set());
    references.get(src)!.add(dst);
  }
  return { tables, references };
}

export const isKeptWhole = (t: string) => (KEPT_TABLES as readonly string[]).includes(t);

/** Tables whose rows (or, for KEPT_ROWS tables, whose non-kept rows) are the environment's data. */
export function dataTables(c: Catalog): string[] {
  return c.tables.filter((t) => !isKeptWhole(t));
}

/** Orders tables so that every table comes after the tables it references (parents first). */
export function parentsFirst(tables: string[], c: Catalog): string[] {
  const set = new Set(tables), out: string[] = [], seen = new Set<string>();
  const visit = (t: string, path: Set<string>) => {
    if (seen.has(t) || path.has(t)) return;
    path.add(t);
    for (const p of c.references.get(t) ?? []) if (set.has(p) && p !== t) visit(p, path);
    path.delete(t);
    seen.add(t);
    out.push(t);
  };
  for (const t of [...tables].sort()) visit(t, new Set());
  return out;
}

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
