// Prisma client by URL. PostgreSQL goes through @prisma/adapter-pg; without a URL the server embeds PGlite
// persisted under the data directory, so `npm start` needs nothing installed. Neither path needs Prisma's
// native engine binary.
import path from "node:path";
import { PrismaClient } from "../generated/prisma/client.js";
import { applyMigrations, type MigrationTarget } from "./migrate.js";
import { lockDataDir } from "./data-dir-lock.js";
import type { Sql } from "./sql.js";

export type Db = PrismaClient;

export interface Database {
  prisma: Db;
  kind: "postgresql" | "pglite";
  /** human-readable location for the start-up banner (no credentials) */
  location: string;
  /** names of the migrations applied by this start */
  applied: string[];
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * A parameterised read straight through the driver. Prisma costs ~0.5 ms of CPU per query here, so the hottest
   * reads (token client lookup, get and list) use this; writes and transactions stay on Prisma.
   */
  sql<T = Record<string, unknown>>(query: Sql): Promise<T[]>;
  /** the same with the statement and its parameters apart (prefer the tagged template: src/db/sql.ts) */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /**
   * LISTEN on a dedicated connection (PostgreSQL only: PGlite is one process, whose callers poll instead).
   * `onLost` is called once if the connection breaks; the returned function ends the subscription.
   */
  listen?(channel: string, onNotify: () => void, onLost: (e: Error) => void): Promise<() => Promise<void>>;
}

export interface DatabaseOptions {
  /** postgres(ql)://…, "memory" for a throwaway PGlite, or undefined for PGlite in `dataDir` */
  url: string | undefined;
  dataDir: string;
  migrationsDir: string;
  /** a migrated data directory dump to start an in-memory PGlite from (tests: skips initdb, ~5 s each) */
  memoryTemplate?: Blob;
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.url && /^postgres(ql)?:\/\//.test(opts.url)) return openPostgres(opts.url, opts.migrationsDir);
  return openPglite(opts.url === "memory" ? undefined : path.join(opts.dataDir, "pglite"), opts.migrationsDir, opts.memoryTemplate);
}

function statement(query: Sql | string, params: unknown[] | undefined): [string, unknown[]] {
  return typeof query === "string" ? [query, params ?? []] : [query.text, query.values];
}

async function openPostgres(url: string, migrationsDir: string): Promise<Database> {
  const { PrismaPg } = await import("@prisma/adapter-pg");
  const target: MigrationTarget = { kind: "postgresql", url };
  const applied = await applyMigrations(target, migrationsDir);
  const pg = (await import("pg")).default;
  const pool = new pg.Pool({ connectionString: url, max: 20 });
  pool.on("error", () => {}); // an idle client's failure is reported to the next query that needs a connection
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const u = new URL(url);
  return {
    prisma, kind: "postgresql", applied,
    location: `postgresql://${u.host}${u.pathname}`,
    ping: async () => { await pool.query("SELECT 1"); },
    close: async () => { await prisma.$disconnect(); await pool.end().catch(() => {}); },
    sql: async (query: Sql | string, params?: unknown[]) => (await pool.query(...statement(query, params))).rows,
    listen: (channel, onNotify, onLost) => listenPostgres(url, channel, onNotify, onLost),
  };
}

async function listenPostgres(url: string, channel: string, onNotify: () => void, onLost: (e: Error) => void) {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid channel name ${channel}`);
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url, application_name: `listen:${channel}` });
  let ended = false;
  const lost = (e: Error) => {
    if (ended) return;
    ended = true;
    client.end().catch(() => {});
    onLost(e);
  };
  client.on("error", lost);
  client.on("end", () => lost(new Error("connection ended")));
  client.on("notification", (n) => { if (n.channel === channel) onNotify(); });
  try {
    await client.connect();
    await client.query(`LISTEN "${channel}"`);
  } catch (e) {
    ended = true;
    await client.end().catch(() => {});
    throw e;
  }
  return async () => {
    if (ended) return;
    ended = true;
    await client.end().catch(() => {});
  };
}

async function openPglite(dir: string | undefined, migrationsDir: string, template?: Blob): Promise<Database> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { PrismaPGlite } = await import("pglite-prisma-adapter");
  const release = dir ? lockDataDir(path.dirname(dir)) : () => {};
  const pglite = dir ? new PGlite(dir) : template ? new PGlite({ loadDataDir: template }) : new PGlite("memory://");
  let applied: string[];
  try {
    await pglite.waitReady;
    applied = await applyMigrations({ kind: "pglite", pglite }, migrationsDir);
  } catch (e) {
    await pglite.close().catch(() => {});
    release();
    throw e;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    prisma, kind: "pglite", applied,
    location: dir ? `pglite:${dir}` : "pglite:memory",
    ping: async () => { await pglite.query("SELECT 1"); },
    sql: async (query: Sql | string, params?: unknown[]) => (await pglite.query(...statement(query, params))).rows as any[],
    close: async () => { await prisma.$disconnect(); await pglite.close(); release(); },
  };
}
