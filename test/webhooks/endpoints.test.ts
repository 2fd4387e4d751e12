// Endpoint management through the local API, and endpoints declared by configuration.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { freshDatabase } from "../helpers/database.js";
import { sdkClient } from "../helpers/sdk.js";
import { createEndpoint, TEST_SECRET } from "./helpers.js";

const BASE = "/local/v1/webhooks/endpoints";

function expectInvalid(r: { status: number; body: any }, field: string) {
  expect(r.status, JSON.stringify(r.body)).toBe(400);
  expect(r.body.details[0].error_code).toBe("INVALID_ARGUMENT");
  expect(r.body.message).toContain(field);
}

describe("webhook endpoints (local API)", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(async () => { await s?.close(); });

  it("creates an endpoint and shows its secret once", async () => {
    const r = await s.rest("POST", BASE, { url: "https://hooks.example.test/scalekit", description: "CRM sync", event_types: ["organization.created"] });
    expect(r.status).toBe(201);
    const { endpoint, secret } = r.body;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(secret.split("_")).toHaveLength(2); // the SDK splits on "_"
    expect(Buffer.from(secret.slice(6), "base64")).toHaveLength(32);
    expect(endpoint).toMatchObject({
      id: expect.stringMatching(/^whe_\d{18}$/), url: "https://hooks.example.test/scalekit", description: "CRM sync",
      event_types: ["organization.created"], organization_ids: [], enabled: true, managed_by: "api",
      secret_hint: `…${secret.slice(-4)}`, previous_secret_expire_time: "",
    });
    const got = await s.rest("GET", `${BASE}/${endpoint.id}`);
    const list = await s.rest("GET", BASE);
    for (const body of [got.body, list.body]) expect(JSON.stringify(body)).not.toContain(secret.slice(6, 30));
    expect(list.body.endpoints.map((e: any) => e.id)).toContain(endpoint.id);
    // stored encrypted, not as given
    const row = await s.db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect(row.secretCipher).not.toContain(secret.slice(6, 30));
    // the SDK accepts the secret as it is
    const body = "{}";
    const sig = (await import("../../src/events/signing.js")).signatureHeader([secret], "evt_1", Math.floor(Date.now() / 1000), body);
    expect(sdkClient(s).verifyWebhookPayload(secret, { "webhook-id": "evt_1", "webhook-timestamp": String(Math.floor(Date.now() / 1000)), "webhook-signature": sig }, body)).toBe(true);
  });

  it("accepts a caller-chosen secret", async () => {
    const ep = await createEndpoint(s, "http://127.0.0.1:9/hook", { secret: TEST_SECRET });
    expect(ep.secret).toBe(TEST_SECRET);
  });

  it("refuses invalid definitions with 400 naming the field", async () => {
    expectInvalid(await s.rest("POST", BASE, {}), "url");
    expectInvalid(await s.rest("POST", BASE, { url: "ftp://files.example.test/x" }), "url");
    expectInvalid(await s.rest("POST", BASE, { url: "file:///etc/passwd" }), "url");
    expectInvalid(await s.rest("POST", BASE, { url: "not a url" }), "url");
    expectInvalid(await s.rest("POST", BASE, { url: `https://x.test/${"a".repeat(2100)}` }), "url");
    expectInvalid(await s.rest("POST", BASE, { url: 42 }), "url");
    expectInvalid(await s.rest("POST", BASE, { url: "https://x.test", event_types: "organization.created" }), "event_types");
    expectInvalid(await s.rest("POST", BASE, { url: "https://x.test", event_types: ["Not A Type"] }), "event_types");
    expectInvalid(await s.rest("POST", BASE, { url: "https://x.test", organization_ids: ["acme"] }), "organization_ids");
    expectInvalid(await s.rest("POST", BASE, { url: "https://x.test", secret: "whsec_abc_def" }), "secret");
    expectInvalid(await s.rest("POST", BASE, { url: "https://x.test", secret: "whsec_" + Buffer.alloc(8).toString("base64") }), "secret");
    expectInvalid(await s.rest("POST", BASE, { url: "https://x.test", enabled: "yes" }), "enabled");
    expectInvalid(await s.rest("POST", BASE, [1, 2]), "body");
    const bad = await s.rest("POST", BASE, "{not json", { headers: { "content-type": "application/json" } });
    expect(bad.status).toBe(400);
    expect(await s.db.webhookEndpoint.count({ where: { url: { startsWith: "ftp" } } })).toBe(0);
  });

  it("updates, disables and enables, rotates and deletes", async () => {
    const ep = await createEndpoint(s, "https://a.example.test/hook");
    const up = await s.rest("PATCH", `${BASE}/${ep.id}`, { url: "https://b.example.test/hook", organization_ids: ["org_1"], enabled: false });
    expect(up.status).toBe(200);
    expect(up.body.endpoint).toMatchObject({ url: "https://b.example.test/hook", organization_ids: ["org_1"], enabled: false, event_types: [] });
    expect((await s.rest("PATCH", `${BASE}/${ep.id}`, { enabled: true })).body.endpoint.enabled).toBe(true);
    expectInvalid(await s.rest("PATCH", `${BASE}/${ep.id}`, { url: "gopher://x" }), "url");

    const rot = await s.rest("POST", `${BASE}/${ep.id}/rotate-secret`, {});
    expect(rot.status).toBe(200);
    expect(rot.body.secret).toMatch(/^whsec_/);
    expect(rot.body.secret).not.toBe(ep.secret);
    // the default grace period (a day) keeps the old secret signing
    const expires = Date.parse(rot.body.endpoint.previous_secret_expire_time);
    expect(expires - Date.now()).toBeGreaterThan(86_000_000);
    expectInvalid(await s.rest("POST", `${BASE}/${ep.id}/rotate-secret`, { grace_period_seconds: -1 }), "grace_period_seconds");
    expectInvalid(await s.rest("POST", `${BASE}/${ep.id}/rotate-secret`, { grace_period_seconds: 1.5 }), "grace_period_seconds");

    expect((await s.rest("DELETE", `${BASE}/${ep.id}`)).status).toBe(200);
    for (const [m, p] of [["GET", ""], ["PATCH", ""], ["DELETE", ""], ["POST", "/rotate-secret"]] as const) {
      const r = await s.rest(m, `${BASE}/${ep.id}${p}`, m === "GET" || m === "DELETE" ? undefined : {});
      expect(r.status, `${m} ${p}`).toBe(404);
      expect(r.body.details[0].error_code).toBe("NOT_FOUND");
    }
  });

  it("pages the endpoint list", async () => {
    for (let i = 0; i < 3; i++) await createEndpoint(s, `https://page${i}.example.test/hook`);
    const p1 = await s.rest("GET", `${BASE}?page_size=2`);
    expect(p1.body.endpoints).toHaveLength(2);
    expect(p1.body.next_page_token).not.toBe("");
    const p2 = await s.rest("GET", `${BASE}?page_size=2&page_token=${p1.body.next_page_token}`);
    expect(p2.body.endpoints[0].id > p1.body.endpoints[1].id).toBe(true);
    expect(p1.body.total_size).toBeGreaterThanOrEqual(3);
  });

  it("requires the bearer token", async () => {
    expect((await s.rest("GET", BASE, undefined, { token: "" })).status).toBe(401);
    expect((await s.rest("POST", BASE, { url: "https://x.test" }, { token: "" })).status).toBe(401);
  });
});

