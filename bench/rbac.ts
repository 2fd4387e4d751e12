// `npx tsx bench/rbac.ts`: latency of the RBAC engine's effective-permission query (src/rbac/effective.ts) on
// PGlite and on PostgreSQL, called in a closed loop through the same Prisma client the server uses.
//
// Scenarios (each answer is checked before timing, so a fast wrong answer cannot pass):
//   chain-leaf      the leaf of a 10-deep extends chain, 50 permissions per level: 500 effective permissions
//   chain-overlap   the same chain where every level grants the same 500 permissions (5,000 grants to dedupe)
//   siblings-union  a user holding 100 sibling roles (one shared base with 50 permissions, 5 of their own each)
//   siblings-each   the same 100 roles resolved one by one in one query (ListRoles?include=permissions:all)
//   baseline        a flat read of 500 permission rows (findMany): the cost of fetching that many rows at all,
//                   so the recursion's own share is visible
//
// Environment: BENCH_RBAC_CALLS (2000), BENCH_RBAC_WARMUP (200), BENCH_PG_URL (postgresql://postgres@127.0.0.1:5432/
// postgres; a fresh database is created on that server and dropped at the end), BENCH_RBAC_DB=both|pglite|postgresql.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { openDatabase, type Database } from "../src/db/client.js";
import { loadConfig } from "../src/config.js";
import { newId } from "../src/protocol/ids.js";
import { effectivePermissionsByRole, effectivePermissionsOfRoles } from "../src/rbac/effective.js";

const CALLS = Number(process.env.BENCH_RBAC_CALLS ?? 2000);
const WARMUP = Number(process.env.BENCH_RBAC_WARMUP ?? 200);
const PG_URL = process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const WHICH = process.env.BENCH_RBAC_DB ?? "both";

interface Scenario { key: string; expect: number; run: () => Promise<number> }

async function seed(db: Database["prisma"]): Promise<Scenario[]> {
  const perms = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ id: newId("perm"), name: `${prefix}:p${i}` }));
  const roleRows: { id: string; scope: string; name: string; displayName: string; baseRoleId: string | null }[] = [];
  const grants: { roleId: string; permissionId: string }[] = [];
  const addRole = (name: string, baseRoleId: string | null) => {
    const id = newId("role");
    roleRows.push({ id, scope: "", name, displayName: name, baseRoleId });
    return id;
  };

  const chainPerms = perms("chain", 500);
  const overlapPerms = perms("overlap", 500);
  let leaf: string | null = null;
  let overlapLeaf: string | null = null;
  for (let level = 0; level < 10; level++) {
    leaf = addRole(`chain_${level}`, leaf);
    for (const p of chainPerms.slice(level * 50, level * 50 + 50)) grants.push({ roleId: leaf, permissionId: p.id });
    overlapLeaf = addRole(`overlap_${level}`, overlapLeaf);
    for (const p of overlapPerms) grants.push({ roleId: overlapLeaf, permissionId: p.id });
  }

  const basePerms = perms("base", 50);
  const siblingPerms = perms("sibling", 500);
  const base = addRole("sibling_base", null);
  for (const p of basePerms) grants.push({ roleId: base, permissionId: p.id });
  const siblings = Array.from({ length: 100 }, (_, i) => {
    const id = addRole(`sibling_${i}`, base);
    for (const p of siblingPerms.slice(i * 5, i * 5 + 5)) grants.push({ roleId: id, permissionId: p.id });
    return id;
  });

  await db.permission.createMany({ data: [...chainPerms, ...overlapPerms, ...basePerms, ...siblingPerms] });
  await db.role.createMany({ data: roleRows });
  await db.rolePermission.createMany({ data: grants });

  return [
    { key: "baseline: findMany 500 permissions", expect: 500, run: async () => (await db.permission.findMany({ where: { name: { startsWith: "chain:" } } })).length },
    { key: "chain-leaf (10 deep, 500 perms)", expect: 500, run: async () => (await effectivePermissionsOfRoles(db, [leaf!])).length },
    { key: "chain-overlap (10 deep, 5000 grants)", expect: 500, run: async () => (await effectivePermissionsOfRoles(db, [overlapLeaf!])).length },
    { key: "siblings-union (100 roles)", expect: 550, run: async () => (await effectivePermissionsOfRoles(db, siblings)).length },
    {
      key: "siblings-each (100 roles, per role)", expect: 100 * 55,
      run: async () => [...(await effectivePermissionsByRole(db, siblings)).values()].reduce((n, ps) => n + ps.length, 0),
    },
  ];
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function measure(label: string, database: Database): Promise<string[]> {
  const scenarios = await seed(database.prisma);
  const lines: string[] = [];
  for (const sc of scenarios) {
    const got = await sc.run();
    if (got !== sc.expect) throw new Error(`${label} ${sc.key}: expected ${sc.expect} permissions, got ${got}`);
    for (let i = 0; i < WARMUP; i++) await sc.run();
    const times: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < CALLS; i++) {
      const start = performance.now();
      await sc.run();
      times.push(performance.now() - start);
    }
    const wall = performance.now() - t0;
    times.sort((a, b) => a - b);
    const ms = (x: number) => x.toFixed(2).padStart(7);
    lines.push(`| ${label.padEnd(10)} | ${sc.key.padEnd(36)} | ${String(sc.expect).padStart(5)} | ${ms(quantile(times, 0.5))} | ${ms(quantile(times, 0.99))} | ${ms(wall / CALLS)} | ${String(CALLS).padStart(5)} |`);
    console.error(lines[lines.length - 1]);
  }
  return lines;
}

async function onPglite(migrationsDir: string): Promise<string[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sk-bench-rbac-"));
  const database = await openDatabase({ url: "memory", dataDir, migrationsDir });
  try {
    return await measure("PGlite", database);
  } finally {
    await database.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function onPostgres(migrationsDir: string): Promise<string[]> {
  const name = `sk_bench_rbac_${Date.now()}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  try {
    const database = await openDatabase({ url: url.toString(), dataDir: os.tmpdir(), migrationsDir });
    try {
      return await measure("PostgreSQL", database);
    } finally {
      await database.close();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {});
    await admin.end();
  }
}

async function main() {
  const { migrationsDir } = loadConfig({});
  const lines = [
    `effective permissions, ${CALLS} sequential calls after ${WARMUP} warm-up calls (milliseconds)`,
    "| database   | scenario                             | perms |     p50 |     p99 |    mean | calls |",
    "|------------|--------------------------------------|-------|---------|---------|---------|-------|",
  ];
  console.error(lines.join("\n"));
  if (WHICH === "both" || WHICH === "pglite") lines.push(...await onPglite(migrationsDir));
  if (WHICH === "both" || WHICH === "postgresql") lines.push(...await onPostgres(migrationsDir));
  console.log(`\n${lines.join("\n")}\nnode ${process.version}, ${os.cpus()[0]?.model ?? "cpu"} ×${os.cpus().length}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
