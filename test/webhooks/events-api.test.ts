// EventsService: the stored events through the SDK's events client (gRPC) and through REST, newest first, with
// filters and keyset paging.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ScalekitClient } from "@scalekit-sdk/node";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { sdk, sdkClient } from "../helpers/sdk.js";
import { createOrg, updateOrg } from "./helpers.js";
import { events } from "../../src/protocol/descriptors.js";

describe("EventsService", () => {
  let s: TestServer;
  let client: ScalekitClient;
  let a: string, b: string;
  let allIds: string[];
  beforeAll(async () => {
    s = await startTestServer();
    client = sdkClient(s);
    a = await createOrg(s, "Events A");
    b = await createOrg(s, "Events B");
    await updateOrg(s, a, "Events A2");
    expect((await s.rest("DELETE", `/api/v1/organizations/${b}`)).status).toBe(200);
    allIds = (await s.db.event.findMany({ orderBy: { id: "desc" } })).map((e) => e.id);
    expect(allIds).toHaveLength(4);
  });
  afterAll(async () => { await s?.close(); });

  it("listEventsPaginated returns the envelope, newest first, with cursors both ways", async () => {
    const p1 = await client.events.listEventsPaginated(3, "");
    expect(p1.events.map((e) => e.id)).toEqual(allIds.slice(0, 3));
    const first = p1.events[0];
    expect(first).toMatchObject({ type: "organization.deleted", specVersion: "1", organizationId: b, object: events.ObjectType.Organization, environmentId: s.built.environmentId });
    expect(first.data).toMatchObject({ id: b, display_name: "Events B" });
    expect(Date.parse(String(first.data!.deleted_at))).toBeGreaterThan(Date.now() - 600_000);
    expect(Math.abs(timestampDate(first.occurredAt!).getTime() - Date.now())).toBeLessThan(120_000);
    expect(p1.prevPageToken).toBe("");
    const p2 = await client.events.listEventsPaginated(3, p1.nextPageToken);
    expect(p2.events.map((e) => e.id)).toEqual(allIds.slice(3));
    expect(p2.nextPageToken).toBe("");
    const back = await client.events.listEventsPaginated(3, p2.prevPageToken);
    expect(back.events.map((e) => e.id)).toEqual(allIds.slice(0, 3));
  });

  it("filters by type, organization and time", async () => {
    const created = await client.events.listEventsPaginated(10, "", { eventTypes: ["organization.created"] });
    expect(created.events.map((e) => e.organizationId).sort()).toEqual([a, b].sort());
    const ofA = await client.events.listEventsPaginated(10, "", { organizationId: a });
    expect(ofA.events.map((e) => e.type)).toEqual(["organization.updated", "organization.created"]);
    const future = await client.events.listEventsPaginated(10, "", { startTime: timestampFromDate(new Date(Date.now() + 3_600_000)) });
    expect(future.events).toEqual([]);
    const past = await client.events.listEventsPaginated(10, "", { endTime: timestampFromDate(new Date(Date.now() + 3_600_000)), startTime: timestampFromDate(new Date(Date.now() - 3_600_000)) });
    expect(past.events).toHaveLength(4);
    const dir = await client.events.listEventsPaginated(10, "", { source: events.Source.DIR_SYNC });
    expect(dir.events).toEqual([]);
    const interceptor = await client.events.listEventsPaginated(10, "", { interceptorId: "int_1" });
    expect(interceptor.events).toEqual([]);
  });

  it("refuses a start time after the end time and a bad page token", async () => {
    const e = await client.events.listEventsPaginated(10, "", { startTime: timestampFromDate(new Date()), endTime: timestampFromDate(new Date(Date.now() - 1000)) }).then(() => undefined, (x) => x);
    expect(e).toBeInstanceOf(sdk.ScalekitServerException);
    const r = await s.rest("POST", "/api/v1/events/paginated?page_token=%25bad", {});
    expect(r.status).toBe(400);
    expect(r.body.details[0].error_code).toBe("INVALID_ARGUMENT");
  });

  it("ListEvents over REST counts the matches; ListEventsPaginated does not", async () => {
    const r = await s.rest("POST", "/api/v1/events?page_size=2", { event_types: ["organization.created", "organization.updated"] });
    expect(r.status).toBe(200);
    expect(r.body.total_size).toBe(3);
    expect(r.body.events.map((e: any) => e.id)).toEqual(allIds.slice(1, 3));
    expect(r.body.events[0]).toMatchObject({ type: "organization.updated", organization_id: a, object: "Organization", spec_version: "1" });
    expect(r.body.next_page_token).not.toBe("");
    const p = await s.rest("POST", "/api/v1/events/paginated", {});
    expect(p.status).toBe(200);
    expect(p.body.events).toHaveLength(4);
    expect(p.body.total_size).toBeUndefined();
    const big = await s.rest("POST", "/api/v1/events/paginated?page_size=1000", {});
    expect(big.status).toBe(200);
    expect((await s.rest("POST", "/api/v1/events", {}, { token: "" })).status).toBe(401);
  });
});
