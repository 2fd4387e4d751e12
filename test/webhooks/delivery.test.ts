// Delivery through the real server: signing the SDK accepts, retries on a compressed schedule, Retry-After, 410,
// failure after the last attempt, replay, ordering per organization, filters, and receivers that are slow or down.
// One server for the file; each test makes its own receiver and endpoint and deletes the endpoint at the end.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, freePort, type TestServer } from "../helpers/server.js";
import { sdk, sdkClient } from "../helpers/sdk.js";
import type { ScalekitClient } from "@scalekit-sdk/node";
import { startReceiver, type Receiver } from "./receiver.js";
import { createEndpoint, createOrg, deleteEndpoint, sleep, updateOrg, waitForDeliveries } from "./helpers.js";

const SCHEDULE = [0, 100, 200, 400, 800, 1600];

describe("webhook delivery", () => {
  let s: TestServer;
  let client: ScalekitClient;
  const receivers: Receiver[] = [];
  const receiver = async (port?: number) => { const r = await startReceiver(port); receivers.push(r); return r; };

  beforeAll(async () => {
    s = await startTestServer({ env: { WEBHOOK_RETRY_SCHEDULE: SCHEDULE.map((ms) => `${ms}ms`).join(","), WEBHOOK_TIMEOUT_MS: "1000", WEBHOOK_POLL_MS: "50" } });
    client = sdkClient(s);
  });
  afterAll(async () => {
    await s?.close();
    for (const r of receivers) await r.close();
  });

  it("signs every request so the SDK's verifyWebhookPayload accepts it, with the envelope as the body", async () => {
    const rx = await receiver();
    const ep = await createEndpoint(s, rx.url);
    const orgs: string[] = [];
    for (let i = 0; i < 10; i++) orgs.push(await createOrg(s, `Signed ${i}`));
    for (const id of orgs.slice(0, 5)) await updateOrg(s, id, "Renamed");
    await rx.waitFor((x) => x.length >= 15);
    for (const r of rx.received) {
      expect(client.verifyWebhookPayload(ep.secret, r.headers, r.body)).toBe(true);
      expect(r.headers["content-type"]).toBe("application/json");
      expect(r.headers["webhook-id"]).toBe(r.json.id);
      expect(Math.abs(Number(r.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(30);
      expect(r.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      const stored = await s.db.event.findUniqueOrThrow({ where: { id: r.json.id } });
      expect(r.json).toEqual(stored.payload);
      expect(Object.keys(r.json).slice(0, 4)).toEqual(["spec_version", "id", "type", "object"]);
    }
    expect(rx.received.filter((r) => r.json.type === "organization.created").map((r) => r.json.organization_id).sort()).toEqual([...orgs].sort());
    // a tampered body or another secret is refused
    const r0 = rx.received[0];
    expect(() => client.verifyWebhookPayload(ep.secret, r0.headers, r0.body.replace("Signed", "Forged"))).toThrow(sdk.WebhookVerificationError);
    expect(() => client.verifyWebhookPayload("whsec_" + Buffer.alloc(32, 1).toString("base64"), r0.headers, r0.body)).toThrow(sdk.WebhookVerificationError);
    await deleteEndpoint(s, ep.id);
  });

  it("sends both signatures during a rotation's grace period, then only the new one", async () => {
    const rx = await receiver();
    const ep = await createEndpoint(s, rx.url, { event_types: ["organization.created"] });
    const rot = await s.rest("POST", `/local/v1/webhooks/endpoints/${ep.id}/rotate-secret`, { grace_period_seconds: 3600 });
    expect(rot.status).toBe(200);
    expect(rot.body.secret).not.toBe(ep.secret);
    expect(rot.body.endpoint.previous_secret_expire_time).not.toBe("");
    await createOrg(s, "During grace");
    await rx.waitFor((x) => x.length >= 1);
    const during = rx.received[0];
    expect(during.headers["webhook-signature"].split(" ")).toHaveLength(2);
    expect(client.verifyWebhookPayload(rot.body.secret, during.headers, during.body)).toBe(true);
    expect(client.verifyWebhookPayload(ep.secret, during.headers, during.body)).toBe(true);

    const rot2 = await s.rest("POST", `/local/v1/webhooks/endpoints/${ep.id}/rotate-secret`, { grace_period_seconds: 0 });
    expect(rot2.status).toBe(200);
    await createOrg(s, "After grace");
    await rx.waitFor((x) => x.length >= 2);
    const after = rx.received[1];
    expect(after.headers["webhook-signature"].split(" ")).toHaveLength(1);
    expect(client.verifyWebhookPayload(rot2.body.secret, after.headers, after.body)).toBe(true);
    expect(() => client.verifyWebhookPayload(rot.body.secret, after.headers, after.body)).toThrow(sdk.WebhookVerificationError);
    await deleteEndpoint(s, ep.id);
  });

  it("retries failures on the schedule, records every attempt, and honours Retry-After", async () => {
    const rx = await receiver();
    rx.answer = (_r, n) => (n <= 2 ? { status: 500, body: "database is down" } : n === 3 ? { status: 503, headers: { "retry-after": "1" } } : {});
    const ep = await createEndpoint(s, rx.url, { event_types: ["organization.created"] });
    const org = await createOrg(s, "Flaky");
    const [d] = await waitForDeliveries(s, `endpoint_id=${ep.id}`, (ds) => ds.length === 1 && ds[0].status === "succeeded");
    expect(d).toMatchObject({ attempts: 4, organization_id: org, last_status_code: 200, event_type: "organization.created" });
    expect(rx.received).toHaveLength(4);
    expect(new Set(rx.received.map((r) => r.headers["webhook-id"])).size).toBe(1);
    // Retry-After: 1 outweighs the schedule's 400 ms
    expect(rx.received[3].at - rx.received[2].at).toBeGreaterThanOrEqual(950);

    const detail = await s.rest("GET", `/local/v1/webhooks/deliveries/${d.id}`);
    expect(detail.body.attempts.map((a: any) => [a.attempt, a.status, a.response_status])).toEqual([
      [1, "failed", 500], [2, "failed", 500], [3, "failed", 503], [4, "succeeded", 200],
    ]);
    expect(detail.body.attempts[0].response_excerpt).toBe("database is down");
    for (const a of detail.body.attempts) expect(a.latency_ms).toBeGreaterThanOrEqual(0);
    const failedOnly = await s.rest("GET", `/local/v1/webhooks/attempts?endpoint_id=${ep.id}&status=failed`);
    expect(failedOnly.body.attempts).toHaveLength(3);
    await deleteEndpoint(s, ep.id);
  });

  it("marks a delivery failed after the last attempt, and replays failed deliveries on request", async () => {
    const rx = await receiver();
    let healthy = false;
    rx.answer = () => (healthy ? {} : { status: 500 });
    const ep = await createEndpoint(s, rx.url, { event_types: ["organization.created"] });
    await createOrg(s, "Never answered");
    const [d] = await waitForDeliveries(s, `endpoint_id=${ep.id}&status=failed`, (ds) => ds.length === 1);
    expect(d).toMatchObject({ attempts: SCHEDULE.length, last_status_code: 500, last_error: "HTTP 500" });
    expect(d.complete_time).not.toBe("");
    expect(rx.received).toHaveLength(SCHEDULE.length);
    await sleep(300);
    expect(rx.received).toHaveLength(SCHEDULE.length); // no attempt after the last

    healthy = true;
    const replay = await s.rest("POST", "/local/v1/webhooks/deliveries/replay-failed", { endpoint_id: ep.id });
    expect(replay.body).toEqual({ replayed: 1 });
    const [again] = await waitForDeliveries(s, `endpoint_id=${ep.id}`, (ds) => ds[0]?.status === "succeeded");
    expect(again).toMatchObject({ id: d.id, attempts: SCHEDULE.length + 1 });
    expect(rx.received.at(-1)!.headers["webhook-id"]).toBe(d.event_id);
    await deleteEndpoint(s, ep.id);
  });

  it("a timeout is a failed attempt", async () => {
    const rx = await receiver();
    rx.answer = (_r, n) => (n === 1 ? { delayMs: 1500 } : {});
    const ep = await createEndpoint(s, rx.url, { event_types: ["organization.created"] });
    await createOrg(s, "Slow first");
    const [d] = await waitForDeliveries(s, `endpoint_id=${ep.id}`, (ds) => ds[0]?.status === "succeeded");
    const detail = await s.rest("GET", `/local/v1/webhooks/deliveries/${d.id}`);
    expect(detail.body.attempts[0]).toMatchObject({ status: "failed", error: "timeout", response_status: 0 });
    expect(detail.body.attempts[0].latency_ms).toBeGreaterThanOrEqual(950);
    expect(detail.body.attempts[1]).toMatchObject({ status: "succeeded", response_status: 200 });
    await deleteEndpoint(s, ep.id);
  });

  it("410 Gone disables the endpoint; deliveries wait until it is enabled again", async () => {
    const rx = await receiver();
    rx.answer = (_r, n) => (n === 1 ? { status: 410 } : {});
    const ep = await createEndpoint(s, rx.url, { event_types: ["organization.created"] });
    await createOrg(s, "Gone");
    const [d] = await waitForDeliveries(s, `endpoint_id=${ep.id}`, (ds) => ds[0]?.status === "failed");
    expect(d).toMatchObject({ attempts: 1, last_status_code: 410 });
    const got = await s.rest("GET", `/local/v1/webhooks/endpoints/${ep.id}`);
    expect(got.body.endpoint).toMatchObject({ enabled: false });
    expect(got.body.endpoint.disabled_reason).toMatch(/410/);

    // while disabled nothing is sent, and events from then on do not create deliveries for it
    await createOrg(s, "While disabled");
    await sleep(400);
    expect(rx.received).toHaveLength(1);
    expect((await s.rest("GET", `/local/v1/webhooks/deliveries?endpoint_id=${ep.id}`)).body.deliveries).toHaveLength(1);

    const en = await s.rest("PATCH", `/local/v1/webhooks/endpoints/${ep.id}`, { enabled: true });
    expect(en.body.endpoint).toMatchObject({ enabled: true, disabled_reason: "" });
    await s.rest("POST", "/local/v1/webhooks/deliveries/replay-failed", { endpoint_id: ep.id });
    await rx.waitFor((x) => x.length === 2);
    expect(rx.received[1].headers["webhook-id"]).toBe(d.event_id);
    await deleteEndpoint(s, ep.id);
  });

  it("keeps one organization's events in order while other organizations go ahead", async () => {
    const a = await createOrg(s, "Ordered A");
    const b = await createOrg(s, "Ordered B");
    const rx = await receiver();
    let failuresLeft = 4; // A's first event succeeds only at its 5th attempt, ~1.5 s after the first
    rx.answer = (r) => (r.json.organization_id === a && failuresLeft-- > 0 ? { status: 500 } : {});
    const ep = await createEndpoint(s, rx.url, { event_types: ["organization.updated"], organization_ids: [a, b] });
    for (let i = 1; i <= 4; i++) await updateOrg(s, a, `A v${i}`);
    await updateOrg(s, b, "B v1");
    await rx.waitFor((x) => x.filter((r) => r.json.organization_id === a).length >= 8 && x.some((r) => r.json.organization_id === b));
    await sleep(200);
    const forA = rx.received.filter((r) => r.json.organization_id === a);
    const names = forA.map((r) => r.json.data.display_name);
    expect(names).toEqual(["A v1", "A v1", "A v1", "A v1", "A v1", "A v2", "A v3", "A v4"]);
    // B was not held up by A's failing first event
    const bAt = rx.received.find((r) => r.json.organization_id === b)!.at;
    expect(bAt).toBeLessThan(forA[4].at);
    await deleteEndpoint(s, ep.id);
  });

  it("delivers only the event types and organizations an endpoint subscribes to", async () => {
    const org = await createOrg(s, "Filtered");
    const other = await createOrg(s, "Not subscribed");
    const rx = await receiver();
    const ep = await createEndpoint(s, rx.url, { event_types: ["organization.deleted"], organization_ids: [org] });
    await updateOrg(s, org, "Filtered v2");
    await updateOrg(s, other, "Other v2");
    expect((await s.rest("DELETE", `/api/v1/organizations/${other}`)).status).toBe(200);
    expect((await s.rest("DELETE", `/api/v1/organizations/${org}`)).status).toBe(200);
    await rx.waitFor((x) => x.length >= 1);
    await sleep(300);
    expect(rx.received.map((r) => [r.json.type, r.json.organization_id])).toEqual([["organization.deleted", org]]);
    expect(Date.parse(rx.received[0].json.data.deleted_at)).toBeGreaterThan(Date.now() - 600_000);
    await deleteEndpoint(s, ep.id);
  });

  it("replays one event, also to an endpoint created after it", async () => {
    const rx = await receiver();
    const ep = await createEndpoint(s, rx.url, { event_types: ["organization.created"] });
    const org = await createOrg(s, "Replayed");
    await rx.waitFor((x) => x.length === 1);
    const eventId = rx.received[0].headers["webhook-id"];
    const rx2 = await receiver();
    const late = await createEndpoint(s, rx2.url);

    const one = await s.rest("POST", `/local/v1/webhooks/events/${eventId}/replay`, { endpoint_id: late.id });
    expect(one.status).toBe(200);
    expect(one.body.deliveries).toHaveLength(1);
    await rx2.waitFor((x) => x.length === 1);
    expect(rx2.received[0].headers["webhook-id"]).toBe(eventId);
    expect(client.verifyWebhookPayload(late.secret, rx2.received[0].headers, rx2.received[0].body)).toBe(true);
    expect(rx.received).toHaveLength(1);

    const all = await s.rest("POST", `/local/v1/webhooks/events/${eventId}/replay`, {});
    expect(all.body.deliveries.map((d: any) => d.endpoint_id).sort()).toEqual([ep.id, late.id].sort());
    await rx.waitFor((x) => x.length === 2);
    await rx2.waitFor((x) => x.length === 2);
    expect(rx.received[1].json.organization_id).toBe(org);

    expect((await s.rest("POST", "/local/v1/webhooks/events/evt_000000000000000001/replay", {})).status).toBe(404);
    expect((await s.rest("POST", `/local/v1/webhooks/events/${eventId}/replay`, { endpoint_id: "whe_1" })).status).toBe(404);
    await deleteEndpoint(s, ep.id);
    await deleteEndpoint(s, late.id);
  });

  it("lists deliveries and attempts by event, endpoint and status, with paging", async () => {
    const rx = await receiver();
    const ep = await createEndpoint(s, rx.url, { event_types: ["organization.created"] });
    for (let i = 0; i < 5; i++) await createOrg(s, `Listed ${i}`);
    await waitForDeliveries(s, `endpoint_id=${ep.id}&status=succeeded`, (ds) => ds.length === 5);
    const p1 = await s.rest("GET", `/local/v1/webhooks/deliveries?endpoint_id=${ep.id}&page_size=2`);
    expect(p1.body.deliveries).toHaveLength(2);
    expect(p1.body.total_size).toBe(5);
    const p2 = await s.rest("GET", `/local/v1/webhooks/deliveries?endpoint_id=${ep.id}&page_size=2&page_token=${p1.body.next_page_token}`);
    expect(p2.body.deliveries).toHaveLength(2);
    expect(p2.body.deliveries[0].id > p1.body.deliveries[1].id).toBe(true);
    const eventId = p1.body.deliveries[0].event_id;
    const byEvent = await s.rest("GET", `/local/v1/webhooks/deliveries?event_id=${eventId}`);
    expect(byEvent.body.deliveries.map((d: any) => d.endpoint_id)).toEqual([ep.id]);
    const attempts = await s.rest("GET", `/local/v1/webhooks/attempts?event_id=${eventId}`);
    expect(attempts.body.attempts).toHaveLength(1);
    expect(attempts.body.attempts[0]).toMatchObject({ status: "succeeded", response_status: 200, response_excerpt: "ok", endpoint_id: ep.id });
    expect((await s.rest("GET", `/local/v1/webhooks/deliveries?endpoint_id=${ep.id}&status=pending`)).body.deliveries).toEqual([]);
    for (const bad of ["status=done", "page_size=abc", "page_token=%25%25", "status=a&status=b"]) {
      const r = await s.rest("GET", `/local/v1/webhooks/deliveries?${bad}`);
      expect(r.status, bad).toBe(400);
      expect(r.body.details[0].error_code).toBe("INVALID_ARGUMENT");
    }
    expect((await s.rest("GET", "/local/v1/webhooks/deliveries/whd_1")).status).toBe(404);
    await deleteEndpoint(s, ep.id);
  });

  it("a receiver that is down for a while gets everything once it comes back", async () => {
    // its own server with a longer schedule: the receiver must come back while retries remain, however slow the
    // machine is, and a leftover endpoint must not leak into the other tests of this file
    const slow = await startTestServer({ env: { WEBHOOK_RETRY_SCHEDULE: "0,200ms,500ms,1s,2s,4s,8s,8s", WEBHOOK_TIMEOUT_MS: "1000", WEBHOOK_POLL_MS: "50" } });
    try {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}/webhooks`;
      const ep = await createEndpoint(slow, url, { event_types: ["organization.created"] });
      const orgs: string[] = [];
      for (let i = 0; i < 10; i++) orgs.push(await createOrg(slow, `While down ${i}`));
      await waitForDeliveries(slow, `endpoint_id=${ep.id}`, (ds) => ds.length === 10 && ds.every((d) => d.attempts >= 2));
      const attempts = await slow.rest("GET", `/local/v1/webhooks/attempts?endpoint_id=${ep.id}&page_size=1`);
      expect(attempts.body.attempts[0].error).toMatch(/ECONNREFUSED/);
      const rx = await receiver(port);
      await rx.waitFor((x) => new Set(x.map((r) => r.json.organization_id)).size === 10, 40_000);
      expect([...new Set(rx.received.map((r) => r.json.organization_id))].sort()).toEqual([...orgs].sort());
      await waitForDeliveries(slow, `endpoint_id=${ep.id}&status=succeeded`, (ds) => ds.length === 10);
    } finally {
      await slow.close();
    }
  });

  it("sends nothing when no endpoint is configured, and nothing after an endpoint is deleted", async () => {
    const rx = await receiver();
    const ep = await createEndpoint(s, rx.url);
    await deleteEndpoint(s, ep.id);
    const org = await createOrg(s, "Nobody listens");
    const event = await s.db.event.findFirstOrThrow({ where: { organizationId: org } });
    for (let i = 0; i < 100 && !(await s.db.event.findUniqueOrThrow({ where: { id: event.id } })).dispatchedAt; i++) await sleep(20);
    expect((await s.db.event.findUniqueOrThrow({ where: { id: event.id } })).dispatchedAt).not.toBeNull();
    expect(await s.db.webhookDelivery.count({ where: { eventId: event.id } })).toBe(0);
    expect(rx.received).toHaveLength(0);
  });
});

describe("a slow receiver", () => {
  it("does not hold up other endpoints", async () => {
    const s = await startTestServer({ env: { WEBHOOK_CONCURRENCY: "20", WEBHOOK_ENDPOINT_CONCURRENCY: "4", WEBHOOK_TIMEOUT_MS: "5000", WEBHOOK_POLL_MS: "50" } });
    const slow = await startReceiver();
    const fast = await startReceiver();
    try {
      slow.answer = () => ({ delayMs: 1000 });
      await createEndpoint(s, slow.url, { event_types: ["organization.created"] });
      await createEndpoint(s, fast.url, { event_types: ["organization.created"] });
      const started = Date.now();
      await Promise.all(Array.from({ length: 24 }, (_, i) => createOrg(s, `Busy ${i}`)));
      await fast.waitFor((x) => x.length === 24, 10_000);
      const fastDone = Date.now() - started;
      // the slow one can take at most 8 requests a second (twice its limit of 4 in flight), so it is far behind
      expect(slow.received.length).toBeLessThan(24);
      await slow.waitFor((x) => x.length === 24, 20_000);
      expect(Date.now() - started).toBeGreaterThan(fastDone);
    } finally {
      await s.close();
      await slow.close();
      await fast.close();
    }
  });
});
