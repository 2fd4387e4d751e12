// REST conformance of the Organizations tag: every response body is checked against the OpenAPI schema of its
// operation and status, every documented error against the error envelope, and every change against the rows
// of the events table (the transactional outbox).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { expectErrorBody, expectResponse, operationsOfTag, validatedOperations } from "../helpers/openapi.js";
import { newId } from "../../src/protocol/ids.js";

const ORG = "/api/v1/organizations";
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

async function eventsOf(s: TestServer, organizationId: string) {
  const rows = await s.db.event.findMany({ where: { organizationId }, orderBy: { id: "asc" } });
  return rows.map((r) => r.payload as any);
}

function expectEnvelope(s: TestServer, e: any, type: string, organizationId: string) {
  expect(e).toMatchObject({ spec_version: "1", type, object: "Organization", environment_id: s.built.environmentId, organization_id: organizationId });
  expect(e.id).toMatch(/^evt_\d{18}$/);
  expect(e.occurred_at).toMatch(RFC3339);
}

describe("Organizations REST", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(async () => { await s?.close(); });

  const create = (body: unknown) => s.rest("POST", ORG, body);

  describe("POST /organizations", () => {
    it("creates an organization: 201, the documented body, and one organization.created event", async () => {
      const res = await create({ display_name: "Megasoft Inc", external_id: "ext_create", metadata: { industry: "technology" } });
      expectResponse(res, "OrganizationService_CreateOrganization", 201);
      const org = res.body.organization;
      expect(org).toMatchObject({
        display_name: "Megasoft Inc", external_id: "ext_create", metadata: { industry: "technology" },
        region_code: "US", settings: { features: [] },
      });
      expect(org.id).toMatch(/^org_\d{18}$/);
      expect(org.create_time).toMatch(RFC3339);
      expect(org.update_time).toBe(org.create_time);

      const events = await eventsOf(s, org.id);
      expect(events).toHaveLength(1);
      expectEnvelope(s, events[0], "organization.created", org.id);
      // event data is the organization exactly as REST shows it
      expect(events[0].data).toEqual(org);
      expect((await s.rest("GET", `${ORG}/${org.id}`)).body.organization).toEqual(org);
    });

    it("accepts a minimal body and stores slug and logo_url when given", async () => {
      const res = await create({ display_name: "Minimal" });
      expectResponse(res, "OrganizationService_CreateOrganization", 201);
      expect(res.body.organization.external_id).toBeUndefined();
      expect(res.body.organization.metadata).toEqual({});

      const branded = await create({ display_name: "Branded", slug: "acme.example", logo_url: "https://cdn.example.com/a.png" });
      expectResponse(branded, "OrganizationService_CreateOrganization", 201);
      expect(branded.body.organization).toMatchObject({ slug: "acme.example", logo_url: "https://cdn.example.com/a.png" });
      const dup = await create({ display_name: "Branded 2", slug: "acme.example" });
      expect(dup.status).toBe(409);
      expectErrorBody(dup.body, 6, "ALREADY_EXISTS");
      expect(dup.body.message).toContain("slug acme.example");
    });

    it.each([
      ["missing display_name", { external_id: "x" }, "display_name"],
      ["blank display_name", { display_name: "   " }, "display_name"],
      ["201-character display_name", { display_name: "x".repeat(201) }, "display_name"],
      ["2-character metadata key", { display_name: "A", metadata: { ab: "v" } }, "metadata"],
      ["26-character metadata key", { display_name: "A", metadata: { ["k".repeat(26)]: "v" } }, "metadata"],
      ["empty metadata value", { display_name: "A", metadata: { key: "" } }, "metadata"],
      ["257-character metadata value", { display_name: "A", metadata: { key: "v".repeat(257) } }, "metadata"],
      ["11 metadata pairs", { display_name: "A", metadata: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`key${i}`, "v"])) }, "metadata"],
      ["slug with capitals", { display_name: "A", slug: "Acme" }, "slug"],
      ["http logo_url", { display_name: "A", logo_url: "http://cdn.example.com/a.png" }, "logo_url"],
      ["metadata of the wrong type", { display_name: "A", metadata: { key: 5 } }, "metadata"],
      // PostgreSQL cannot store U+0000; the database's refusal is still the client's mistake
      ["a NUL character in display_name", { display_name: "A\u0000B" }, "NUL"],
      ["a NUL character in a metadata value", { display_name: "A", metadata: { key: "v\u0000" } }, "NUL"],
    ])("rejects %s with 400 naming the problem and writes nothing", async (_name, body, field) => {
      const before = await s.db.organization.count();
      const eventsBefore = await s.db.event.count();
      const res = await create(body);
      expect(res.status).toBe(400);
      expectErrorBody(res.body, 3, "INVALID_ARGUMENT");
      expect(res.body.message).toContain(field);
      expect(await s.db.organization.count()).toBe(before);
      expect(await s.db.event.count()).toBe(eventsBefore);
    });

    it("accepts exactly the limits: 200-character name, 10 pairs, 3/25-character keys, 256-character values", async () => {
      const metadata: Record<string, string> = { abc: "v".repeat(256), ["k".repeat(25)]: "1" };
      for (let i = 0; i < 8; i++) metadata[`key${i}`] = "x";
      const res = await create({ display_name: "n".repeat(200), metadata });
      expectResponse(res, "OrganizationService_CreateOrganization", 201);
      expect(Object.keys(res.body.organization.metadata)).toHaveLength(10);
    });

    it("rejects a body that is not JSON with 400", async () => {
      const res = await s.rest("POST", ORG, "{not json");
      expect(res.status).toBe(400);
      expectErrorBody(res.body, 3, "INVALID_ARGUMENT");
    });

    it("answers a duplicate external_id with 409 and leaves no event", async () => {
      const first = await create({ display_name: "First", external_id: "ext_dup" });
      expectResponse(first, "OrganizationService_CreateOrganization", 201);
      const eventsBefore = await s.db.event.count();
      const second = await create({ display_name: "Second", external_id: "ext_dup" });
      expect(second.status).toBe(409);
      expectErrorBody(second.body, 6, "ALREADY_EXISTS");
      expect(second.body.message).toBe("organization with external_id ext_dup already exists");
      expect(await s.db.event.count()).toBe(eventsBefore);
      expect(await s.db.organization.count({ where: { externalId: "ext_dup" } })).toBe(1);
    });

    it("lets exactly one of 20 concurrent creates with the same external_id win", async () => {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => create({ display_name: `Racer ${i}`, external_id: "ext_race" })));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses.filter((x) => x === 201)).toHaveLength(1);
      expect(statuses.filter((x) => x === 409)).toHaveLength(19);
      for (const r of results.filter((x) => x.status === 409)) expectErrorBody(r.body, 6, "ALREADY_EXISTS");
      const rows = await s.db.organization.findMany({ where: { externalId: "ext_race" } });
      expect(rows).toHaveLength(1);
      const created = await s.db.event.findMany({ where: { type: "organization.created", organizationId: rows[0].id } });
      expect(created).toHaveLength(1);
      expect(await s.db.event.count({ where: { type: "organization.created", payload: { path: ["data", "external_id"], equals: "ext_race" } } })).toBe(1);
    });
  });

  describe("GET /organizations/{id} and /organizations:external/{external_id}", () => {
    it("reads by id and by external id", async () => {
      const org = (await create({ display_name: "Readable", external_id: "ext_read" })).body.organization;
      const byId = await s.rest("GET", `${ORG}/${org.id}`);
      expectResponse(byId, "OrganizationService_GetOrganization", 200);
      expect(byId.body.organization).toEqual(org);
      const byExt = await s.rest("GET", `${ORG}:external/ext_read`);
      expectResponse(byExt, "OrganizationService_GetOrganizationByExternalId", 200);
      expect(byExt.body.organization).toEqual(org);
    });

    it("answers an unknown id with 404", async () => {
      const res = await s.rest("GET", `${ORG}/org_000000000000000001`);
      expect(res.status).toBe(404);
      expectErrorBody(res.body, 5, "NOT_FOUND");
      expect(res.body.message).toContain("org_000000000000000001");
    });

    it("documents 404 for an unknown external id and 400 for an invalid one", async () => {
      const missing = await s.rest("GET", `${ORG}:external/no_such_tenant`);
      expectResponse(missing, "OrganizationService_GetOrganizationByExternalId", 404);
      expectErrorBody(missing.body, 5, "NOT_FOUND");
      const tooLong = await s.rest("GET", `${ORG}:external/${"e".repeat(256)}`);
      expectResponse(tooLong, "OrganizationService_GetOrganizationByExternalId", 400);
      expectErrorBody(tooLong.body, 3, "INVALID_ARGUMENT");
    });

    it("rejects an over-long id with 400 rather than looking it up", async () => {
      const res = await s.rest("GET", `${ORG}/org_${"1".repeat(40)}`);
      expect(res.status).toBe(400);
      expectErrorBody(res.body, 3, "INVALID_ARGUMENT");
    });
  });

  describe("PATCH /organizations/{id}", () => {
    it("changes only the fields present and emits organization.updated with the new state", async () => {
      const org = (await create({ display_name: "Before", external_id: "ext_patch", metadata: { industry: "retail" } })).body.organization;
      const res = await s.rest("PATCH", `${ORG}/${org.id}`, { display_name: "After" });
      expectResponse(res, "OrganizationService_UpdateOrganization", 200);
      const updated = res.body.organization;
      expect(updated).toMatchObject({ id: org.id, display_name: "After", external_id: "ext_patch", metadata: { industry: "retail" }, create_time: org.create_time });
      expect(Date.parse(updated.update_time)).toBeGreaterThanOrEqual(Date.parse(org.update_time));

      const meta = await s.rest("PATCH", `${ORG}/${org.id}`, { metadata: { industry: "technology", plan: "premium" } });
      expectResponse(meta, "OrganizationService_UpdateOrganization", 200);
      expect(meta.body.organization).toMatchObject({ display_name: "After", metadata: { industry: "technology", plan: "premium" } });

      const events = await eventsOf(s, org.id);
      expect(events.map((e) => e.type)).toEqual(["organization.created", "organization.updated", "organization.updated"]);
      expectEnvelope(s, events[2], "organization.updated", org.id);
      expect(events[1].data.display_name).toBe("After");
      expect(events[2].data).toEqual(meta.body.organization);
    });

    it("does not change the region and writes no event when nothing changes", async () => {
      const org = (await create({ display_name: "Regional" })).body.organization;
      const res = await s.rest("PATCH", `${ORG}/${org.id}`, { region_code: "EU", display_name: "Regional" });
      expectResponse(res, "OrganizationService_UpdateOrganization", 200);
      expect(res.body.organization).toEqual(org);
      expect((await eventsOf(s, org.id)).map((e) => e.type)).toEqual(["organization.created"]);
    });

    it("sets and clears external_id, and clears metadata only through update_mask", async () => {
      const org = (await create({ display_name: "Ids", metadata: { keep: "yes" } })).body.organization;
      const set = await s.rest("PATCH", `${ORG}/${org.id}`, { external_id: "ext_later" });
      expect(set.body.organization.external_id).toBe("ext_later");
      expect((await s.rest("GET", `${ORG}:external/ext_later`)).body.organization.id).toBe(org.id);
      const kept = await s.rest("PATCH", `${ORG}/${org.id}`, { metadata: {} });
      expect(kept.body.organization.metadata).toEqual({ keep: "yes" });
      // protojson spells field-mask paths in lowerCamelCase
      const cleared = await s.rest("PATCH", `${ORG}/${org.id}?update_mask=metadata,externalId`, {});
      expectResponse(cleared, "OrganizationService_UpdateOrganization", 200);
      expect(cleared.body.organization.metadata).toEqual({});
      expect(cleared.body.organization.external_id).toBeUndefined();
      const badMask = await s.rest("PATCH", `${ORG}/${org.id}?update_mask=regionCode`, {});
      expect(badMask.status).toBe(400);
      expectErrorBody(badMask.body, 3, "INVALID_ARGUMENT");
    });

    it("answers 409 for another organization's external_id, 404 for an unknown id, 400 for invalid values", async () => {
      await create({ display_name: "Owner", external_id: "ext_taken" });
      const org = (await create({ display_name: "Taker" })).body.organization;
      const eventsBefore = await s.db.event.count();
      const taken = await s.rest("PATCH", `${ORG}/${org.id}`, { external_id: "ext_taken" });
      expect(taken.status).toBe(409);
      expectErrorBody(taken.body, 6, "ALREADY_EXISTS");
      expect(await s.db.event.count()).toBe(eventsBefore);

      const missing = await s.rest("PATCH", `${ORG}/org_000000000000000002`, { display_name: "x" });
      expect(missing.status).toBe(404);
      expectErrorBody(missing.body, 5, "NOT_FOUND");

      for (const body of [{ display_name: "" }, { display_name: "y".repeat(201) }, { metadata: { k: "v" } }]) {
        const bad = await s.rest("PATCH", `${ORG}/${org.id}`, body);
        expect(bad.status).toBe(400);
        expectErrorBody(bad.body, 3, "INVALID_ARGUMENT");
      }
    });
  });

  describe("DELETE /organizations/{id}", () => {
    it("deletes: 200 {}, then 404, and an organization.deleted event with deleted_at", async () => {
      const org = (await create({ display_name: "Doomed", external_id: "ext_doomed" })).body.organization;
      await s.rest("PUT", `${ORG}/${org.id}/portal_links`);
      const res = await s.rest("DELETE", `${ORG}/${org.id}`);
      expectResponse(res, "OrganizationService_DeleteOrganization", 200);
      expect(res.body).toEqual({});
      expect((await s.rest("GET", `${ORG}/${org.id}`)).status).toBe(404);
      expect(await s.db.portalLink.count({ where: { organizationId: org.id } })).toBe(0);

      const events = await eventsOf(s, org.id);
      expect(events.map((e) => e.type)).toEqual(["organization.created", "organization.deleted"]);
      expectEnvelope(s, events[1], "organization.deleted", org.id);
      const { deleted_at, ...data } = events[1].data;
      expect(deleted_at).toMatch(RFC3339);
      expect(data).toEqual(org);

      const again = await s.rest("DELETE", `${ORG}/${org.id}`);
      expect(again.status).toBe(404);
      expectErrorBody(again.body, 5, "NOT_FOUND");
      // the external id is free again
      expect((await create({ display_name: "Reborn", external_id: "ext_doomed" })).status).toBe(201);
    });
  });

  describe("GET /organizations", () => {
    it("lists with the documented body and filters by external_id", async () => {
      const org = (await create({ display_name: "Filtered", external_id: "ext_filter" })).body.organization;
      const all = await s.rest("GET", ORG);
      expectResponse(all, "OrganizationService_ListOrganization", 200);
      expect(all.body.total_size).toBe(await s.db.organization.count());
      expect(all.body.organizations).toHaveLength(Math.min(10, all.body.total_size));
      const one = await s.rest("GET", `${ORG}?external_id=ext_filter`);
      expectResponse(one, "OrganizationService_ListOrganization", 200);
      expect(one.body).toEqual({ organizations: [org], total_size: 1, next_page_token: "", prev_page_token: "" });
      const none = await s.rest("GET", `${ORG}?external_id=nobody`);
      expect(none.body).toEqual({ organizations: [], total_size: 0, next_page_token: "", prev_page_token: "" });
    });

    it.each(["not a token", "eyJ4IjoxfQ", "%%%", "e30"])("answers page_token=%j with the documented 400 naming page_token", async (token) => {
      const res = await s.rest("GET", `${ORG}?page_token=${encodeURIComponent(token)}`);
      expectResponse(res, "OrganizationService_ListOrganization", 400);
      expectErrorBody(res.body, 3, "INVALID_ARGUMENT");
      expect(res.body.details[0].validation_error_info.field_violations[0].field).toBe("page_token");
    });

    it("rejects a page_size that is not a number with 400", async () => {
      const res = await s.rest("GET", `${ORG}?page_size=ten`);
      expect(res.status).toBe(400);
      expectErrorBody(res.body, 3, "INVALID_ARGUMENT");
      expect(res.body.message).toContain("page_size");
    });
  });

  describe("PUT /organizations/{id}/portal_links", () => {
    it("generates a single-use link valid for one minute, lists and deletes links", async () => {
      const org = (await create({ display_name: "Portal" })).body.organization;
      const t0 = Date.now();
      const res = await s.rest("PUT", `${ORG}/${org.id}/portal_links?features=sso&features=dir_sync`);
      expectResponse(res, "OrganizationService_GeneratePortalLink", 200);
      const link = res.body.link;
      expect(link.id).toMatch(/^lnk_\d{18}$/);
      expect(link.location.startsWith(`${s.url}/portal/${link.id}?token=`)).toBe(true);
      const ttl = Date.parse(link.expire_time) - t0;
      expect(ttl).toBeGreaterThan(55_000);
      expect(ttl).toBeLessThanOrEqual(61_000);
      const row = await s.db.portalLink.findUniqueOrThrow({ where: { id: link.id } });
      expect(row).toMatchObject({ organizationId: org.id, features: [1, 2], usedAt: null });

      const second = (await s.rest("PUT", `${ORG}/${org.id}/portal_links`)).body.link;
      expect(second.location).not.toBe(link.location);
      const listed = await s.rest("GET", `${ORG}/${org.id}/portal_links`);
      expect(listed.status).toBe(200);
      expect(listed.body.links.map((l: any) => l.id)).toEqual([link.id, second.id]);

      const delOne = await s.rest("DELETE", `${ORG}/${org.id}/portal_links/${link.id}`);
      expect(delOne).toMatchObject({ status: 200, body: {} });
      expect((await s.rest("DELETE", `${ORG}/${org.id}/portal_links/${link.id}`)).status).toBe(404);
      const delAll = await s.rest("DELETE", `${ORG}/${org.id}/portal_links`);
      expect(delAll).toMatchObject({ status: 200, body: {} });
      expect((await s.rest("GET", `${ORG}/${org.id}/portal_links`)).body.links).toEqual([]);
    });

    it("answers an unknown organization with 404 and a malformed id with 400", async () => {
      const missing = await s.rest("PUT", `${ORG}/org_000000000000000003/portal_links`);
      expect(missing.status).toBe(404);
      expectErrorBody(missing.body, 5, "NOT_FOUND");
      const malformed = await s.rest("PUT", `${ORG}/acme/portal_links`);
      expect(malformed.status).toBe(400);
      expectErrorBody(malformed.body, 3, "INVALID_ARGUMENT");
    });
  });

  describe("PATCH /organizations/{id}/settings", () => {
    it("merges feature toggles by name and emits organization.updated", async () => {
      const org = (await create({ display_name: "Featured" })).body.organization;
      const res = await s.rest("PATCH", `${ORG}/${org.id}/settings`, { features: [{ name: "sso", enabled: true }, { name: "dir_sync", enabled: false }] });
      expectResponse(res, "OrganizationService_UpdateOrganizationSettings", 200);
      expect(res.body.organization.settings.features).toEqual([{ name: "sso", enabled: true }, { name: "dir_sync", enabled: false }]);
      const again = await s.rest("PATCH", `${ORG}/${org.id}/settings`, { features: [{ name: "dir_sync", enabled: true }] });
      expectResponse(again, "OrganizationService_UpdateOrganizationSettings", 200);
      expect(again.body.organization.settings.features).toEqual([{ name: "sso", enabled: true }, { name: "dir_sync", enabled: true }]);
      expect((await s.rest("GET", `${ORG}/${org.id}`)).body.organization.settings.features).toEqual(again.body.organization.settings.features);

      const events = await eventsOf(s, org.id);
      expect(events.map((e) => e.type)).toEqual(["organization.created", "organization.updated", "organization.updated"]);
      expect(events[2].data).toEqual(again.body.organization);
    });

    it("documents 400 for invalid values and 404 for an unknown organization", async () => {
      const org = (await create({ display_name: "Bad settings" })).body.organization;
      const bad = await s.rest("PATCH", `${ORG}/${org.id}/settings`, { features: [{ name: "", enabled: true }] });
      expectResponse(bad, "OrganizationService_UpdateOrganizationSettings", 400);
      expectErrorBody(bad.body, 3, "INVALID_ARGUMENT");
      const wrongType = await s.rest("PATCH", `${ORG}/${org.id}/settings`, { features: [{ name: "sso", enabled: "yes" }] });
      expectResponse(wrongType, "OrganizationService_UpdateOrganizationSettings", 400);
      const missing = await s.rest("PATCH", `${ORG}/org_000000000000000004/settings`, { features: [{ name: "sso", enabled: true }] });
      expectResponse(missing, "OrganizationService_UpdateOrganizationSettings", 404);
      expectErrorBody(missing.body, 5, "NOT_FOUND");
    });
  });

  describe("/organizations/{organization_id}/settings/usermanagement", () => {
    it("upserts and reads max_allowed_users, emitting organization.updated", async () => {
      const org = (await create({ display_name: "Limited" })).body.organization;
      const unset = await s.rest("GET", `${ORG}/${org.id}/settings/usermanagement`);
      expect(unset).toMatchObject({ status: 200, body: { settings: {} } });
      const res = await s.rest("PATCH", `${ORG}/${org.id}/settings/usermanagement`, { settings: { max_allowed_users: 100 } });
      expectResponse(res, "OrganizationService_UpsertUserManagementSettings", 200);
      expect(res.body).toEqual({ settings: { max_allowed_users: 100 } });
      const zero = await s.rest("PATCH", `${ORG}/${org.id}/settings/usermanagement`, { settings: { max_allowed_users: 0 } });
      expectResponse(zero, "OrganizationService_UpsertUserManagementSettings", 200);
      expect(zero.body).toEqual({ settings: { max_allowed_users: 0 } });
      expect((await s.rest("GET", `${ORG}/${org.id}/settings/usermanagement`)).body).toEqual({ settings: { max_allowed_users: 0 } });
      expect((await eventsOf(s, org.id)).map((e) => e.type)).toEqual(["organization.created", "organization.updated", "organization.updated"]);
    });

    it("rejects a negative limit and a missing settings object with 400, an unknown organization with 404", async () => {
      const org = (await create({ display_name: "Limited 2" })).body.organization;
      for (const body of [{ settings: { max_allowed_users: -1 } }, {}]) {
        const bad = await s.rest("PATCH", `${ORG}/${org.id}/settings/usermanagement`, body);
        expect(bad.status).toBe(400);
        expectErrorBody(bad.body, 3, "INVALID_ARGUMENT");
      }
      const missing = await s.rest("PATCH", `${ORG}/org_000000000000000005/settings/usermanagement`, { settings: { max_allowed_users: 1 } });
      expect(missing.status).toBe(404);
      expectErrorBody(missing.body, 5, "NOT_FOUND");
    });
  });

  describe("/organizations/{organization_id}/session-policy (not in the REST contract; the SDK uses it)", () => {
    it("defaults to APPLICATION, stores a CUSTOM policy in minutes and reverts", async () => {
      const org = (await create({ display_name: "Sessions" })).body.organization;
      expect((await s.rest("GET", `${ORG}/${org.id}/session-policy`)).body).toEqual({ policy: { policy_source: "APPLICATION" } });
      const custom = await s.rest("PATCH", `${ORG}/${org.id}/session-policy`, {
        policy_source: "CUSTOM", absolute_session_timeout: 2, absolute_session_timeout_unit: "DAYS",
        idle_session_timeout_enabled: true, idle_session_timeout: 3, idle_session_timeout_unit: "HOURS",
      });
      expect(custom.status).toBe(200);
      expect(custom.body.policy).toEqual({
        policy_source: "CUSTOM", absolute_session_timeout: 2880, absolute_session_timeout_unit: "MINUTES",
        idle_session_timeout_enabled: true, idle_session_timeout: 180, idle_session_timeout_unit: "MINUTES",
      });
      expect((await s.rest("GET", `${ORG}/${org.id}/session-policy`)).body).toEqual(custom.body);
      const app = await s.rest("PATCH", `${ORG}/${org.id}/session-policy`, { policy_source: "APPLICATION" });
      expect(app.body).toEqual({ policy: { policy_source: "APPLICATION" } });
      expect((await eventsOf(s, org.id)).map((e) => e.type)).toEqual(["organization.created", "organization.updated", "organization.updated"]);

      const appPolicy = await s.rest("GET", `${ORG}/${org.id}/application-session-policy`);
      expect(appPolicy.status).toBe(200);
      expect(appPolicy.body.application_policy.access_token_expiry).toBe(5);
    });

    it.each([
      ["no policy_source", {}],
      ["CUSTOM without a timeout", { policy_source: "CUSTOM" }],
      ["a timeout below the access-token expiry", { policy_source: "CUSTOM", absolute_session_timeout: 5 }],
      ["an idle timeout longer than the absolute one", { policy_source: "CUSTOM", absolute_session_timeout: 60, idle_session_timeout_enabled: true, idle_session_timeout: 61 }],
      ["idle enabled without a value", { policy_source: "CUSTOM", absolute_session_timeout: 60, idle_session_timeout_enabled: true }],
    ])("rejects %s with 400", async (_name, body) => {
      const org = (await create({ display_name: "Sessions bad" })).body.organization;
      const res = await s.rest("PATCH", `${ORG}/${org.id}/session-policy`, body);
      expect(res.status).toBe(400);
      expectErrorBody(res.body, 3, "INVALID_ARGUMENT");
    });
  });

  describe("GET /organizations:search (not in the REST contract; the SDK uses it)", () => {
    it("matches display_name, external_id and id case-insensitively, with literal % and _", async () => {
      const a = (await create({ display_name: "Zebra Search 100%", external_id: "zs_one" })).body.organization;
      const b = (await create({ display_name: "Other", external_id: "ZEBRA_two" })).body.organization;
      await create({ display_name: "Zebra1Search" });
      const res = await s.rest("GET", `${ORG}:search?query=zebra`);
      expect(res.status).toBe(200);
      expect(res.body.organizations.map((o: any) => o.id)).toEqual(expect.arrayContaining([a.id, b.id]));
      expect(res.body.total_size).toBe(3);
      expect((await s.rest("GET", `${ORG}:search?query=${encodeURIComponent(a.id.slice(-8))}`)).body.organizations.map((o: any) => o.id)).toEqual([a.id]);
      expect((await s.rest("GET", `${ORG}:search?query=${encodeURIComponent("100%")}`)).body.total_size).toBe(1);
      expect((await s.rest("GET", `${ORG}:search?query=${encodeURIComponent("zebra_")}`)).body.organizations.map((o: any) => o.id)).toEqual([b.id]);
    });

    it("pages through matches and validates query and page_size", async () => {
      for (let i = 0; i < 5; i++) await create({ display_name: `Pager match ${i}` });
      const first = await s.rest("GET", `${ORG}:search?query=pager&page_size=2`);
      expect(first.body).toMatchObject({ total_size: 5, prev_page_token: "" });
      expect(first.body.organizations).toHaveLength(2);
      const second = await s.rest("GET", `${ORG}:search?query=pager&page_size=2&page_token=${first.body.next_page_token}`);
      expect(second.body.organizations).toHaveLength(2);
      expect(second.body.prev_page_token).not.toBe("");
      for (const q of ["query=ab", "query=pager&page_size=31", `query=${"q".repeat(101)}`, "query=pager&page_token=bogus"]) {
        const bad = await s.rest("GET", `${ORG}:search?${q}`);
        expect(bad.status).toBe(400);
        expectErrorBody(bad.body, 3, "INVALID_ARGUMENT");
      }
    });
  });

  it("validated a success response of every Organizations operation of the contract", () => {
    const done = validatedOperations();
    const missing = operationsOfTag("Organizations").flatMap((op) =>
      op.statuses.map((st) => `${op.operationId} ${st}`)).filter((k) => !done.has(k));
    expect(missing).toEqual([]);
  });
});

