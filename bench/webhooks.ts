// `node --import tsx bench/webhooks.ts`: webhook delivery on PostgreSQL, events/s and commit->delivery latency.
//
// 1. Creates a fresh PostgreSQL database (BENCH_PG_URL's server, default the local one) and drops it at the end.
// 2. Starts a receiver in a child process (answers 200 at once, stamps each request's arrival) and the real server
//    in this process (buildApp) with one endpoint pointed at the receiver.
// 3. Throughput: BENCH_WH_EVENTS events are committed through the outbox (each in its own transaction, as the API
//    writes them) while the server's worker is off; then the server starts with its worker and drains them:
//    events/s = events / (first arrival -> last arrival). Delivery is measured apart from the writers' own speed.
// 4. Latency: events committed at BENCH_WH_RATE per second (open loop) for BENCH_WH_SECONDS; latency = arrival
//    at the receiver - the moment the writer's COMMIT returned. p50 / p99 / max.
// Events spread over BENCH_WH_ORGS organizations (a delivery waits for an earlier one of its organization).
// Targets: >= 1,000 events/s and p50 < 50 ms.
import { fork } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import pg from "pg";

const now = () => performance.timeOrigin + performance.now();

if (process.argv[2] === "receiver") {
  const arrivals: [string, number][] = [];
  const server = http.createServer((req, res) => {
    const at = now();
    req.resume();
    req.on("end", () => {
      arrivals.push([String(req.headers["webhook-id"]), at]);
      res.writeHead(200).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => process.send!({ port: (server.address() as AddressInfo).port }));
  process.on("message", (m: any) => {
    if (m === "report") process.send!({ arrivals: arrivals.splice(0) });
    if (m === "exit") process.exit(0);
  });
} else {
  await main();
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  const EVENTS = Number(process.env.BENCH_WH_EVENTS ?? 5000);
  const WRITERS = Number(process.env.BENCH_WH_WRITERS ?? 16);
  const RATE = Number(process.env.BENCH_WH_RATE ?? 200);
  const SECONDS = Number(process.env.BENCH_WH_SECONDS ?? 5);
  const ORGS = Number(process.env.BENCH_WH_ORGS ?? 500);
  const base = process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

  const { loadConfig } = await import("../src/config.js");
  const { buildApp } = await import("../src/app.js");
  const { inTransaction } = await import("../src/db/tx.js");
  const { newId } = await import("../src/protocol/ids.js");
  const { Outbox } = await import("../src/events/outbox.js");

  const dbName = `sk_bench_wh_${Date.now()}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const url = new URL(base);
  url.pathname = `/${dbName}`;

  const receiver = fork(new URL(import.meta.url).pathname, ["receiver"], { execArgv: ["--import", "tsx"] });
  const port = await new Promise<number>((res) => receiver.once("message", (m: any) => res(m.port)));
  const report = () => new Promise<Map<string, number>>((res) => {
    receiver.once("message", (m: any) => res(new Map(m.arrivals)));
    receiver.send("report");
  });

  const env = {
    DATABASE_URL: url.toString(), PORT: "0", LOG_LEVEL: "warn", DATA_DIR: "/tmp/sk-bench-wh",
    WEBHOOK_URL: `http://127.0.0.1:${port}/hook`, WEBHOOK_SECRET: `whsec_${Buffer.alloc(32, 9).toString("base64")}`,
  };
  const orgIds = Array.from({ length: ORGS }, () => newId("org"));
  let n = 0;
  const committer = (built: Awaited<ReturnType<typeof buildApp>>) => {
    const outbox = new Outbox(built.environmentId);
    return async (): Promise<[string, number]> => {
      const org = orgIds[n++ % ORGS];
      const e = await inTransaction(built.database.prisma, (tx) => outbox.emit(tx, { type: "organization.updated", object: "Organization", organizationId: org, data: { id: org, display_name: `Bench ${n}` } }));
      return [e.id, now()];
    };
  };
  const collect = async (want: Set<string>, into: Map<string, number>, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (into.size < want.size && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      for (const [id, at] of await report()) if (want.has(id)) into.set(id, Math.min(at, into.get(id) ?? Infinity));
    }
  };

  let built = await buildApp(loadConfig({ ...env, WEBHOOK_WORKER: "off" }));
  try {
    // the backlog, written while nothing delivers
    const backlog = new Set<string>();
    const commitA = committer(built);
    let left = EVENTS;
    const w0 = now();
    await Promise.all(Array.from({ length: WRITERS }, async () => {
      while (left-- > 0) backlog.add((await commitA())[0]);
    }));
    const commitRate = (EVENTS / (now() - w0)) * 1000;
    await built.app.close();

    built = await buildApp(loadConfig(env));
    const arrived = new Map<string, number>();
    await collect(backlog, arrived, 180_000);
    const times = [...arrived.values()];
    const first = Math.min(...times), last = Math.max(...times);
    const throughput = ((arrived.size - 1) / (last - first)) * 1000;

    // latency at a steady rate, after a short warm-up
    const commit = committer(built);
    for (let i = 0; i < 100; i++) await commit();
    await new Promise((r) => setTimeout(r, 1000));
    await report();
    const lat = new Map<string, number>();
    const interval = 1000 / RATE;
    const end = now() + SECONDS * 1000;
    let next = now();
    // open loop: a commit starts every interval whether or not the previous one has finished
    const writes: Promise<void>[] = [];
    while (now() < end) {
      writes.push(commit().then(([id, at]) => { lat.set(id, at); }));
      next += interval;
      const wait = next - now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await Promise.all(writes);
    const latArrivals = new Map<string, number>();
    await collect(new Set(lat.keys()), latArrivals, 30_000);
    const latencies = [...latArrivals].map(([id, at]) => at - lat.get(id)!).sort((a, b) => a - b);
    const achievedRate = (lat.size / SECONDS);

    const fmt = (x: number) => x.toFixed(1);
    const lines = [
      `webhooks on PostgreSQL (${built.database.location}), one endpoint on loopback, ${ORGS} organizations`,
      `  throughput: a backlog of ${EVENTS} events (${arrived.size} delivered) drained in ${fmt((last - first) / 1000)} s = ${throughput.toFixed(0)} events/s` +
        ` (the backlog was written at ${commitRate.toFixed(0)} events/s by ${WRITERS} concurrent transactions)`,
      `  latency at ${achievedRate.toFixed(0)} events/s for ${SECONDS} s (${latencies.length}/${lat.size} delivered): commit->delivery p50 ${fmt(percentile(latencies, 50))} ms,` +
        ` p99 ${fmt(percentile(latencies, 99))} ms, max ${fmt(latencies.at(-1) ?? NaN)} ms`,
      `  targets: >= 1000 events/s ${throughput >= 1000 ? "met" : "NOT met"}; p50 < 50 ms ${percentile(latencies, 50) < 50 ? "met" : "NOT met"}`,
    ];
    process.stdout.write(lines.join("\n") + "\n");
  } finally {
    await built.app.close();
    receiver.send("exit");
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => {});
    await admin.end();
  }
}
