// Two server processes on one PostgreSQL database deliver each event exactly once: claims are row locks taken with
// FOR UPDATE SKIP LOCKED, so the replicas never send the same delivery. PostgreSQL only: PGlite is one process.
import { afterAll, describe, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freshDatabase, type TestDatabase } from "../helpers/database.js";
import { startReceiver, type Receiver } from "./receiver.js";
import { pool, startChild, tcpPortsOf, type ChildServer } from "./child.js";
import { sleep, TEST_SECRET } from "./helpers.js";

const onPostgres = !!process.env.TEST_DATABASE_URL || process.env.TEST_DB === "container";
const EVENTS = 600;

describe.skipIf(!onPostgres)("two replicas on one PostgreSQL (needs TEST_DATABASE_URL: PGlite cannot be shared by two processes)", () => {
  let database: TestDatabase | undefined;
  let rx: Receiver | undefined;
  const children: ChildServer[] = [];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sk-wh-replicas-"));
  afterAll(async () => {
    for (const c of children) await c.stop().catch(() => {});
    await rx?.close();
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it(`deliver each of ${EVENTS} events once`, async () => {
    database = await freshDatabase();
    rx = await startReceiver();
    rx.answer = () => ({ delayMs: 2 });
    const env = { DATABASE_URL: database.url!, DATA_DIR: dataDir, WEBHOOK_URL: rx.url, WEBHOOK_SECRET: TEST_SECRET, WEBHOOK_ENDPOINT_CONCURRENCY: "8" };
    children.push(await startChild(env));
    children.push(await startChild(env));
    const [a, b] = children;
    // writes go to both; every commit NOTIFYs both, so both race for every delivery
    await pool(Array.from({ length: EVENTS }, (_, i) => i), 8, async (i) => {
      const r = await (i % 2 ? a : b).rest("POST", "/api/v1/organizations", { display_name: `Replica ${i}` });
      expect(r.status).toBe(201);
    });
    await rx.waitFor(() => rx!.ids().size >= EVENTS, 60_000);
    // both took part: the receiver saw requests from each process's sockets (keep-alive keeps them open)
    const portsA = tcpPortsOf(a.proc.pid!), portsB = tcpPortsOf(b.proc.pid!);
    if (portsA.size && portsB.size) {
      const byA = rx.received.filter((r) => portsA.has(r.remotePort)).length;
      const byB = rx.received.filter((r) => portsB.has(r.remotePort)).length;
      expect(byA, "deliveries sent by replica A").toBeGreaterThan(0);
      expect(byB, "deliveries sent by replica B").toBeGreaterThan(0);
    }
    await sleep(1500); // time for a double send to show up, if there were one
    const counts = new Map<string, number>();
    for (const r of rx.received) counts.set(r.headers["webhook-id"], (counts.get(r.headers["webhook-id"]) ?? 0) + 1);
    expect(counts.size).toBe(EVENTS);
    expect([...counts].filter(([, n]) => n > 1)).toEqual([]);
    // one endpoint (both replicas reconciled the same configuration), one succeeded delivery per event
    const endpoints = await a.rest("GET", "/local/v1/webhooks/endpoints");
    expect(endpoints.body.endpoints).toHaveLength(1);
    const attempts = await a.rest("GET", "/local/v1/webhooks/attempts?page_size=1");
    expect(attempts.body.total_size).toBe(EVENTS);
  }, 180_000);
});
