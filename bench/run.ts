// `npm run bench`: the server's hot paths against a bare Fastify + pg baseline, on loopback, bounded in time.
//
// 1. Creates a fresh PostgreSQL database (BENCH_PG_URL's server, default the local one) and drops it at the end.
// 2. Starts the server under test (bench/server-under-test.ts, the real buildApp) and the baseline
//    (bench/baseline.ts) as child processes, so their CPU time is measured apart from the load generator's.
// 3. Seeds organizations through REST, then runs each scenario for BENCH_SECONDS after a warm-up: HTTP with
//    autocannon, gRPC with the real SDK (or connect-node) in a closed loop of concurrent calls.
// 4. Prints req/s, p50/p99 latency, the ratio to the baseline and CPU time per call (server, load generator,
//    PostgreSQL backends) plus the load of anything else on the machine, checks the targets and writes
//    bench/RESULTS.md. bench/breakdown.ts and bench/profile-summary.ts help to find where the time goes.
//
// Environment: BENCH_SECONDS (10), BENCH_WARMUP (2), BENCH_CONNECTIONS (16), BENCH_ORGS (200),
// BENCH_DB=postgresql|pglite, BENCH_PG_URL, BENCH_GRPC_CLIENT=sdk|connect, BENCH_ONLY=key,key (subset, or the
// diagnostics baseline-healthz / app-healthz; no
// RESULTS.md), BENCH_PROFILE=1|dir (V8 CPU profile of the server per scenario; no RESULTS.md),
// BENCH_QUIET_PCT (15) / BENCH_QUIET_WAIT (30 s): before each scenario wait, bounded, for the machine's load to drop
// below that share of all cores, BENCH_TIMEOUT (overall seconds), BENCH_WRITE_RESULTS=0.
import { fork, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import pg from "pg";
import autocannon from "autocannon";
import { ScalekitClient } from "@scalekit-sdk/node";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { organizations } from "../src/protocol/descriptors.js";
import { applyMigrations } from "../src/db/migrate.js";
import { loadConfig } from "../src/config.js";
import type { CpuReply, ReadyMessage } from "./child-ipc.js";
import { machineBusyUs, postgresBackendsUs, postgresDeltaUs } from "./proc-cpu.js";

const BENCH_DIR = import.meta.dirname;
const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------------------------- settings

function intEnv(name: string, def: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  return n;
}

const DEFAULT_KEYS = ["baseline", "rest-get", "rest-list", "token", "grpc-get", "rest-get-paced"] as const;
/** diagnostics, only with BENCH_ONLY: the framework floor of each process (no auth, no database) */
const EXTRA_KEYS = ["baseline-healthz", "app-healthz"] as const;
const SCENARIO_KEYS = [...DEFAULT_KEYS, ...EXTRA_KEYS] as const;
type ScenarioKey = (typeof SCENARIO_KEYS)[number];

const SECONDS = intEnv("BENCH_SECONDS", 10, 1, 600);
const WARMUP = intEnv("BENCH_WARMUP", 2, 0, 60);
const CONNECTIONS = intEnv("BENCH_CONNECTIONS", 16, 1, 256);
const ORGS = intEnv("BENCH_ORGS", 200, 100, 10_000);
const DB_KIND = process.env.BENCH_DB || "postgresql";
if (DB_KIND !== "postgresql" && DB_KIND !== "pglite") throw new Error(`BENCH_DB must be postgresql or pglite, got "${DB_KIND}"`);
const PG_URL = process.env.BENCH_PG_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
const GRPC_CLIENT = process.env.BENCH_GRPC_CLIENT || "sdk";
if (GRPC_CLIENT !== "sdk" && GRPC_CLIENT !== "connect") throw new Error(`BENCH_GRPC_CLIENT must be sdk or connect, got "${GRPC_CLIENT}"`);
const ONLY = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(",").map((s) => s.trim()).filter(Boolean) : undefined;
for (const k of ONLY ?? []) if (!(SCENARIO_KEYS as readonly string[]).includes(k)) throw new Error(`BENCH_ONLY: unknown scenario "${k}" (${SCENARIO_KEYS.join(", ")})`);
const PROFILE_DIR = process.env.BENCH_PROFILE
  ? path.resolve(process.env.BENCH_PROFILE === "1" ? path.join(BENCH_DIR, "profiles") : process.env.BENCH_PROFILE)
  : undefined;
const SELECTED: readonly ScenarioKey[] = ONLY ? SCENARIO_KEYS.filter((k) => ONLY.includes(k)) : DEFAULT_KEYS;
const WRITE_RESULTS = process.env.BENCH_WRITE_RESULTS !== "0" && !ONLY && !PROFILE_DIR;
/** before each scenario, wait up to QUIET_WAIT_S for the machine's load (nothing of ours runs then) to drop below QUIET_PCT */
const QUIET_PCT = intEnv("BENCH_QUIET_PCT", 15, 1, 100);
const QUIET_WAIT_S = intEnv("BENCH_QUIET_WAIT", 30, 0, 600);
const TIMEOUT_S = intEnv("BENCH_TIMEOUT", SELECTED.length * (SECONDS + WARMUP + QUIET_WAIT_S + 15) + 240, 30, 7200);

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);
{
  const host = new URL(PG_URL).hostname;
  if (!LOOPBACK.has(host)) throw new Error(`BENCH_PG_URL must point at loopback (127.0.0.1/localhost/::1), got host "${host}"`);
}

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

