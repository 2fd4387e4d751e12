// Applies the committed migrations in-process with Prisma's own schema engine (its WASM build, the same
// engine commit as the CLI), recording them in _prisma_migrations exactly as `prisma migrate deploy` does.
// The server migrates itself at start-up, so users never need the CLI or its downloaded binary. When every
// committed migration is already recorded as applied (the usual restart), one query says so and the engine (a
// large WASM module, seconds to compile and ~100 MB to hold) is never loaded.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { PGlite } from "@electric-sql/pglite";
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";

export type MigrationTarget = { kind: "pglite"; pglite: PGlite } | { kind: "postgresql"; url: string };

// Replicas starting together must not race on the same migration (key is arbitrary but fixed).
const MIGRATION_LOCK_KEY = 7_262_911_2026;

function listMigrations(dir: string) {
  const lock = path.join(dir, "migration_lock.toml");
  const names = fs.existsSync(dir)
    ? fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
    : [];
  return {
    baseDir: dir,
    lockfile: { path: "migration_lock.toml", content: fs.existsSync(lock) ? fs.readFileSync(lock, "utf8") : null },
    shadowDbInitScript: "",
    migrationDirectories: names.map((name) => ({
      path: name,
      migrationFile: {
        path: "migration.sql",
        content: { tag: "ok" as const, value: fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8") },
      },
    })),
  };
}

/**
 * Names of the committed migrations that _prisma_migrations does not record as applied with the same checksum
 * (sha256 of migration.sql, as Prisma computes it); all of them if the table does not exist yet.
 */
export async function pendingMigrations(query: (sql: string) => Promise<Record<string, unknown>[]>, dir: string): Promise<string[]> {
  const committed = listMigrations(dir).migrationDirectories;
  const exists = await query("SELECT to_regclass('_prisma_migrations') IS NOT NULL AS present");
  if (!exists[0]?.present) return committed.map((m) => m.path);
  const rows = await query("SELECT migration_name, checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL");
  const applied = new Map(rows.map((r) => [String(r.migration_name), String(r.checksum)]));
  // a failed or half-applied row, or an edited migration, is left to the engine, which reports it properly
  const unfinished = await query("SELECT 1 AS x FROM _prisma_migrations WHERE finished_at IS NULL AND rolled_back_at IS NULL LIMIT 1");
  if (unfinished.length) return committed.map((m) => m.path);
  return committed
    .filter((m) => applied.get(m.path) !== createHash("sha256").update(m.migrationFile.content.value).digest("hex"))
    .map((m) => m.path);
}

let runtimePromise: Promise<any> | undefined;
/**
 * The WASM module is instantiated once per process (wasm-bindgen's glue module keeps views of the first
 * instance's memory, so it cannot be instantiated again); each migration run gets its own engine.
 */
function loadRuntime(): Promise<any> {
  runtimePromise ??= (async () => {
    (globalThis as any).PRISMA_WASM_PANIC_REGISTRY ??= { message: "", set_message(m: string) { this.message = m; } };
    const spec = "@prisma/schema-engine-wasm/schema_engine_bg";
    const runtime: any = await import(spec);
    const wasmPath = path.join(path.dirname(fileURLToPath(import.meta.resolve(spec))), "schema_engine_bg.wasm");
    const instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(wasmPath)), { "./schema_engine_bg.js": runtime });
    runtime.__wbg_set_wasm(instance.exports);
    (instance.exports as any).__wbindgen_start();
    return runtime;
  })();
  return runtimePromise;
}

async function pgliteFactory(pglite: PGlite): Promise<SqlMigrationAwareDriverAdapterFactory> {
  const { PrismaPGlite } = await import("pglite-prisma-adapter");
  const factory = new PrismaPGlite(pglite) as any;
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter: any = await connect();
    // pglite-prisma-adapter 0.7.2 does not await exec(): a failing migration would be reported as applied.
    adapter.executeScript = async (sql: string) => {
      try { await pglite.exec(sql); } catch (e) { adapter.onError(e); }
    };
    return adapter;
  };
  return factory;
}

async function postgresFactory(url: string): Promise<SqlMigrationAwareDriverAdapterFactory> {
  const pg = (await import("pg")).default as any;
  // adapter-pg cannot deserialise the internal "char" type (OID 18) that the engine reads from pg_catalog.
  if (!pg.Result.prototype.__charAsText) {
    const addFields = pg.Result.prototype.addFields;
    pg.Result.prototype.addFields = function (descs: { dataTypeID: number }[]) {
      for (const d of descs) if (d.dataTypeID === 18) d.dataTypeID = 25;
      return addFields.call(this, descs);
    };
    pg.Result.prototype.__charAsText = true;
  }
  const { PrismaPg } = await import("@prisma/adapter-pg");
  return new PrismaPg({ connectionString: url, max: 2 }) as unknown as SqlMigrationAwareDriverAdapterFactory;
}

async function runEngine(factory: SqlMigrationAwareDriverAdapterFactory, migrationsDir: string): Promise<string[]> {
  const runtime = await loadRuntime();
  const engine = await runtime.SchemaEngine.new({ datamodels: undefined }, () => {}, bindMigrationAwareSqlAdapterFactory(factory));
  try {
    const { appliedMigrationNames } = await engine.applyMigrations({
      migrationsList: listMigrations(migrationsDir),
      filters: { externalTables: [], externalEnums: [] },
    });
    return appliedMigrationNames as string[];
  } catch (e: any) {
    throw new Error(`database migration failed: ${e?.message ?? e}`);
  } finally {
    engine.free();
  }
}

export interface MigrationProgress {
  /** called before the engine runs, with the migrations it is about to apply */
  onPending?(names: string[]): void;
}

export async function applyMigrations(target: MigrationTarget, migrationsDir: string, progress: MigrationProgress = {}): Promise<string[]> {
  if (target.kind === "pglite") {
    const pending = await pendingMigrations(async (q) => (await target.pglite.query<Record<string, unknown>>(q)).rows, migrationsDir);
    if (!pending.length) return [];
    progress.onPending?.(pending);
    return runEngine(await pgliteFactory(target.pglite), migrationsDir);
  }
  const pg = (await import("pg")).default;
  const lockClient = new pg.Client({ connectionString: target.url });
  await lockClient.connect();
  try {
    const query = async (q: string) => (await lockClient.query(q)).rows;
    if (!(await pendingMigrations(query, migrationsDir)).length) return [];
    await lockClient.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    // another replica may have applied them while this one waited for the lock
    const pending = await pendingMigrations(query, migrationsDir);
    if (!pending.length) return [];
    progress.onPending?.(pending);
    return await runEngine(await postgresFactory(target.url), migrationsDir);
  } finally {
    await lockClient.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => {});
    await lockClient.end().catch(() => {});
  }
}
