// What the parts of a request cost on this machine, measured in-process with the server's own modules (no HTTP):
// the database call the baseline makes vs the one Prisma makes, token verification and signing, protobuf
// mapping. Each part runs one at a time (c1) and/or BENCH_CONNECTIONS (16) in flight, for BENCH_SECONDS (default 2),
// and reports ops/s and CPU µs/op (this process, libuv thread pool included; PostgreSQL's backends separately).
// c1 vs c16 matters for Prisma: findUnique calls issued in the same tick are batched into one query, which
// hides its per-query cost in a tight loop but rarely happens in a server, where requests arrive spread out.
// Loopback PostgreSQL only; creates and drops its own database.
//   npx tsx bench/breakdown.ts
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { SignJWT, type JWK } from "jose";
import { create, toJson } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { openDatabase } from "../src/db/client.js";
import { loadConfig } from "../src/config.js";
import { KeyStore } from "../src/auth/keys.js";
import { Authenticator } from "../src/auth/authenticator.js";
import { hashSecret } from "../src/auth/secrets.js";
import { ensureEnvironmentClient } from "../src/auth/environment-client.js";
import { loadServerSettings } from "../src/auth/settings.js";
import { newId } from "../src/protocol/ids.js";
import { organizations } from "../src/protocol/descriptors.js";
import { postgresBackendsUs, postgresDeltaUs } from "./proc-cpu.js";

const SECONDS = Number(process.env.BENCH_SECONDS) || 2;
const CONCURRENCY = Number(process.env.BENCH_CONNECTIONS) || 16;
const PG_URL = process.env.BENCH_PG_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
if (!["127.0.0.1", "localhost", "[::1]"].includes(new URL(PG_URL).hostname)) throw new Error("BENCH_PG_URL must be on loopback");
const SQL = "SELECT id, display_name, external_id, metadata, region_code, features, create_time, update_time FROM organizations WHERE id = $1";

const guard = setTimeout(() => { console.error("breakdown: timed out"); process.exit(2); }, 300_000);
guard.unref();

async function admin(q: string) {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try { await c.query(q); } finally { await c.end(); }
}

interface Line { name: string; opsPerS: number; cpuUs: number; pgUs: number | undefined }

async function part(name: string, dbName: string, fn: () => unknown, concurrency = CONCURRENCY): Promise<Line> {
  const loop = async (ms: number) => {
    let n = 0;
    const end = performance.now() + ms;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) { await fn(); n++; }
    }));
    return n;
  };
  await loop(500); // warm-up: JIT, pool connections, caches
  const pg0 = postgresBackendsUs(dbName), c0 = process.cpuUsage(), t0 = performance.now();
  const n = await loop(SECONDS * 1000);
  const c1 = process.cpuUsage(), t1 = performance.now(), pg1 = postgresBackendsUs(dbName);
  const pgDelta = postgresDeltaUs(pg0, pg1);
  const line = {
    name, opsPerS: n / ((t1 - t0) / 1000),
    cpuUs: (c1.user + c1.system - c0.user - c0.system) / n,
    pgUs: pgDelta === undefined ? undefined : pgDelta / n,
  };
  console.log(`${name.padEnd(78)} ${line.opsPerS.toFixed(0).padStart(8)} ops/s ${line.cpuUs.toFixed(1).padStart(9)} µs CPU/op${line.pgUs === undefined ? "" : ` ${line.pgUs.toFixed(1).padStart(8)} µs PostgreSQL/op`}`);
  return line;
}