// ----------------------------------------------------------------------------------------------- cleanup

const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await Promise.race([fn(), new Promise((r) => setTimeout(r, 15_000).unref())]);
      } catch (e) {
        log(`cleanup step failed: ${(e as Error).message}`);
      }
    }
  })();
  return cleaning;
}

for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(sig, () => {
    log(`${sig}: stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}
const overall = setTimeout(() => {
  log(`overall timeout of ${TIMEOUT_S} s reached: stopping`);
  void cleanup().finally(() => process.exit(2));
}, TIMEOUT_S * 1000);
overall.unref();

// ---------------------------------------------------------------------------------------- child processes

const TSX_IMPORT = (() => { try { return import.meta.resolve("tsx"); } catch { return "tsx"; } })();

class BenchChild {
  readonly proc: ChildProcess;
  readonly ready: Promise<ReadyMessage>;
  readonly exited: Promise<number | null>;
  private seq = 0;
  private pending = new Map<number, { resolve: (r: CpuReply) => void; reject: (e: Error) => void }>();
  private exitCode: number | null | undefined;

  constructor(readonly name: string, script: string, env: Record<string, string>) {
    this.proc = fork(path.join(BENCH_DIR, script), [], {
      execArgv: ["--import", TSX_IMPORT],
      env: { ...process.env, ...env },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.exited = new Promise((resolve) => this.proc.once("exit", (code, signal) => {
      this.exitCode = code ?? (signal ? -1 : null);
      for (const p of this.pending.values()) p.reject(new Error(`${name} exited (${signal ?? code})`));
      this.pending.clear();
      resolve(code);
    }));
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} not ready after 120 s`)), 120_000);
      timer.unref();
      this.proc.on("message", (m: any) => {
        if (m?.type === "ready") { clearTimeout(timer); resolve(m as ReadyMessage); }
        else if (m?.type === "reply" || m?.type === "error") {
          const p = this.pending.get(m.seq);
          this.pending.delete(m.seq);
          if (m.type === "reply") p?.resolve(m as CpuReply);
          else p?.reject(new Error(`${name}: ${m.message}`));
        }
      });
      void this.exited.then((code) => { clearTimeout(timer); reject(new Error(`${name} exited with ${code} before it was ready`)); });
    });
    this.ready.catch(() => {}); // observed by the caller; avoid an unhandled rejection if it exits later
  }

  request(type: "cpu" | "profile-start" | "profile-stop", extra: object = {}): Promise<CpuReply> {
    if (this.exitCode !== undefined) return Promise.reject(new Error(`${this.name} is not running`));
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.pending.delete(seq); reject(new Error(`${this.name}: no answer to ${type}`)); }, 30_000);
      this.pending.set(seq, {
        resolve: (r) => { clearTimeout(timer); resolve(r); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.proc.send({ type, seq, ...extra });
    });
  }

  /** Asks the child to close gracefully, then SIGKILLs it after 8 s. */
  async stop(): Promise<void> {
    if (this.exitCode !== undefined) return;
    try { this.proc.send({ type: "stop", seq: ++this.seq }); } catch { /* channel gone */ }
    const killer = setTimeout(() => this.proc.kill("SIGKILL"), 8_000);
    await this.exited;
    clearTimeout(killer);
  }
}

