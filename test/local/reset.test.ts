// POST /local/v1/reset: every data table (read from the catalog, so a new table cannot be forgotten) holds exactly
// what a fresh environment holds afterwards; the environment's id, keys and client stay; writes and a webhook in
// flight during a reset finish or fail cleanly.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { startReceiver, type Receiver } from "../webhooks/receiver.js";
import { KEPT_ROWS, KEPT_TABLES } from "../../src/local/tables.js";
import { resetEnvironment } from "../../src/local/reset.js";
import { ok, populate, tableCounts } from "./populate.js";

let s: TestServer;
let receiver: Receiver;
let fresh: Record<string, number>;

beforeAll(async () => {
  receiver = await startReceiver();
  s = await startTestServer();
  fresh = await tableCounts(s);
});
afterAll(async () => { await s?.close(); await receiver?.close(); });

async function freshRows(table: string): Promise<unknown[]> {
  // ids and timestamps are new after a reset; everything else a fresh seed writes must be the same
  const rows = await s.db.$queryRawUnsafe<Record<string, unknown>[]>(`SELECT * FROM "${table}"`);
  return rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k, v]) => k !== "id" && !k.endsWith("_id") && !(v instanceof Date)))).map((r) => JSON.stringify(r)).sort();
}

describe("reset", () => {
  it("empties every data table to the fresh state and keeps the environment", async () => {
    const freshContent: Record<string, unknown[]> = {};
    for (const t of Object.keys(fresh)) freshContent[t] = await freshRows(t);
    // the Test Organization step records the id of the organization it made: that one changes with every seed
    const settings = () => s.db.serverSetting.findMany({ where: { name: { not: "test_organization_id" } }, orderBy: { name: "asc" } });
    const settingsBefore = await settings();
    const keysBefore = await s.db.signingKey.findMany({ orderBy: { kid: "asc" } });
    const tokenBefore = await s.token();

    await populate(s, receiver.url);
    // a table a colleague adds later, with a foreign key into the data: reset must find it in the catalog
    await s.db.$executeRawUnsafe(`CREATE TABLE "later_added" (id text PRIMARY KEY, organization_id text REFERENCES organizations(id) ON DELETE CASCADE)`);
    const anyOrg = await s.db.organization.findFirstOrThrow();
    await s.db.$executeRawUnsafe(`INSERT INTO "later_added" VALUES ('x1', '${anyOrg.id}')`);

    const before = await tableCounts(s);
    const grown = Object.keys(before).filter((t) => before[t] > (fresh[t] ?? 0));
    expect(grown.length, `tables with data: ${grown.join(", ")}`).toBeGreaterThanOrEqual(12);

    const r = await s.rest("POST", "/local/v1/reset");
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.tables_cleared).toBeGreaterThanOrEqual(30);
    expect(typeof r.body.duration_ms).toBe("number");

    const after = await tableCounts(s);
    expect(after.later_added).toBe(0);
    for (const t of Object.keys(fresh)) {
      expect(after[t], `rows of ${t} after reset`).toBe(fresh[t]);
      if (!(KEPT_TABLES as readonly string[]).includes(t)) expect(await freshRows(t), `content of ${t}`).toEqual(freshContent[t]);
    }
    expect(await settings()).toEqual(settingsBefore);
    expect(await s.db.signingKey.findMany({ orderBy: { kid: "asc" } })).toEqual(keysBefore);
    expect(await s.db.apiClient.findMany({ where: { kind: { not: "environment" } } })).toEqual([]);
    expect(Object.keys(KEPT_ROWS)).toContain("api_clients");
    // the same token still works, and a new one can be had with the same credentials
    const list = await s.rest("GET", "/api/v1/organizations", undefined, { token: tokenBefore });
    expect(list.status).toBe(200);
    expect(list.body.organizations.map((o: any) => o.external_id)).not.toContain("acme-ext");
    await s.db.$executeRawUnsafe(`DROP TABLE "later_added"`);
  });

  it("answers the contract's error body for a body that is not empty", async () => {
    const r = await s.rest("POST", "/local/v1/reset", { everything: true });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe(3);
    expect(r.body.details[0].error_code).toBe("INVALID_ARGUMENT");
    const bad = await s.rest("POST", "/local/v1/reset", undefined, { token: "" });
    expect(bad.status).toBe(401);
  });

  it("lets writes racing a reset finish or fail cleanly, and keeps nothing created before it", async () => {
    for (let i = 0; i < 5; i++) await ok(s, "POST", "/api/v1/organizations", { display_name: `Before ${i}`, external_id: `before-${i}` });
    const writes = Array.from({ length: 20 }, (_, i) => s.rest("POST", "/api/v1/organizations", { display_name: `During ${i}` }));
    const viaHttp = s.rest("POST", "/local/v1/reset");
    const direct = resetEnvironment(s.built.deps);
    const results = await Promise.all(writes);
    for (const w of results) expect([201, 409, 400, 412].includes(w.status), JSON.stringify(w.body)).toBe(true);
    expect((await viaHttp).status).toBe(200);
    expect((await direct).tables.length).toBeGreaterThanOrEqual(30);
    const left = await s.db.organization.findMany({ where: { externalId: { startsWith: "before-" } } });
    expect(left).toEqual([]);
  });

  it("a webhook delivery in flight during a reset completes without resurrecting anything", async () => {
    await ok(s, "POST", "/local/v1/webhooks/endpoints", { url: receiver.url });
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    receiver.answer = async () => { await held; return { status: 200 }; };
    const seen = receiver.received.length;
    await ok(s, "POST", "/api/v1/organizations", { display_name: "Webhook in flight" });
    await receiver.waitFor((rs) => rs.length > seen);
    const r = await s.rest("POST", "/local/v1/reset");
    expect(r.status).toBe(200);
    release();
    receiver.answer = () => ({});
    // the worker records its outcome (or finds the delivery gone); either way nothing of it may come back
    await ok(s, "POST", "/local/v1/webhooks/endpoints", { url: receiver.url });
    const after = await tableCounts(s);
    expect(after.webhook_attempts).toBe(fresh.webhook_attempts);
    expect(await s.db.organization.findMany({ where: { displayName: "Webhook in flight" } })).toEqual([]);
    // and the worker still works after the reset
    const seen2 = receiver.received.length;
    await ok(s, "POST", "/api/v1/organizations", { display_name: "After reset" });
    await receiver.waitFor((rs) => rs.slice(seen2).some((x) => x.json?.data?.display_name === "After reset"));
  });
});
