// kill -9 in the middle of delivering 1,000 events, then a restart: every event reaches the receiver at least once.
// The server runs as a child process on PostgreSQL (TEST_DATABASE_URL) or on file-backed PGlite otherwise.
import { afterAll, describe, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freshDatabase, type TestDatabase } from "../helpers/database.js";
import { sdkClient } from "../helpers/sdk.js";
import { startReceiver, type Receiver } from "./receiver.js";
import { pool, startChild, type ChildServer } from "./child.js";
import { TEST_SECRET } from "./helpers.js";

const EVENTS = 1000;

describe("crash safety", () => {
  let database: TestDatabase | undefined;
  let rx: Receiver | undefined;
  let child: ChildServer | undefined;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sk-wh-crash-"));
  afterAll(async () => {
    await child?.stop().catch(() => {});
    await rx?.close();
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it(`kill -9 while delivering ${EVENTS} events, restart: none is lost`, async () => {
    database = process.env.TEST_DATABASE_URL ? await freshDatabase() : undefined;
    rx = await startReceiver();
    rx.answer = () => ({ delayMs: 5 });
    const env = {
      DATA_DIR: dataDir, ...(database?.url ? { DATABASE_URL: database.url } : {}),
      WEBHOOK_URL: rx.url, WEBHOOK_SECRET: TEST_SECRET, WEBHOOK_ENDPOINT_CONCURRENCY: "4",
      // the lease outlives the timeout by 10 s: in-flight deliveries of the killed process are due again after that
      WEBHOOK_TIMEOUT_MS: "1000", WEBHOOK_RETRY_SCHEDULE: "0,200ms,500ms,1s,2s,2s,2s,2s",
    };

    // the events are committed first (worker off), so the kill can only interrupt delivery
    child = await startChild({ ...env, WEBHOOK_WORKER: "off" });
    const indexes = Array.from({ length: EVENTS }, (_, i) => i);
    await pool(indexes, 8, async (i) => {
      const r = await child!.rest("POST", "/api/v1/organizations", { display_name: `Crash ${i}` });
      expect(r.status).toBe(201);
    });
    await child.stop();
    expect(rx.received).toHaveLength(0);
    child = await startChild(env);
    await rx.waitFor((x) => x.length >= 300, 60_000);
    await child.kill9();
    const atKill = rx.ids().size;
    expect(atKill).toBeLessThan(EVENTS);

    child = await startChild(env);
    await rx.waitFor(() => rx!.ids().size >= EVENTS, 90_000);
    const ids: string[] = [];
    for (let token = ""; ;) {
      const page = await child.rest("POST", `/api/v1/events/paginated?page_size=100&page_token=${token}`, {});
      expect(page.status).toBe(200);
      ids.push(...page.body.events.map((e: any) => e.id));
      token = page.body.next_page_token;
      if (!token) break;
    }
    expect(ids).toHaveLength(EVENTS);
    const received = rx.ids();
    expect(ids.filter((id) => !received.has(id))).toEqual([]);
    // at least once: a few duplicates (requests in flight at the kill) are allowed, but not wholesale resends
    expect(rx.received.length - EVENTS).toBeLessThan(100);
    const verifier = sdkClient({ url: child.url } as any);
    for (const r of rx.received) expect(verifier.verifyWebhookPayload(TEST_SECRET, r.headers, r.body)).toBe(true);
  }, 240_000);
});