async function startChild(name: string, script: string, env: Record<string, string>): Promise<{ child: BenchChild; ready: ReadyMessage }> {
  const child = new BenchChild(name, script, env);
  cleanups.push(() => child.stop());
  const ready = await child.ready;
  if (!LOOPBACK.has(new URL(ready.url).hostname)) throw new Error(`${name} is not on loopback: ${ready.url}`);
  return { child, ready };
}

// -------------------------------------------------------------------------------------------- measurement

/** Busy CPU of the machine over `ms`, as % of all cores: a quiet machine is a precondition for useful figures. */
async function machineLoad(ms: number): Promise<number | undefined> {
  const a = machineBusyUs(), t = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const b = machineBusyUs();
  return a === undefined || b === undefined ? undefined : (100 * (b - a)) / ((performance.now() - t) * 1000 * os.cpus().length);
}

interface CpuMark { server: CpuReply; client: NodeJS.CpuUsage; postgres: Map<number, number> | undefined; machine: number | undefined; at: number }

let benchDatabaseName = "";

async function mark(target: BenchChild, profile?: "start" | { file: string }): Promise<CpuMark> {
  const server = profile === "start" ? await target.request("profile-start")
    : profile ? await target.request("profile-stop", { file: profile.file })
    : await target.request("cpu");
  return { server, client: process.cpuUsage(), postgres: postgresBackendsUs(benchDatabaseName), machine: machineBusyUs(), at: performance.now() };
}

interface LoadResult {
  latencies: number[];
  ok: number;
  failed: number;
  firstFailure?: string;
  elapsedS: number;
}

interface HttpRequest { url: string; method?: string; headers?: Record<string, string>; body?: string }

/**
 * Open-loop HTTP/1.1 load: requests start evenly spaced at `rate` per second over up to CONNECTIONS keep-alive
 * connections. (autocannon's own rate limit sends each connection's quota in a burst at the start of every
 * second, which batches work on the server and makes its CPU per call look better than at a steady rate.)
 */
async function runPaced(req: HttpRequest, seconds: number, rate: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies: number[] = [];
  let failed = 0, sent = 0, done = 0;
  let firstFailure: string | undefined;
  const u = new URL(req.url);
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await new Promise<void>((resolve) => {
    const finish = () => { if (++done === sent && performance.now() >= end) resolve(); };
    const one = () => {
      const s = performance.now();
      const r = http.request({
        host: u.hostname, port: u.port, path: u.pathname + u.search, method: req.method ?? "GET", agent,
        headers: { ...req.headers, ...(req.body ? { "content-length": Buffer.byteLength(req.body) } : {}) }, timeout: 10_000,
      }, (res) => {
        res.resume();
        res.on("end", () => {
          if (res.statusCode! >= 200 && res.statusCode! < 300) latencies.push(performance.now() - s);
          else { failed++; firstFailure ??= `HTTP ${res.statusCode}`; }
          finish();
        });
      });
      r.on("error", (e) => { failed++; firstFailure ??= e.message; finish(); });
      r.on("timeout", () => r.destroy(new Error("timeout")));
      r.end(req.body);
    };
    const tick = () => {
      const now = performance.now();
      const due = Math.floor(((Math.min(now, end) - t0) / 1000) * rate);
      while (sent < due) { sent++; one(); }
      // sleep until the next request is due (timers have ~1 ms resolution)
      if (now < end) setTimeout(tick, Math.max(1, t0 + ((sent + 1) * 1000) / rate - performance.now()));
      else if (done === sent) resolve();
    };
    tick();
  });
  agent.destroy();
  return { latencies, ok: latencies.length, failed, firstFailure, elapsedS: (performance.now() - t0) / 1000 };
}

/** Closed-loop HTTP/1.1 load with CONNECTIONS keep-alive connections. */
function runAutocannon(req: HttpRequest, seconds: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    let failed = 0;
    let firstFailure: string | undefined;
    const t0 = performance.now();
    const inst = autocannon({
      url: req.url, method: req.method ?? "GET", headers: req.headers, body: req.body,
      connections: CONNECTIONS, duration: seconds, timeout: 10,
    }, (err, result) => {
      clearTimeout(guard);
      if (err) return reject(err);
      const elapsedS = (performance.now() - t0) / 1000;
      if (result.errors && !firstFailure) firstFailure = `${result.errors} connection errors (${result.timeouts} timeouts)`;
      resolve({ latencies, ok: latencies.length, failed: failed + result.errors, firstFailure, elapsedS });
    });
    inst.on("response", (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) latencies.push(ms);
      else { failed++; firstFailure ??= `HTTP ${status}`; }
    });
    const guard = setTimeout(() => inst.stop(), (seconds + 30) * 1000);
  });
}

