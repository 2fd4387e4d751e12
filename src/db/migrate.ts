// Applies the committed migrations in-process with Prisma's own schema engine (its WASM build, the same
// engine commit as the CLI), recording them in _prisma_migrations exactly as `prisma migrate deploy` does.
// The server migrates itself at start-up, so users never need the CLI or its downloaded binary.
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

let runtimePromise: Promise<any> | undefined;
/** The WASM module is instantiated once per process; each migration run gets its own engine. */
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

export async function applyMigrations(target: MigrationTarget, migrationsDir: string): Promise<string[]> {
  if (target.kind === "pglite") return runEngine(await pgliteFactory(target.pglite), migrationsDir);
  const pg = (await import("pg")).default;
  const lockClient = new pg.Client({ connectionString: target.url });
  await lockClient.connect();
  try {
    await lockClient.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    return await runEngine(await postgresFactory(target.url), migrationsDir);
  } finally {
    await lockClient.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => {});
    await lockClient.end().catch(() => {});
  }
}
