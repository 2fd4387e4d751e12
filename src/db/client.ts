// Prisma client by URL. PostgreSQL goes through @prisma/adapter-pg; without a URL the server embeds PGlite
// persisted under the data directory, so `npm start` needs nothing installed. Neither path needs Prisma's
// native engine binary.
import path from "node:path";
import type { PrismaClient } from "../generated/prisma/client.js";
import { applyMigrations, type MigrationProgress, type MigrationTarget } from "./migrate.js";
import { lockDataDir } from "./data-dir-lock.js";
import type { Sql } from "./sql.js";

const PGLITE_SHARED_BUFFERS = "16MB";

// Loaded while the database opens, not before: start-up overlaps the two (see main.ts).
const prismaClient = () => import("../generated/prisma/client.js").then((m) => m.PrismaClient);

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
   * LISTEN: on PostgreSQL on a dedicated connection; on PGlite in process (a NOTIFY from any statement of this
   * process arrives at commit). `onLost` is called once if the connection breaks; the returned function ends it.
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
  /** told before migrations run (the first start): they take seconds, so the CLI says so */
  progress?: MigrationProgress;
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.url && /^postgres(ql)?:\/\//.test(opts.url)) return openPostgres(opts.url, opts.migrationsDir, opts.progress);
  return openPglite(opts.url === "memory" ? undefined : path.join(opts.dataDir, "pglite"), opts.migrationsDir, opts.memoryTemplate, opts.progress);
}

function statement(query: Sql | string, params: unknown[] | undefined): [string, unknown[]] {
  return typeof query === "string" ? [query, params ?? []] : [query.text, query.values];
}

async function openPostgres(url: string, migrationsDir: string, progress?: MigrationProgress): Promise<Database> {
  const clientClass = prismaClient();
  const { PrismaPg } = await import("@prisma/adapter-pg");
  const target: MigrationTarget = { kind: "postgresql", url };
  const applied = await applyMigrations(target, migrationsDir, progress);
  const PrismaClient = await clientClass;
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

async function openPglite(dir: string | undefined, migrationsDir: string, template?: Blob, progress?: MigrationProgress): Promise<Database> {
  const { PGlite } = await import("@electric-sql/pglite");
  const release = dir ? await lockDataDir(path.dirname(dir)) : () => {};
  let pglite: InstanceType<typeof PGlite> | undefined;
  let applied: string[];
  let PrismaClient: typeof import("../generated/prisma/client.js").PrismaClient;
  let PrismaPGlite: typeof import("pglite-prisma-adapter").PrismaPGlite;
  try {
    // PostgreSQL's default 128 MB of shared buffers are touched at start and cost that much resident memory; an
    // emulator's data fits in far less, and the data directory's files stay in the OS page cache besides
    const startParams = [...PGlite.defaultStartParams, "-c", `shared_buffers=${PGLITE_SHARED_BUFFERS}`];
    pglite = dir ? new PGlite(dir, { startParams }) : template ? new PGlite({ loadDataDir: template, startParams }) : new PGlite("memory://", { startParams });
    // PGlite compiles its WASM off the main thread meanwhile
    [PrismaClient, { PrismaPGlite }] = await Promise.all([prismaClient(), import("pglite-prisma-adapter"), pglite.waitReady]);
    applied = await applyMigrations({ kind: "pglite", pglite }, migrationsDir, progress);
  } catch (e) {
    await pglite?.close().catch(() => {});
    release();
    throw e;
  }
  const db = pglite;
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) });
  return {
    prisma, kind: "pglite", applied,
    location: dir ? `pglite:${dir}` : "pglite:memory",
    ping: async () => { await db.query("SELECT 1"); },
    sql: async (query: Sql | string, params?: unknown[]) => (await db.query(...statement(query, params))).rows as any[],
    close: async () => { await prisma.$disconnect(); await db.close(); release(); },
    listen: async (channel, onNotify) => {
      if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid channel name ${channel}`);
      const unlisten = await db.listen(channel, onNotify);
      return async () => { await unlisten().catch(() => {}); };
    },
  };
}