async function closedLoop(call: () => Promise<unknown>, seconds: number, concurrency: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let failed = 0;
  let firstFailure: string | undefined;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      const s = performance.now();
      try {
        await call();
        latencies.push(performance.now() - s);
      } catch (e) {
        failed++;
        firstFailure ??= String((e as Error)?.message ?? e);
      }
    }
  }));
  return { latencies, ok: latencies.length, failed, firstFailure, elapsedS: (performance.now() - t0) / 1000 };
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

interface Row {
  key: ScenarioKey;
  label: string;
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  failed: number;
  firstFailure?: string;
  serverCpuUs: number;
  clientCpuUs: number;
  postgresCpuUs: number | undefined;
  /** busy CPU of everything else on the machine during the window, % of all cores (should be ~0) */
  backgroundPct: number | undefined;
}

interface Scenario {
  key: ScenarioKey;
  label: string;
  target: BenchChild;
  /** one request to prove the scenario is answered correctly before load is put on it */
  check: () => Promise<void>;
  load: (seconds: number) => Promise<LoadResult>;
}

/** Waits (bounded) for other processes on the machine to calm down; our own children are idle meanwhile. */
async function waitForQuiet(key: string): Promise<void> {
  if (QUIET_WAIT_S === 0) return;
  const until = performance.now() + QUIET_WAIT_S * 1000;
  let load = await machineLoad(1000);
  if (load === undefined || load < QUIET_PCT) return;
  log(`${key}: machine load ${load.toFixed(0)}% (something else is running); waiting up to ${QUIET_WAIT_S} s for < ${QUIET_PCT}%`);
  while (load !== undefined && load >= QUIET_PCT && performance.now() < until) load = await machineLoad(1000);
  log(`${key}: ${load !== undefined && load < QUIET_PCT ? `quiet now (${load.toFixed(0)}%)` : `still ${load?.toFixed(0)}%, measuring anyway`}`);
}

async function measure(s: Scenario): Promise<Row> {
  log(`${s.key}: checking`);
  await s.check();
  await waitForQuiet(s.key);
  if (WARMUP > 0) {
    log(`${s.key}: warm-up ${WARMUP} s`);
    await s.load(WARMUP);
  }
  log(`${s.key}: measuring ${SECONDS} s`);
  const profileFile = PROFILE_DIR ? path.join(PROFILE_DIR, `${s.key}.cpuprofile`) : undefined;
  const before = await mark(s.target, profileFile ? "start" : undefined);
  const r = await s.load(SECONDS);
  const after = await mark(s.target, profileFile ? { file: profileFile } : undefined);
  if (profileFile) log(`${s.key}: profile written to ${path.relative(process.cwd(), profileFile)}`);
  const calls = Math.max(1, r.ok + r.failed);
  const serverUs = (after.server.user + after.server.system) - (before.server.user + before.server.system);
  const clientUs = (after.client.user + after.client.system) - (before.client.user + before.client.system);
  const postgresUs = postgresDeltaUs(before.postgres, after.postgres);
  const machineUs = after.machine !== undefined && before.machine !== undefined ? after.machine - before.machine : undefined;
  const windowUs = (after.at - before.at) * 1000;
  const sorted = r.latencies.slice().sort((a, b) => a - b);
  const row: Row = {
    key: s.key, label: s.label,
    rps: r.ok / r.elapsedS,
    p50: percentile(sorted, 50), p99: percentile(sorted, 99),
    ok: r.ok, failed: r.failed, firstFailure: r.firstFailure,
    serverCpuUs: serverUs / calls,
    clientCpuUs: clientUs / calls,
    // with the embedded PGlite the server's database work is inside its own CPU figure
    postgresCpuUs: postgresUs === undefined || (DB_KIND === "pglite" && s.key !== "baseline") ? undefined : postgresUs / calls,
    backgroundPct: machineUs === undefined
      ? undefined
      : (100 * Math.max(0, machineUs - serverUs - clientUs - (postgresUs ?? 0))) / (windowUs * os.cpus().length),
  };
  log(`${s.key}: ${row.rps.toFixed(0)} req/s, p50 ${row.p50.toFixed(2)} ms, p99 ${row.p99.toFixed(2)} ms, server ${row.serverCpuUs.toFixed(0)} µs/call${r.failed ? `, ${r.failed} FAILED (${r.firstFailure})` : ""}`);
  return row;
}

