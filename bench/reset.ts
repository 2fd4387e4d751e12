// `npx tsx bench/reset.ts`: how long resetEnvironment (POST /local/v1/reset) takes on a database holding 1,000
// organizations, each with a user, a membership, a domain and an event, on PGlite and on PostgreSQL. The server is
// built with buildApp (the same as `npm start`), so the fresh-environment seed steps run as they do for real.
// Baseline, measured in the same run: an empty transaction (BEGIN; SELECT 1; COMMIT) through the same client.
//
// Environment: BENCH_RESET_ORGS (1000), BENCH_RESET_ROUNDS (5), BENCH_PG_URL (a fresh database is created on that
// server and dropped at the end), BENCH_RESET_DB=both|pglite|postgresql.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { buildApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { newId } from "../src/protocol/ids.js";
import { resetEnvironment } from "../src/local/reset.js";

const ORGS = Number(process.env.BENCH_RESET_ORGS ?? 1000);
const ROUNDS = Number(process.env.BENCH_RESET_ROUNDS ?? 5);
const PG_URL = process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const WHICH = process.env.BENCH_RESET_DB ?? "both";

async function fill(db: any): Promise<void> {
  const orgs = Array.from({ length: ORGS }, (_, i) => ({ id: newId("org"), displayName: `Org ${i}` }));
  await db.organization.createMany({ data: orgs });
  const users = orgs.map((_, i) => ({ id: newId("usr"), profileId: newId("usp"), email: `u${i}@bench.test`, emailKey: `u${i}@bench.test` }));
  await db.user.createMany({ data: users });
  await db.membership.createMany({ data: orgs.map((o, i) => ({ organizationId: o.id, userId: users[i].id, status: 1, provisioningMethod: "direct" })) });
  await db.domain.createMany({ data: orgs.map((o, i) => ({ id: newId("dom"), organizationId: o.id, domain: `d${i}.bench.test`, domainType: 1, verificationStatus: 1, verificationMethod: 1 })) });
  await db.event.createMany({ data: orgs.map((o) => ({ id: newId("evt"), type: "organization.created", organizationId: o.id, payload: {} })) });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function run(kind: "pglite" | "postgresql") {
  let url: string | undefined = "memory", drop = async () => {};
  if (kind === "postgresql") {
    const name = `bench_reset_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const u = new URL(PG_URL);
    u.pathname = `/${name}`;
    url = u.toString();
    drop = async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-reset-"));
  const config = loadConfig({ DATABASE_URL: url, DATA_DIR: dataDir, LOG_LEVEL: "silent", WEBHOOK_WORKER: "off", PORT: "0" });
  const built = await buildApp(config);
  const db = built.deps.db;
  try {
    const resets: number[] = [], baselines: number[] = [];
    for (let r = 0; r < ROUNDS + 1; r++) {
      await fill(db);
      const orgCount = await db.organization.count();
      if (orgCount < ORGS) throw new Error(`only ${orgCount} organizations were created`);
      let t = performance.now();
      await db.$transaction(async (tx) => { await tx.$queryRawUnsafe("SELECT 1"); });
      const base = performance.now() - t;
      t = performance.now();
      await resetEnvironment(built.deps);
      const took = performance.now() - t;
      if ((await db.organization.count()) >= orgCount) throw new Error("reset left the organizations");
      if (r > 0) { resets.push(took); baselines.push(base); } // round 0 warms up
    }
    const m = median(resets), b = median(baselines);
    console.log(`${kind.padEnd(10)} reset of ${ORGS} organizations: median ${m.toFixed(1)} ms (min ${Math.min(...resets).toFixed(1)}, max ${Math.max(...resets).toFixed(1)}, ${ROUNDS} rounds); empty transaction ${b.toFixed(2)} ms; ratio ${(m / b).toFixed(1)}x`);
  } finally {
    await built.app.close();
    await drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

for (const kind of ["pglite", "postgresql"] as const) if (WHICH === "both" || WHICH === kind) await run(kind);