describe("Organizations REST pagination", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(async () => { await s?.close(); });

  it("walks 250 organizations newest first at page_size 10, forwards and backwards, each exactly once", async () => {
    // a fresh environment has its Test Organization (the oldest id); 249 more are made here
    const seeded = (await s.db.organization.findMany({ orderBy: { id: "asc" } })).map((o) => o.id);
    expect(seeded).toHaveLength(1);
    const created = Array.from({ length: 249 }, () => newId("org"));
    await s.db.organization.createMany({ data: created.map((id, i) => ({ id, displayName: `Org ${i}` })) });
    // the cloud lists the newest first: the Test Organization comes last
    const ids = [...seeded, ...created].reverse();

    const forward: string[] = [];
    const pages: any[] = [];
    let token = "";
    do {
      const res = await s.rest("GET", `${ORG}?page_size=10${token ? `&page_token=${token}` : ""}`);
      expectResponse(res, "OrganizationService_ListOrganization", 200);
      expect(res.body.total_size).toBe(250);
      expect(res.body.organizations.length).toBe(10);
      if (pages.length === 0) expect(res.body.prev_page_token).toBe("");
      else expect(res.body.prev_page_token).not.toBe("");
      pages.push(res.body);
      forward.push(...res.body.organizations.map((o: any) => o.id));
      token = res.body.next_page_token;
    } while (token && pages.length < 30);
    expect(pages).toHaveLength(25);
    expect(forward).toEqual(ids);

    const backward: string[][] = [];
    token = pages[24].prev_page_token;
    while (token) {
      const res = await s.rest("GET", `${ORG}?page_size=10&page_token=${token}`);
      expect(res.status).toBe(200);
      backward.unshift(res.body.organizations.map((o: any) => o.id));
      expect(res.body.next_page_token).not.toBe("");
      token = res.body.prev_page_token;
    }
    expect(backward).toHaveLength(24);
    expect([...backward.flat(), ...pages[24].organizations.map((o: any) => o.id)]).toEqual(ids);
  });

  it("keeps pages stable while organizations are created and deleted between requests", async () => {
    const first = (await s.rest("GET", `${ORG}?page_size=10`)).body;
    const firstIds = first.organizations.map((o: any) => o.id);
    // deleting a row already seen and adding a new one must neither repeat nor skip the rest
    await s.rest("DELETE", `${ORG}/${firstIds[9]}`);
    const added = (await s.rest("POST", ORG, { display_name: "Late arrival" })).body.organization.id;
    const seen: string[] = [...firstIds];
    let token = first.next_page_token;
    while (token) {
      const page = (await s.rest("GET", `${ORG}?page_size=100&page_token=${token}`)).body;
      seen.push(...page.organizations.map((o: any) => o.id));
      token = page.next_page_token;
    }
    expect(new Set(seen).size).toBe(seen.length);
    // newest first: the new one comes before the pages already walked, so this walk does not see it
    expect(seen).toHaveLength(250);
    expect(seen).not.toContain(added);
    expect((await s.rest("GET", `${ORG}?page_size=10`)).body.organizations[0].id).toBe(added);
  });

  it("applies the default page size and clamps page_size into 10..100", async () => {
    const sizes: Record<string, number> = { "": 10, "page_size=0": 10, "page_size=5": 10, "page_size=37": 37, "page_size=1000": 100 };
    for (const [q, n] of Object.entries(sizes)) {
      const res = await s.rest("GET", `${ORG}?${q}`);
      expectResponse(res, "OrganizationService_ListOrganization", 200);
      expect(res.body.organizations, q).toHaveLength(n);
    }
  });
});