// ------------------------------------------------------------------------------------------------ database

async function withPg<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await c.connect();
  try { return await fn(c); } finally { await c.end(); }
}

async function createBenchDatabase(): Promise<{ url: string; name: string; version: string }> {
  const name = `bench_${Date.now()}`;
  benchDatabaseName = name;
  const version = await withPg(PG_URL, async (c) => {
    await c.query(`CREATE DATABASE "${name}"`);
    return (await c.query("SHOW server_version")).rows[0].server_version as string;
  });
  cleanups.push(async () => {
    await withPg(PG_URL, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    log(`dropped database ${name}`);
  });
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  log(`created database ${name} (PostgreSQL ${version})`);
  return { url: u.toString(), name, version };
}

// -------------------------------------------------------------------------------------------------- output

const fmt = (n: number | undefined, digits = 0) =>
  n === undefined || !Number.isFinite(n) ? "—" : n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

function table(rows: Row[]): string {
  const base = rows.find((r) => r.key === "baseline");
  const head = ["scenario", "req/s", "p50 ms", "p99 ms", "× baseline", "server CPU µs/call", "client CPU µs/call", "PostgreSQL CPU µs/call", "other load"];
  const lines = rows.map((r) => [
    r.label, fmt(r.rps), fmt(r.p50, 2), fmt(r.p99, 2),
    base ? `${(r.rps / base.rps).toFixed(2)}×` : "—",
    fmt(r.serverCpuUs), fmt(r.clientCpuUs), fmt(r.postgresCpuUs), r.backgroundPct === undefined ? "—" : `${fmt(r.backgroundPct)}%`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [row(head), rule, ...lines.map(row)].join("\n");
}

interface Check { name: string; value: string; pass: boolean | undefined }

function targets(rows: Row[]): Check[] {
  const by = (k: ScenarioKey) => rows.find((r) => r.key === k && r.failed === 0 && r.ok > 0);
  const base = by("baseline"), get = by("rest-get"), token = by("token"), grpc = by("grpc-get"), paced = by("rest-get-paced");
  const ratio = (r: Row | undefined, b: Row | undefined) => (r && b ? r.rps / b.rps : undefined);
  const g = ratio(get, base), t = ratio(token, base);
  // judged against REST GET at the same request rate when that was measured (see rest-get-paced)
  const ref = paced ?? get;
  const c = grpc && ref ? grpc.serverCpuUs / ref.serverCpuUs : undefined;
  const full = grpc && get && paced ? `; against REST GET at full load: ${(grpc.serverCpuUs / get.serverCpuUs).toFixed(2)}× (${fmt(get.serverCpuUs)} µs)` : "";
  return [
    { name: "REST GET org ≥ 0.6× baseline req/s", value: g === undefined ? "n/a" : `${g.toFixed(2)}×`, pass: g === undefined ? undefined : g >= 0.6 },
    { name: "POST /oauth/token ≥ 0.5× baseline req/s", value: t === undefined ? "n/a" : `${t.toFixed(2)}×`, pass: t === undefined ? undefined : t >= 0.5 },
    {
      name: `gRPC server CPU/call ≤ 2× REST GET's${paced ? " at the same req/s" : ""}`,
      value: c === undefined ? "n/a" : `${c.toFixed(2)}× (${fmt(grpc!.serverCpuUs)} vs ${fmt(ref!.serverCpuUs)} µs)${full}`,
      pass: c === undefined ? undefined : c <= 2,
    },
  ];
}

const verdict = (c: Check) => (c.pass === undefined ? "N/A" : c.pass ? "PASS" : "MISS");

function pkgVersion(name: string): string {
  try { return (require(`${name}/package.json`) as { version: string }).version; } catch { /* not exported */ }
  try {
    return JSON.parse(fs.readFileSync(path.join(BENCH_DIR, "..", "node_modules", name, "package.json"), "utf8")).version;
  } catch {
    return "?";
  }
}

// ---------------------------------------------------------------------------------------------------- main

async function main() {
  const started = new Date();
  const loadBefore = await machineLoad(1000);
  if (loadBefore !== undefined) log(`machine load before the run: ${loadBefore.toFixed(0)}% of ${os.cpus().length} cores${loadBefore > 10 ? " — something else is running; figures will be noisy" : ""}`);
  let dbLabel: string;
  let serverEnv: Record<string, string>;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sk-bench-"));
  cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));

  const bench = await createBenchDatabase();
  const baselineUrl = bench.url;
  if (DB_KIND === "postgresql") {
    dbLabel = `PostgreSQL ${bench.version} on ${new URL(PG_URL).host} (fresh database, dropped afterwards); the baseline uses the same database`;
    serverEnv = { BENCH_DATABASE_URL: bench.url, BENCH_DATA_DIR: dataDir };
  } else {
    dbLabel = `embedded PGlite ${pkgVersion("@electric-sql/pglite")} (in a temporary data directory, inside the server process); the baseline uses PostgreSQL ${bench.version} with the same rows`;
    serverEnv = { BENCH_DATA_DIR: dataDir, BENCH_DATABASE_URL: "" };
    await applyMigrations({ kind: "postgresql", url: bench.url }, loadConfig({}).migrationsDir);
  }

  log("starting the server under test");
  const server = await startChild("server-under-test", "server-under-test.ts", serverEnv);
  log(`server under test at ${server.ready.url} (${String(server.ready.database)}), pid ${server.ready.pid}`);
  const appUrl = server.ready.url;
  const clientId = String(server.ready.clientId);
  const clientSecret = String(server.ready.clientSecret);

  // ---- seed through the public API
  const tokenBody = new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret }).toString();
  const tokenRes = await fetch(`${appUrl}/oauth/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: tokenBody });
  if (tokenRes.status !== 200) throw new Error(`token endpoint answered ${tokenRes.status}: ${await tokenRes.text()}`);
  const accessToken = ((await tokenRes.json()) as { access_token: string }).access_token;
  const authorization = `Bearer ${accessToken}`;

  log(`seeding ${ORGS} organizations through POST /api/v1/organizations`);
  const created: any[] = new Array(ORGS);
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < ORGS) {
      const i = next++;
      const res = await fetch(`${appUrl}/api/v1/organizations`, {
        method: "POST",
        headers: { authorization, "content-type": "application/json" },
        body: JSON.stringify({ display_name: `Bench Organization ${i}`, external_id: `bench_${i}`, metadata: { tier: i % 2 ? "gold" : "silver", index: String(i) } }),
      });
      const text = await res.text();
      if (res.status !== 200 && res.status !== 201) throw new Error(`creating an organization answered ${res.status}: ${text}`);
      created[i] = JSON.parse(text).organization;
    }
  }));
  const orgId: string = created[Math.floor(ORGS / 2)].id;
  log(`seeded; GET scenarios read ${orgId}`);

  if (DB_KIND === "pglite") {
    await withPg(bench.url, async (c) => {
      for (const o of created)
        await c.query(
          "INSERT INTO organizations (id, display_name, external_id, metadata, create_time, update_time) VALUES ($1, $2, $3, $4, $5, $5)",
          [o.id, o.display_name, o.external_id ?? null, JSON.stringify(o.metadata ?? {}), o.create_time],
        );
    });
  }

  let baseline: Awaited<ReturnType<typeof startChild>> | undefined;
  if (SELECTED.includes("baseline") || SELECTED.includes("baseline-healthz")) {
    log("starting the baseline");
    baseline = await startChild("baseline", "baseline.ts", { BENCH_DATABASE_URL: baselineUrl });
  }

  // ---- gRPC client: the real SDK (what users run) or a bare connect-node client
  let grpcCall: () => Promise<unknown>;
  let grpcLabel: string;
  if (GRPC_CLIENT === "sdk") {
    const sdk = new ScalekitClient(appUrl, clientId, clientSecret, { timeoutMs: 10_000 });
    grpcCall = async () => {
      const res = await sdk.organization.getOrganization(orgId);
      if (res.organization?.id !== orgId) throw new Error("getOrganization returned another organization");
      return res;
    };
    grpcLabel = `gRPC getOrganization (@scalekit-sdk/node ${pkgVersion("@scalekit-sdk/node")})`;
  } else {
    const transport = createGrpcTransport({
      baseUrl: appUrl, defaultTimeoutMs: 10_000,
      interceptors: [(nextFn) => (req) => { req.header.set("authorization", authorization); return nextFn(req); }],
    });
    const client = createClient(organizations.OrganizationService, transport);
    grpcCall = async () => {
      const res = await client.getOrganization({ identities: { case: "id", value: orgId } });
      if (res.organization?.id !== orgId) throw new Error("getOrganization returned another organization");
      return res;
    };
    grpcLabel = "gRPC GetOrganization (connect-node client)";
  }

  const http = (req: HttpRequest, check: (body: any) => boolean, rate?: () => number) => ({
    check: async () => {
      const res = await fetch(req.url, { method: req.method ?? "GET", headers: req.headers, body: req.body });
      const text = await res.text();
      let body: unknown;
      try { body = JSON.parse(text); } catch { body = text; }
      if (res.status !== 200 || !check(body)) throw new Error(`${req.method ?? "GET"} ${req.url} answered ${res.status}: ${text.slice(0, 300)}`);
    },
    load: (seconds: number) => (rate ? runPaced(req, seconds, rate()) : runAutocannon(req, seconds)),
  });
  const restGet: HttpRequest = { url: `${appUrl}/api/v1/organizations/${orgId}`, headers: { authorization } };
  // CPU per call depends on how busy the server is (a busy event loop batches work), and the gRPC client cannot
  // load the server as hard as autocannon on this machine: so REST GET runs again at the gRPC scenario's rate.
  let grpcRate = 0;

  const all: Scenario[] = [];
  if (baseline) all.push({
    key: "baseline", label: "baseline: Fastify + pg GET /orgs/:id", target: baseline.child,
    ...http({ url: `${baseline.ready.url}/orgs/${orgId}` }, (b) => b?.organization?.id === orgId),
  }, {
    key: "baseline-healthz", label: "diagnostic: baseline GET /healthz (bare Fastify)", target: baseline.child,
    ...http({ url: `${baseline.ready.url}/healthz` }, (b) => b?.status === "ok"),
  });
  all.push(
    {
      key: "rest-get", label: "REST GET /api/v1/organizations/{id}", target: server.child,
      ...http(restGet, (b) => b?.organization?.id === orgId),
    },
    {
      key: "rest-list", label: "REST GET /api/v1/organizations?page_size=100", target: server.child,
      ...http({ url: `${appUrl}/api/v1/organizations?page_size=100`, headers: { authorization } }, (b) => b?.organizations?.length === 100),
    },
    {
      key: "token", label: "POST /oauth/token (client_credentials)", target: server.child,
      ...http({ url: `${appUrl}/oauth/token`, method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: tokenBody },
        (b) => typeof b?.access_token === "string"),
    },
    {
      key: "grpc-get", label: grpcLabel, target: server.child,
      check: async () => { await grpcCall(); },
      load: (seconds) => closedLoop(grpcCall, seconds, CONNECTIONS),
    },
    {
      key: "app-healthz", label: "diagnostic: server GET /healthz (no auth, no database)", target: server.child,
      ...http({ url: `${appUrl}/healthz` }, (b) => b?.status === "ok"),
    },
    {
      key: "rest-get-paced", label: "REST GET /api/v1/organizations/{id} at the gRPC rate", target: server.child,
      ...http(restGet, (b) => b?.organization?.id === orgId, () => grpcRate),
    },
  );
  const scenarios = all.filter((s) => SELECTED.includes(s.key));

  if (PROFILE_DIR) fs.mkdirSync(PROFILE_DIR, { recursive: true });
  const rows: Row[] = [];
  for (const s of scenarios) {
    if (s.key === "rest-get-paced") {
      const g = rows.find((r) => r.key === "grpc-get");
      if (!g || g.ok === 0) { log("rest-get-paced: skipped (needs grpc-get)"); continue; }
      grpcRate = Math.max(1, Math.round(g.rps));
      s.label = `REST GET /api/v1/organizations/{id} paced at ${grpcRate} req/s (gRPC's rate)`;
    }
    rows.push(await measure(s));
  }

  // ---- report
  const checks = targets(rows);
  const failures = rows.filter((r) => r.failed > 0);
  const cpus = os.cpus();
  const machine = `${cpus[0]?.model ?? "unknown CPU"}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}`;
  const grpcHow = GRPC_CLIENT === "sdk"
    ? `the real SDK (\`new ScalekitClient(url, id, secret).organization.getOrganization(id)\`, @scalekit-sdk/node ${pkgVersion("@scalekit-sdk/node")}) over one HTTP/2 (h2c) connection`
    : "a bare @connectrpc/connect-node gRPC client (createGrpcTransport + createClient(OrganizationService)) over one HTTP/2 (h2c) connection";

  const out: string[] = [];
  out.push(table(rows), "");
  if (failures.length) {
    for (const f of failures) out.push(`**${f.key}: ${f.failed} failed calls** (first: ${f.firstFailure}); its figures are not trustworthy.`);
    out.push("");
  }
  out.push("Targets:", "");
  for (const c of checks) out.push(`- ${verdict(c)} — ${c.name}: ${c.value}`);
  const body = out.join("\n");

  process.stdout.write(`\n${body}\n\n`);
  process.stdout.write(`gRPC load: ${grpcHow}, ${CONNECTIONS} calls in flight.\n`);
  process.stdout.write(`machine: ${machine}; node ${process.version}; database: ${dbLabel}\n`);

  if (WRITE_RESULTS) {
    const file = path.join(BENCH_DIR, "RESULTS.md");
    const KEEP = "<!-- hand-written notes below this line are kept by bench/run.ts -->";
    const previous = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    const kept = previous.includes(KEEP) ? previous.slice(previous.indexOf(KEEP) + KEEP.length).replace(/^\n+/, "") : "";
    const md = [
      "# Benchmark results",
      "",
      "Written by `npm run bench` (bench/run.ts) at the end of every full run; the figures below are the latest run's.",
      "",
      `- Date: ${started.toISOString()}`,
      `- Machine: ${machine}`,
      `- Node: ${process.version}`,
      `- Database: ${dbLabel}`,
      `- Load: autocannon ${pkgVersion("autocannon")}, ${CONNECTIONS} connections, ${SECONDS} s measured after a ${WARMUP} s warm-up per scenario, loopback only; gRPC: ${grpcHow}, ${CONNECTIONS} calls in flight in a closed loop`,
      `- Machine load in the second before the run: ${loadBefore === undefined ? "unknown" : `${loadBefore.toFixed(0)}% of all cores`} (see "other load" per scenario)`,
      `- Data: ${ORGS} organizations created through the REST API before measuring; the GET scenarios read one of them`,
      "",
      body,
      "",
      "How to read it:",
      "",
      "- req/s counts 2xx answers only; p50/p99 are computed from every answer's latency as seen by the load generator.",
      "- server CPU µs/call: user+system CPU time of the process serving the scenario (the server under test, or the baseline) divided by calls, from its `process.cpuUsage()` before and after the measured window.",
      "- client CPU µs/call: the same for the load generator (autocannon, or the gRPC client), which runs in bench/run.ts.",
      "- The paced REST GET row sends REST GETs at a steady rate equal to the gRPC row's req/s (the gRPC client needs far more CPU per call than autocannon, so the gRPC scenario runs at a lower rate). CPU per call grows as the rate falls (less batching in the event loop and in Prisma, whose findUnique calls issued in the same tick share one query), so the gRPC CPU target is judged against this row; the ratio to full-load REST GET is printed too.",
      "- PostgreSQL CPU µs/call: CPU time of the PostgreSQL backends connected to the bench database (/proc/<pid>/stat) during the window, divided by calls (for the embedded PGlite it is inside the server's figure).",
      "- other load: busy CPU of everything else on the machine during the window (/proc/stat minus the three above; kernel work on their behalf lands here too), as a share of all cores. Well above a few % means something else was running and the figures are noisy.",
      "- Everything runs on the same machine, so the load generator, the server and PostgreSQL compete for the same cores: the ratios matter more than the absolute numbers.",
      "",
      KEEP,
      "",
      kept,
    ].join("\n").replace(/\n+$/, "\n");
    fs.writeFileSync(file, md);
    log(`wrote ${path.relative(process.cwd(), file)}`);
  } else {
    log("bench/RESULTS.md not written (BENCH_ONLY, BENCH_PROFILE or BENCH_WRITE_RESULTS=0)");
  }
  return failures.length ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (e) {
  log(`failed: ${(e as Error)?.stack ?? e}`);
  code = 1;
} finally {
  await cleanup();
}
clearTimeout(overall);
process.exit(code);
