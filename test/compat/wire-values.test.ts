// Wire values and messages as Scalekit's cloud sends them (issue 14 item 2), seen through the Node SDK where it
// has the method and over REST otherwise. The area suites check the same values in context; this file is the
// one place that lists them, so a change to any of them shows up here by name.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import type { ScalekitClient } from "@scalekit-sdk/node";
import { directories } from "../../src/protocol/descriptors.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { sdk, sdkClient, sdkRejection } from "../helpers/sdk.js";
import { expectErrorBody } from "../helpers/openapi.js";
import { organization, role, ROLES, unique } from "../rbac/fixtures.js";

describe("wire values and messages as the cloud sends them", () => {
  let s: TestServer;
  let client: ScalekitClient;
  beforeAll(async () => { s = await startTestServer(); client = sdkClient(s); });
  afterAll(async () => { await s?.close(); });

  it("ListOrganizations returns the newest first", async () => {
    const made: string[] = [];
    for (let i = 0; i < 3; i++) made.push((await client.organization.createOrganization(unique("newest"))).organization!.id);
    const page = await client.organization.listOrganization({ pageSize: 10 });
    expect(page.organizations.slice(0, 3).map((o) => o.id)).toEqual([...made].reverse());
  });

  it("an invite's status is PENDING_INVITE; resending without a pending invite is 'invite not found'", async () => {
    const org = await organization(s);
    const invited = await client.user.createUserAndMembership(org, { email: `${unique("inv")}@example.com`, sendInvitationEmail: true });
    const { invite } = await client.user.resendInvite(org, invited.user!.id);
    expect(invite).toMatchObject({ status: "PENDING_INVITE", resentCount: 1, userId: invited.user!.id, organizationId: org });
    const active = await client.user.createUserAndMembership(org, { email: `${unique("act")}@example.com`, sendInvitationEmail: false });
    const none = await sdkRejection(client.user.resendInvite(org, active.user!.id));
    expect(none).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect(none.message).toContain("invite not found");
  });

  it("CreateDirectory returns an enabled directory", async () => {
    const org = await organization(s);
    const { directory } = await client.directory.createDirectory(org, create(directories.CreateDirectorySchema, {
      directoryType: directories.DirectoryType.SCIM, directoryProvider: directories.DirectoryProvider.OKTA,
    }));
    expect(directory).toMatchObject({ enabled: true, status: "IN_PROGRESS" });
    expect((await client.directory.getDirectory(org, directory!.id)).directory!.enabled).toBe(true);
  });

  it("a connection's provider_key is stored and echoed as given; the provider filter ignores case", async () => {
    for (const key of ["HUBSPOT", "GOOGLEDWD", "notion"]) {
      const keyId = unique(`pk-${key}`).toLowerCase().replace(/_/g, "-");
      const res = await s.rest("POST", "/api/v1/connections?flags.is_app=true", { provider: "CUSTOM", type: "BEARER", provider_key: key, key_id: keyId });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.connection.provider_key).toBe(key);
      expect((await s.rest("GET", `/api/v1/connections/${res.body.connection.id}`)).body.connection.provider_key).toBe(key);
      expect(await s.db.connection.findUnique({ where: { id: res.body.connection.id }, select: { providerKey: true } })).toEqual({ providerKey: key });
      const listed = await s.rest("GET", `/api/v1/connections/app?provider=${key.toLowerCase()}&query=${keyId}`);
      expect(listed.body.connections.map((c: any) => c.provider_key)).toEqual([key]);
    }
    const bad = await s.rest("POST", "/api/v1/connections?flags.is_app=true", { provider: "CUSTOM", type: "BEARER", provider_key: "has space" });
    expect(bad.status).toBe(400);
    expectErrorBody(bad.body, 3, "INVALID_ARGUMENT");
  });

  it("duplicate role and permission names are INVALID_ARGUMENT 'duplicate key not allowed'", async () => {
    const name = unique("dup");
    await role(s, { name });
    const again = await sdkRejection(client.role.createRole({ name, displayName: "Again" } as any));
    expect(again).toBeInstanceOf(sdk.ScalekitBadRequestException);
    expect(again).toMatchObject({ errorCode: "INVALID_ARGUMENT", message: "[invalid_argument] duplicate key not allowed" });
    const perm = unique("dup:perm");
    expect((await s.rest("POST", "/api/v1/permissions", { name: perm })).status).toBe(201);
    const dupPerm = await s.rest("POST", "/api/v1/permissions", { name: perm });
    expect(dupPerm.status).toBe(400);
    expect(dupPerm.body.message).toBe("duplicate key not allowed");
  });

  it("deleting a role held by users says 'role cannot be deleted as it is assigned to users'", async () => {
    const org = await organization(s);
    const held = await role(s, { name: unique("held") });
    const { user } = await client.user.createUserAndMembership(org, { email: `${unique("h")}@example.com`, sendInvitationEmail: false });
    await client.user.assignUserRoles(org, user!.id, [held.name]);
    const res = await s.rest("DELETE", `${ROLES}/${held.name}`);
    expect(res.status).toBe(400);
    expect(res.body.message).toBe("role cannot be deleted as it is assigned to users");
    const viaSdk = await sdkRejection(client.role.deleteRole(held.name));
    expect(viaSdk).toBeInstanceOf(sdk.ScalekitBadRequestException);
    expect(viaSdk.message).toBe("[failed_precondition] role cannot be deleted as it is assigned to users");
    expect((await s.rest("GET", `${ROLES}/${held.name}`)).status).toBe(200);
  });

  it("verifyConnectedAccountUser with an unknown request: 'auth request not found or no longer valid'", async () => {
    const e = await sdkRejection(client.connectedAccounts.verifyConnectedAccountUser({ authRequestId: "car_000000000000000001", identifier: "someone" }));
    expect(e).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect(e.message).toBe("[not_found] auth request not found or no longer valid");
  });

  it("a not-found message names the identifier once", async () => {
    const identifier = unique("nobody");
    const e = await sdkRejection(client.connectedAccounts.getConnectedAccountByIdentifier({ connector: "gmail", identifier }));
    expect(e).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect(e.message.split(identifier)).toHaveLength(2);
    const org = await s.rest("GET", "/api/v1/organizations/org_000000000000000001");
    expect(org.status).toBe(404);
    expect(org.body.message.split("org_000000000000000001")).toHaveLength(2);
  });
});
