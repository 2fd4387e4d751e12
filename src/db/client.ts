// Prisma client by URL. PostgreSQL goes through @prisma/adapter-pg; without a URL the server embeds PGlite
// persisted under the data directory, so `npm start` needs nothing installed. Neither path needs Prisma's
// native engine binary.
import path from "node:path";
import { PrismaClient } from "../generated/prisma/client.js";
import { applyMigrations, type MigrationTarget } from "./migrate.js";
import { lockDataDir } from "./data-dir-lock.js";

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

async function openPostgres(url: string, migrationsDir: string): Promise<Database> {
  const { PrismaPg } = await import("@prisma/adapter-pg");
  const target: MigrationTarget = { kind: "postgresql", url };
  const applied = await applyMigrations(target, migrationsDir);
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 20 }) });
  const u = new URL(url);
  return {
    prisma, kind: "postgresql", applied,
    location: `postgresql://${u.host}${u.pathname}`,
    ping: async () => { await prisma.$queryRawUnsafe("SELECT 1"); },
    close: () => prisma.$disconnect(),
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
    close: async () => { await prisma.$disconnect(); await pglite.close(); release(); },
  };
}