describe("endpoints declared by configuration", () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sk-wh-file-")), "webhooks.json");
  const second = "whsec_" + Buffer.alloc(32, 3).toString("base64");

  it("are created at start-up, reconciled on restart, and managed only through the configuration", async () => {
    fs.writeFileSync(file, JSON.stringify({ endpoints: [
      { name: "crm", url: "https://crm.example.test/hook", secret: TEST_SECRET, events: ["organization.created"] },
      { name: "audit", url: "https://audit.example.test/hook", secret: second, organizations: ["org_1"], enabled: false },
    ] }));
    const env = { WEBHOOK_URL: "http://127.0.0.1:9/env-hook", WEBHOOK_SECRET: TEST_SECRET, WEBHOOK_EVENTS: "organization.created,organization.deleted", WEBHOOKS_FILE: file };
    // a data directory (file-backed PGlite) or a PostgreSQL database, so the restart sees the same data
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sk-wh-cfg-"));
    const database = await freshDatabase();
    const s = await startTestServer({ env, dataDir, database });
    try {
      const list = (await s.rest("GET", BASE)).body.endpoints;
      expect(list.map((e: any) => [e.url, e.managed_by, e.enabled, e.event_types, e.organization_ids]).sort()).toEqual([
        ["http://127.0.0.1:9/env-hook", "config", true, ["organization.created", "organization.deleted"], []],
        ["https://audit.example.test/hook", "config", false, [], ["org_1"]],
        ["https://crm.example.test/hook", "config", true, ["organization.created"], []],
      ].sort());
      const crm = list.find((e: any) => e.url.includes("crm"));
      for (const [m, p, body] of [["POST", "/rotate-secret", {}], ["DELETE", "", undefined], ["PATCH", "", { url: "https://elsewhere.test" }]] as const) {
        const r = await s.rest(m, `${BASE}/${crm.id}${p}`, body);
        expect(r.status, `${m} ${p}`).toBe(400);
        expect(r.body.details[0].error_code).toBe("FAILED_PRECONDITION");
        expect(r.body.message).toContain("WEBHOOKS_FILE");
      }
      expect((await s.rest("PATCH", `${BASE}/${crm.id}`, { enabled: false })).body.endpoint.enabled).toBe(false);

      // restart with the file changed: crm's secret rotated (old one kept for the grace period), audit removed
      await s.close({ keepData: true });
      fs.writeFileSync(file, JSON.stringify([{ name: "crm", url: "https://crm2.example.test/hook", secret: second }]));
      const s2 = await startTestServer({ env: { WEBHOOKS_FILE: file }, database, dataDir });
      try {
        const after = (await s2.rest("GET", BASE)).body.endpoints;
        expect(after.map((e: any) => e.url)).toEqual(["https://crm2.example.test/hook"]);
        expect(after[0]).toMatchObject({ id: crm.id, enabled: true, event_types: [] });
        expect(after[0].previous_secret_expire_time).not.toBe("");
      } finally {
        await s2.close();
      }
    } finally {
      await s.close().catch(() => {});
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
