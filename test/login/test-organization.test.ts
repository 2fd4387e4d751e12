// A fresh environment has what a Scalekit development environment has: the Test Organization with verified
// domains example.com and example.org and an enabled IdP-simulator SSO connection; made once, at first start.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { freshDatabase } from "../helpers/database.js";
import { sdkClient } from "../helpers/sdk.js";
import { expectResponse } from "../helpers/openapi.js";
import { testOrganizationId } from "../../src/environment/test-organization.js";

describe("Test Organization", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(async () => { await s?.close(); });

  it("is the one organization of a fresh environment, with its id kept for the banner", async () => {
    const list = await s.rest("GET", "/api/v1/organizations");
    expectResponse(list, "OrganizationService_ListOrganization", 200);
    expect(list.body.total_size).toBe(1);
    expect(list.body.organizations[0].display_name).toBe("Test Organization");
    expect(await testOrganizationId(s.db)).toBe(list.body.organizations[0].id);
  });

  it("has verified domains example.com and example.org and an enabled IdP simulator connection (REST and SDK)", async () => {
    const orgId = (await testOrganizationId(s.db))!;
    const domains = await s.rest("GET", `/api/v1/organizations/${orgId}/domains`);
    expect(domains.status).toBe(200);
    expect(domains.body.domains.map((d: any) => [d.domain, d.verification_status, d.domain_type]).sort())
      .toEqual([["example.com", "VERIFIED", "ORGANIZATION_DOMAIN"], ["example.org", "VERIFIED", "ORGANIZATION_DOMAIN"]]);
    const conns = await s.rest("GET", `/api/v1/connections?organization_id=${orgId}`);
    expect(conns.status).toBe(200);
    expect(conns.body.connections).toHaveLength(1);
    expect(conns.body.connections[0]).toMatchObject({ provider: "IDP_SIMULATOR", enabled: true, status: "COMPLETED" });

    const sdk = sdkClient(s);
    const org = await sdk.organization.getOrganization(orgId);
    expect(org.organization?.displayName).toBe("Test Organization");
    const listed = await sdk.connection.listConnections(orgId);
    expect(listed.connections.map((c) => c.enabled)).toEqual([true]);
    const byDomain = await sdk.connection.listConnectionsByDomain("example.org");
    expect(byDomain.connections.map((c) => c.organizationId)).toEqual([orgId]);
  });
});

describe("Test Organization across restarts", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sk-testorg-"));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it("is created by the first start only: a deleted Test Organization stays deleted", { timeout: 180_000 }, async () => {
    const database = await freshDatabase();
    const s1 = await startTestServer({ dataDir, database });
    const orgId = (await testOrganizationId(s1.db))!;
    expect(orgId).toMatch(/^org_\d+$/);
    await s1.close({ keepData: true });

    const s2 = await startTestServer({ dataDir, database });
    expect(await s2.db.organization.count()).toBe(1);
    expect(await testOrganizationId(s2.db)).toBe(orgId);
    expect((await s2.rest("DELETE", `/api/v1/organizations/${orgId}`)).status).toBe(200);
    await s2.close({ keepData: true });

    const s3 = await startTestServer({ dataDir, database });
    try {
      expect(await s3.db.organization.count()).toBe(0);
      expect(await testOrganizationId(s3.db)).toBeUndefined();
    } finally {
      await s3.close();
    }
  });
});
