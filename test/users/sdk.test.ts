// Every user method of the real @scalekit-sdk/node client against the server (gRPC over HTTP/2), including the
// by-external-id variants and AssignUserRoles / RemoveUserRole, which have no REST operation in the spec.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScalekitClient } from "@scalekit-sdk/node";
import { commons } from "../../src/protocol/descriptors.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { sdk, sdkClient } from "../helpers/sdk.js";
import { organization, permission, role, unique } from "../rbac/fixtures.js";

describe("Users through the Node SDK", () => {
  let s: TestServer;
  let client: ScalekitClient;
  beforeAll(async () => { s = await startTestServer(); client = sdkClient(s); });
  afterAll(async () => { await s?.close(); });

  async function rejection(p: Promise<unknown>): Promise<sdk.ScalekitServerException> {
    const e = await p.then(() => undefined, (err) => err);
    expect(e, "the call should have failed").toBeInstanceOf(sdk.ScalekitServerException);
    return e as sdk.ScalekitServerException;
  }

  it("creates, gets, updates and deletes users (by id and by external id)", async () => {
    const org = await organization(s);
    const ext = unique("sdkext");
    const { user } = await client.user.createUserAndMembership(org, {
      email: `${ext}@example.com`, externalId: ext, metadata: { source: "sdk" }, userProfile: { firstName: "Grace", lastName: "Hopper" },
    });
    expect(user!.id).toMatch(/^usr_\d{18}$/);
    expect(user!.userProfile).toMatchObject({ givenName: "Grace", familyName: "Hopper", firstName: "Grace" });
    expect(user!.memberships[0]).toMatchObject({ organizationId: org, membershipStatus: commons.MembershipStatus.PENDING_INVITE });

    expect((await client.user.getUser(user!.id)).user).toEqual(user);
    expect((await client.user.getUserByExternalId(ext)).user!.id).toBe(user!.id);
    const updated = await client.user.updateUser(user!.id, { userProfile: { firstName: "Amazing" }, metadata: { tier: "gold" } });
    expect(updated.user).toMatchObject({ metadata: { tier: "gold" }, userProfile: { givenName: "Amazing", familyName: "Hopper" } });
    const byExt = await client.user.updateUserByExternalId(ext, { metadata: { tier: "silver" } });
    expect(byExt.user!.metadata).toEqual({ tier: "silver" });

    const dup = await rejection(client.user.createUserAndMembership(org, { email: `${ext.toUpperCase()}@EXAMPLE.com` }));
    expect(dup).toBeInstanceOf(sdk.ScalekitConflictException);

    await client.user.deleteUser(user!.id);
    expect(await rejection(client.user.getUser(user!.id))).toBeInstanceOf(sdk.ScalekitNotFoundException);
    const other = await client.user.createUserAndMembership(org, { email: `${unique("x")}@example.com`, externalId: unique("x"), sendInvitationEmail: false });
    expect(other.user!.memberships[0].membershipStatus).toBe(commons.MembershipStatus.ACTIVE);
    await client.user.deleteUserByExternalId(other.user!.externalId!);
    expect(await rejection(client.user.getUser(other.user!.id))).toBeInstanceOf(sdk.ScalekitNotFoundException);
  });

  it("lists and searches users", async () => {
    const org = await organization(s);
    const tag = unique("lst").toLowerCase();
    for (let i = 0; i < 3; i++) await client.user.createUserAndMembership(org, { email: `${tag}${i}@example.com` });
    const first = await client.user.listUsers({ pageSize: 2 });
    expect(first.users).toHaveLength(2);
    expect(first.nextPageToken).not.toBe("");
    const seen: string[] = [];
    let token = "";
    do {
      const page = await client.user.listOrganizationUsers(org, { pageSize: 2, pageToken: token });
      seen.push(...page.users.map((u) => u.email));
      token = page.nextPageToken;
    } while (token);
    expect(seen.sort()).toEqual([0, 1, 2].map((i) => `${tag}${i}@example.com`));
    expect((await client.user.searchUsers(tag.toUpperCase())).users).toHaveLength(3);
    expect((await client.user.searchOrganizationUsers(org, `${tag}2`)).users.map((u) => u.email)).toEqual([`${tag}2@example.com`]);
    expect(await rejection(client.user.searchUsers("ab"))).toBeInstanceOf(sdk.ScalekitBadRequestException);
  });

  it("memberships, roles and permissions", async () => {
    const org = await organization(s);
    const other = await organization(s);
    const p = await permission(s, unique("sdk_read"));
    const base = await role(s, { name: unique("sdk_base"), permissions: [p.name] });
    const admin = await role(s, { name: unique("sdk_admin"), extends: base.name });
    const extra = await role(s, { name: unique("sdk_extra") });
    const ext = unique("mext");
    const { user } = await client.user.createUserAndMembership(org, { email: `${ext}@example.com`, externalId: ext });

    const created = await client.user.createMembership(other, user!.id, { roles: [admin.name], metadata: { dept: "x1" }, sendInvitationEmail: false });
    const m = created.user!.memberships.find((x) => x.organizationId === other)!;
    expect(m.roles.map((r) => r.name)).toEqual([admin.name]);
    expect(m.metadata).toEqual({ dept: "x1" });

    expect((await client.user.listUserRoles(other, user!.id)).roles.map((r) => r.name)).toEqual([admin.name, base.name]);
    expect((await client.user.listUserPermissions(other, user!.id)).permissions.map((x) => x.name)).toEqual([p.name]);
    // the membership shows the same effective permissions, inherited ones included
    const fetched = await client.user.getUser(user!.id);
    expect(fetched.user!.memberships.find((x) => x.organizationId === other)!.permissions).toEqual([p.name]);

    // the SDK always sends empty roles and metadata: nothing changes
    const same = await client.user.updateMembership(other, user!.id, {});
    expect(same.user!.memberships.find((x) => x.organizationId === other)!.roles.map((r) => r.name)).toEqual([admin.name]);
    const replaced = await client.user.updateMembership(other, user!.id, { roles: [base.name] });
    expect(replaced.user!.memberships.find((x) => x.organizationId === other)!.roles.map((r) => r.name)).toEqual([base.name]);

    const assigned = await client.user.assignUserRoles(other, user!.id, [extra.name]);
    expect(assigned.roles.map((r) => r.name)).toEqual([base.name, extra.name]);
    await client.user.removeUserRole(other, user!.id, base.name);
    expect((await client.user.listUserRoles(other, user!.id)).roles.map((r) => r.name)).toEqual([extra.name]);
    expect(await rejection(client.user.removeUserRole(other, user!.id, base.name))).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect(await rejection(client.user.assignUserRoles(other, user!.id, ["no_such_role"]))).toBeInstanceOf(sdk.ScalekitNotFoundException);

    await client.user.deleteMembership(other, user!.id);
    expect(await rejection(client.user.listUserRoles(other, user!.id))).toBeInstanceOf(sdk.ScalekitNotFoundException);

    await client.user.createMembershipByExternalId(other, ext, { sendInvitationEmail: false });
    await client.user.updateMembershipByExternalId(other, ext, { roles: [admin.name] });
    expect((await client.user.listUserRoles(other, user!.id)).roles.map((r) => r.name)).toEqual([admin.name, base.name]);
    await client.user.deleteMembershipByExternalId(other, ext);
    expect((await client.user.getUser(user!.id)).user!.memberships.map((x) => x.organizationId)).toEqual([org]);
  });
});
