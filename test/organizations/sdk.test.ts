// Every organization method of the real @scalekit-sdk/node client against the server (gRPC over HTTP/2), with the
// exception classes the SDK raises for each kind of failure.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { sdk, sdkClient, sdkRejection } from "../helpers/sdk.js";
import type { ScalekitClient } from "@scalekit-sdk/node";

describe("Organizations through the Node SDK", () => {
  let s: TestServer;
  let client: ScalekitClient;
  beforeAll(async () => { s = await startTestServer(); client = sdkClient(s); });
  afterAll(async () => { await s?.close(); });

  const rejection = sdkRejection;

  it("createOrganization returns the stored organization", async () => {
    const res = await client.organization.createOrganization("Acme Corp", { externalId: "sdk_acme", slug: "acme", logoUrl: "https://cdn.example.com/acme.png" });
    const org = res.organization!;
    expect(org.id).toMatch(/^org_\d{18}$/);
    expect(org).toMatchObject({ displayName: "Acme Corp", externalId: "sdk_acme", slug: "acme", logoUrl: "https://cdn.example.com/acme.png", regionCode: 1, metadata: {} });
    expect(Math.abs(timestampDate(org.createTime!).getTime() - Date.now())).toBeLessThan(60_000);
    expect(org.settings?.features).toEqual([]);
    const row = await s.db.organization.findUniqueOrThrow({ where: { id: org.id } });
    expect(row).toMatchObject({ displayName: "Acme Corp", externalId: "sdk_acme" });
  });

  it("createOrganization raises ScalekitConflictException for a taken external id and BadRequest for a bad name", async () => {
    await client.organization.createOrganization("Taken", { externalId: "sdk_taken" });
    const conflict = await rejection(client.organization.createOrganization("Again", { externalId: "sdk_taken" }));
    expect(conflict).toBeInstanceOf(sdk.ScalekitConflictException);
    expect(conflict.errorCode).toBe("ALREADY_EXISTS");
    expect(conflict.httpStatus).toBe(409);

    const bad = await rejection(client.organization.createOrganization("x".repeat(201)));
    expect(bad).toBeInstanceOf(sdk.ScalekitBadRequestException);
    expect(bad.errorCode).toBe("INVALID_ARGUMENT");
    expect(bad.message).toContain("display_name");
  });

  it("getOrganization and getOrganizationByExternalId read the same organization; unknown ones raise NotFound", async () => {
    const created = (await client.organization.createOrganization("Readable", { externalId: "sdk_read" })).organization!;
    const byId = await client.organization.getOrganization(created.id);
    expect(byId.organization).toEqual(created);
    const byExt = await client.organization.getOrganizationByExternalId("sdk_read");
    expect(byExt.organization).toEqual(created);

    const missing = await rejection(client.organization.getOrganization("org_000000000000000009"));
    expect(missing).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect(missing.errorCode).toBe("NOT_FOUND");
    expect(await rejection(client.organization.getOrganizationByExternalId("sdk_nobody"))).toBeInstanceOf(sdk.ScalekitNotFoundException);
  });

  it("updateOrganization and updateOrganizationByExternalId change only what they name", async () => {
    const created = (await client.organization.createOrganization("Before", { externalId: "sdk_upd" })).organization!;
    const renamed = await client.organization.updateOrganization(created.id, { displayName: "After" });
    expect(renamed.organization).toMatchObject({ id: created.id, displayName: "After", externalId: "sdk_upd" });

    const tagged = await client.organization.updateOrganizationByExternalId("sdk_upd", { metadata: { industry: "technology", size: "enterprise" } });
    expect(tagged.organization).toMatchObject({ id: created.id, displayName: "After", metadata: { industry: "technology", size: "enterprise" } });

    const moved = await client.organization.updateOrganization(created.id, { externalId: "sdk_upd2" });
    expect(moved.organization?.externalId).toBe("sdk_upd2");
    expect((await client.organization.getOrganizationByExternalId("sdk_upd2")).organization?.metadata).toEqual({ industry: "technology", size: "enterprise" });

    expect(await rejection(client.organization.updateOrganization("org_000000000000000009", { displayName: "x" }))).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect(await rejection(client.organization.updateOrganization(created.id, { displayName: "" }))).toBeInstanceOf(sdk.ScalekitBadRequestException);
    await client.organization.createOrganization("Other", { externalId: "sdk_other" });
    expect(await rejection(client.organization.updateOrganization(created.id, { externalId: "sdk_other" }))).toBeInstanceOf(sdk.ScalekitConflictException);
  });

  it("deleteOrganization removes it", async () => {
    const created = (await client.organization.createOrganization("Doomed")).organization!;
    await client.organization.deleteOrganization(created.id);
    expect(await rejection(client.organization.getOrganization(created.id))).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect(await rejection(client.organization.deleteOrganization(created.id))).toBeInstanceOf(sdk.ScalekitNotFoundException);
  });

  it("listOrganization pages with the SDK's own `while (pageToken)` loop", async () => {
    const total = await s.db.organization.count();
    for (let i = 0; i < 12; i++) await client.organization.createOrganization(`Listed ${i}`);
    const seen: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await client.organization.listOrganization({ pageSize: 10, pageToken });
      expect(page.totalSize).toBe(total + 12);
      seen.push(...page.organizations.map((o) => o.id));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toHaveLength(total + 12);
    expect(new Set(seen).size).toBe(seen.length);
    expect(await rejection(client.organization.listOrganization({ pageToken: "garbage!" }))).toBeInstanceOf(sdk.ScalekitBadRequestException);
  });

  it("generatePortalLink returns a link for the organization", async () => {
    const created = (await client.organization.createOrganization("Portal")).organization!;
    const link = await client.organization.generatePortalLink(created.id);
    expect(link.id).toMatch(/^lnk_/);
    expect(link.location).toContain(`/portal/${link.id}`);
    expect(timestampDate(link.expireTime!).getTime()).toBeGreaterThan(Date.now());
    expect(await s.db.portalLink.count({ where: { organizationId: created.id } })).toBe(1);
    expect(await rejection(client.organization.generatePortalLink("org_000000000000000009"))).toBeInstanceOf(sdk.ScalekitNotFoundException);
  });

  it("updateOrganizationSettings toggles features", async () => {
    const created = (await client.organization.createOrganization("Featured")).organization!;
    const res = await client.organization.updateOrganizationSettings(created.id, { features: [{ name: "sso", enabled: true }, { name: "dir_sync", enabled: true }] });
    expect(res.organization?.settings?.features).toEqual([{ name: "sso", enabled: true }, { name: "dir_sync", enabled: true }].map((f) => expect.objectContaining(f)));
    const off = await client.organization.updateOrganizationSettings(created.id, { features: [{ name: "sso", enabled: false }] });
    expect(off.organization?.settings?.features.map((f) => [f.name, f.enabled])).toEqual([["sso", false], ["dir_sync", true]]);
    expect(await rejection(client.organization.updateOrganizationSettings("org_000000000000000009", { features: [] }))).toBeInstanceOf(sdk.ScalekitNotFoundException);
  });

  it("upsertUserManagementSettings and getOrganizationUserManagementSetting", async () => {
    const created = (await client.organization.createOrganization("Limited")).organization!;
    expect((await client.organization.getOrganizationUserManagementSetting(created.id)).settings?.maxAllowedUsers).toBeUndefined();
    const settings = await client.organization.upsertUserManagementSettings(created.id, { maxAllowedUsers: 50 });
    expect(settings?.maxAllowedUsers).toBe(50);
    // leaving the value out changes nothing
    expect((await client.organization.upsertUserManagementSettings(created.id, {}))?.maxAllowedUsers).toBe(50);
    expect((await client.organization.getOrganizationUserManagementSetting(created.id)).settings?.maxAllowedUsers).toBe(50);
    expect(await rejection(client.organization.upsertUserManagementSettings(created.id, { maxAllowedUsers: -5 }))).toBeInstanceOf(sdk.ScalekitBadRequestException);
  });

  it("updateOrganizationSessionPolicy and getOrganizationSessionPolicy", async () => {
    const created = (await client.organization.createOrganization("Sessions")).organization!;
    expect((await client.organization.getOrganizationSessionPolicy(created.id)).policySource).toBe(1); // APPLICATION
    const policy = await client.organization.updateOrganizationSessionPolicy(created.id, {
      policySource: "CUSTOM", absoluteSessionTimeout: 8, absoluteSessionTimeoutUnit: "HOURS",
      idleSessionTimeoutEnabled: true, idleSessionTimeout: 30, idleSessionTimeoutUnit: "MINUTES",
    });
    expect(policy).toMatchObject({ policySource: 2, absoluteSessionTimeout: 480, absoluteSessionTimeoutUnit: 1, idleSessionTimeoutEnabled: true, idleSessionTimeout: 30, idleSessionTimeoutUnit: 1 });
    expect(await client.organization.getOrganizationSessionPolicy(created.id)).toEqual(policy);
    const reverted = await client.organization.updateOrganizationSessionPolicy(created.id, { policySource: "APPLICATION" });
    expect(reverted.policySource).toBe(1);
    expect(reverted.absoluteSessionTimeout).toBeUndefined();
    const tooShort = await rejection(client.organization.updateOrganizationSessionPolicy(created.id, { policySource: "CUSTOM", absoluteSessionTimeout: 1, absoluteSessionTimeoutUnit: "MINUTES" }));
    expect(tooShort).toBeInstanceOf(sdk.ScalekitBadRequestException);
    expect(await rejection(client.organization.getOrganizationSessionPolicy("org_000000000000000009"))).toBeInstanceOf(sdk.ScalekitNotFoundException);
  });

  it("searchOrganization finds by name, external id or id and pages", async () => {
    const a = (await client.organization.createOrganization("Quokka Industries", { externalId: "sdk_q1" })).organization!;
    const b = (await client.organization.createOrganization("Other", { externalId: "SDK_QUOKKA_2" })).organization!;
    const res = await client.organization.searchOrganization("quokka", 1);
    expect(res.totalSize).toBe(2);
    expect(res.organizations.map((o) => o.id)).toEqual([a.id]);
    const next = await client.organization.searchOrganization("quokka", 1, res.nextPageToken);
    expect(next.organizations.map((o) => o.id)).toEqual([b.id]);
    expect(next.nextPageToken).toBe("");
    expect(await rejection(client.organization.searchOrganization("qu"))).toBeInstanceOf(sdk.ScalekitBadRequestException);
  });
});