async function main() {
  const dbName = `bench_breakdown_${Date.now()}`;
  await admin(`CREATE DATABASE "${dbName}"`);
  const u = new URL(PG_URL);
  u.pathname = `/${dbName}`;
  const url = u.toString();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sk-breakdown-"));
  const pool = new pg.Pool({ connectionString: url, max: 20 });
  let database: Awaited<ReturnType<typeof openDatabase>> | undefined;
  try {
    database = await openDatabase({ url, dataDir, migrationsDir: loadConfig({}).migrationsDir });
    const db = database.prisma;
    const settings = await loadServerSettings(db, undefined);
    const secret = "bench_secret_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH";
    await ensureEnvironmentClient(db, settings.secretHashKey, { clientId: "skc_900000000000000001", clientSecret: secret, dataDir, persistGenerated: false });
    const keys = new KeyStore(db);
    await keys.init();
    const auth = new Authenticator(keys);
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) ids.push(newId("org"));
    await db.organization.createMany({ data: ids.map((id, i) => ({ id, displayName: `Bench Organization ${i}`, externalId: `bench_${i}`, metadata: { tier: "gold", index: String(i) } })) });
    const id = ids[100];
    const { kid, privateKey } = keys.signingKey();
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ client_id: "skc_900000000000000001", scopes: [], jti: "tkn_x" })
      .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" }).setIssuer("http://127.0.0.1").setSubject("skc_900000000000000001")
      .setIssuedAt(now).setNotBefore(now).setExpirationTime(now + 86399).sign(privateKey);
    const header = `Bearer ${token}`;
    const privateJwk = (await db.signingKey.findUniqueOrThrow({ where: { kid } })).privateJwk as JWK;
    const nodePrivate: KeyObject = createPrivateKey({ key: privateJwk as any, format: "jwk" });
    const nodePublic: KeyObject = createPublicKey(nodePrivate);
    const [h64, p64, s64] = token.split(".");
    const signingInput = Buffer.from(`${h64}.${p64}`);
    const signature = Buffer.from(s64, "base64url");
    const row = await db.organization.findUniqueOrThrow({ where: { id } });
    const hash = hashSecret(settings.secretHashKey, secret);
    const verified = new Map<string, { exp: number }>([[token, { exp: now + 86399 }]]);

    console.log(`breakdown: ${os.cpus()[0]?.model}, ${os.cpus().length} cores, node ${process.version}, PostgreSQL ${dbName}, ${SECONDS} s each`);
    console.log(`c1 = one call at a time, c${CONCURRENCY} = ${CONCURRENCY} in flight (like the HTTP scenarios)\n`);
    const both = async (name: string, fn: () => unknown) => { await part(`${name}  c1`, dbName, fn, 1); await part(`${name}  c${CONCURRENCY}`, dbName, fn); };
    const verify = () => auth.verifyAuthorization(header);
    const syncVerify = () => nodeVerify("RSA-SHA256", signingInput, nodePublic, signature);
    const find = () => db.organization.findUnique({ where: { id } });

    console.log("-- database call of GET /organizations/{id}");
    await both("pg Pool.query(SELECT … WHERE id = $1)  [the baseline's call]", () => pool.query(SQL, [id]));
    await both("prisma.organization.findUnique({ where: { id } })  [the app's call]", find);
    await both("prisma.organization.findFirst (same query, never batched)", () => db.organization.findFirst({ where: { id } }));
    await both("prisma.$queryRawUnsafe(same SQL, id)", () => db.$queryRawUnsafe(SQL, id));
    console.log("-- what a REST/gRPC GET awaits in a row: verification, then the query");
    await both("verifyAuthorization (jose, WebCrypto) then prisma findUnique", async () => { await verify(); await find(); });
    await both("node:crypto verify (sync) then prisma findUnique", async () => { syncVerify(); await find(); });
    await both("verifyAuthorization (jose, WebCrypto) then pg Pool.query", async () => { await verify(); await pool.query(SQL, [id]); });
    console.log("-- database calls of GET /organizations?page_size=100");
    await part("prisma count() + findMany({ take: 101, orderBy: id })", dbName, async () => {
      await db.organization.count({ where: {} });
      await db.organization.findMany({ where: { AND: [{}, { id: {} }] }, orderBy: { id: "asc" }, take: 101 });
    });
    await part("pg count(*) + SELECT * … ORDER BY id LIMIT 101", dbName, async () => {
      await pool.query("SELECT count(*) FROM organizations");
      await pool.query("SELECT * FROM organizations ORDER BY id LIMIT 101");
    });
    console.log("-- database call of POST /oauth/token");
    await both("prisma.clientSecret.findUnique({ where: { hash }, include: { client } })", () => db.clientSecret.findUnique({ where: { hash }, include: { client: true } }));
    await both("pg: the same lookup as one JOIN", () => pool.query(
      "SELECT s.client_id, c.* FROM client_secrets s JOIN api_clients c ON c.id = s.client_id WHERE s.hash = $1", [hash]));
    console.log("-- authentication of every REST/gRPC call");
    await part("Authenticator.verifyAuthorization (jose jwtVerify, WebCrypto RS256)", dbName, verify);
    await part("node:crypto verify RS256 (synchronous, same key)", dbName, syncVerify);
    await part("verified-token cache hit (Map lookup + exp check)", dbName, () => { const v = verified.get(token); if (!v || v.exp <= Date.now() / 1000) throw new Error("miss"); });
    console.log("-- signing in POST /oauth/token");
    await part("jose SignJWT(...).sign (WebCrypto RS256, 2048-bit)", dbName, () =>
      new SignJWT({ client_id: "skc_900000000000000001", scopes: [], jti: "tkn_x" }).setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
        .setIssuer("http://127.0.0.1").setSubject("skc_900000000000000001").setIssuedAt(now).setNotBefore(now).setExpirationTime(now + 86399).sign(privateKey));
    await part("node:crypto sign RS256 (synchronous, same key)", dbName, () => nodeSign("RSA-SHA256", signingInput, nodePrivate));
    console.log("-- response mapping");
    const message = () => create(organizations.OrganizationSchema, {
      id: row.id, displayName: row.displayName, regionCode: row.regionCode, externalId: row.externalId ?? undefined,
      metadata: row.metadata as Record<string, string>, settings: { features: [] },
      createTime: timestampFromDate(row.createTime), updateTime: timestampFromDate(row.updateTime),
    });
    await part("protobuf create(Organization) + toJson (one organization)", dbName, () =>
      toJson(organizations.OrganizationSchema, message(), { useProtoFieldName: true, alwaysEmitImplicit: true }), 1);
    await part("JSON.stringify of the same organization as a plain object", dbName, () => JSON.stringify({ organization: row }), 1);
  } finally {
    await pool.end();
    await database?.close();
    await admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch((e) => console.error(`could not drop ${dbName}: ${e.message}`));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
