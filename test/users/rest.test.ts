// Every Users-tag operation over REST, each success and error body checked against the OpenAPI contract, plus the
// rules behind them: case-insensitive unique email, default and named roles, roles replacing on update, inherited
// permissions, the organization's user limit, cascades, and the membership events in the outbox.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { expectErrorBody, expectResponse, operationsOfTag, validatedOperations } from "../helpers/openapi.js";
import { eventsSince, lastEventId, organization, permission, role, unique } from "../rbac/fixtures.js";

const orgUsers = (o: string) => `/api/v1/organizations/${o}/users`;
const membership = (o: string, u: string) => `/api/v1/memberships/organizations/${o}/users/${u}`;

describe("Users over REST", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(async () => { await s?.close(); });

  async function createUser(org: string, body: Record<string, unknown>, query = ""): Promise<any> {
    const res = await s.rest("POST", `${orgUsers(org)}${query}`, body);
    expectResponse(res, "UserService_CreateUserAndMembership", 201);
    return res.body.user;
  }

  it("creates a user with a pending invitation by default, and an active member without one", async () => {
    const org = await organization(s, "Acme");
    const since = await lastEventId(s);
    const invited = await createUser(org, {
      email: "Ada@Example.com", external_id: unique("ext"), metadata: { team: "core" },
      user_profile: { given_name: "Ada", family_name: "Lovelace", groups: ["eng"] },
      membership: { metadata: { seat: "one" }, inviter_email: "boss@example.com" },
    });
    expect(invited.id).toMatch(/^usr_\d{18}$/);
    expect(invited).toMatchObject({ email: "Ada@Example.com", metadata: { team: "core" }, environment_id: s.built.environmentId });
    expect(invited.user_profile).toMatchObject({ given_name: "Ada", family_name: "Lovelace", groups: ["eng"] });
    expect(invited.memberships).toHaveLength(1);
    expect(invited.memberships[0]).toMatchObject({
      organization_id: org, membership_status: "PENDING_INVITE", provisioning_method: "invitation",
      inviter_email: "boss@example.com", metadata: { seat: "one" }, display_name: "Acme",
    });
    expect(Date.parse(invited.memberships[0].expires_at)).toBeGreaterThan(Date.now());
    const events = await eventsSince(s, since);
    expect(events.map((e) => e.type)).toEqual(["user.organization_membership_created", "user.organization_invitation"]);
    expect(events[0]).toMatchObject({ object: "OrgMembership", organization_id: org, data: { organization: { id: org }, user: { id: invited.id, email: "Ada@Example.com" } } });
    expect(events[0].data.user.memberships).toBeUndefined();

    const active = await createUser(org, { email: "direct@example.com", user_profile: { first_name: "Old", last_name: "Style" } }, "?send_invitation_email=false");
    expect(active.memberships[0]).toMatchObject({ membership_status: "ACTIVE", provisioning_method: "direct_provision" });
    expect(active.user_profile).toMatchObject({ given_name: "Old", family_name: "Style" });
  });

  it("keeps emails unique case-insensitively and refuses bad input with 400, not 500", async () => {
    const org = await organization(s);
    await createUser(org, { email: "same@example.com" });
    const dup = await s.rest("POST", orgUsers(org), { email: "SAME@example.COM" });
    expect(dup.status).toBe(409);
    expectErrorBody(dup.body, 6, "ALREADY_EXISTS");
    for (const body of [{}, { email: "not-an-email" }, { email: "x@example.com", metadata: { k: "v" } }]) {
      const res = await s.rest("POST", orgUsers(org), body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expectErrorBody(res.body, 3, "INVALID_ARGUMENT");
    }
    const noOrg = await s.rest("POST", orgUsers("org_000000000000000001"), { email: "nobody@example.com" });
    expect(noOrg.status).toBe(404);
  });

  it("20 parallel creations of one email make exactly one user", async () => {
    const org = await organization(s);
    const results = await Promise.all(Array.from({ length: 20 }, () => s.rest("POST", orgUsers(org), { email: "race@example.com" })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(19);
    expect(await s.db.user.count({ where: { emailKey: "race@example.com" } })).toBe(1);
    expect(await s.db.membership.count({ where: { organizationId: org } })).toBe(1);
  });

  it("gets, updates and deletes by id and by external id", async () => {
    const org = await organization(s);
    const ext = unique("ext");
    const u = await createUser(org, { email: `${ext}@example.com`, external_id: ext });
    const got = await s.rest("GET", `/api/v1/users/${u.id}`);
    expectResponse(got, "UserService_GetUser", 200);
    expect(got.body.user).toEqual(u);
    const byExt = await s.rest("GET", `/api/v1/users:external/${ext}`);
    expect(byExt.status).toBe(200);
    expect(byExt.body.user.id).toBe(u.id);

    const patched = await s.rest("PATCH", `/api/v1/users/${u.id}`, { metadata: { plan: "pro" }, user_profile: { name: "Renamed", first_name: "Re" } });
    expectResponse(patched, "UserService_UpdateUser", 200);
    expect(patched.body.user).toMatchObject({ metadata: { plan: "pro" }, user_profile: { name: "Renamed", given_name: "Re" }, email: u.email });

    const missing = await s.rest("GET", "/api/v1/users/usr_000000000000000001");
    expect(missing.status).toBe(404);
    expectErrorBody(missing.body, 5, "NOT_FOUND");

    const since = await lastEventId(s);
    const del = await s.rest("DELETE", `/api/v1/users/${u.id}`);
    expectResponse(del, "UserService_DeleteUser", 200);
    expect(del.body).toEqual({});
    expect((await eventsSince(s, since)).map((e) => e.type)).toEqual(["user.organization_membership_deleted"]);
    expect((await s.rest("GET", `/api/v1/users/${u.id}`)).status).toBe(404);
    expect(await s.db.membership.count({ where: { userId: u.id } })).toBe(0);
  });

  it("lists and searches users, in the environment and in an organization", async () => {
    const org = await organization(s);
    const tag = unique("srch").toLowerCase();
    for (let i = 0; i < 3; i++) await createUser(org, { email: `${tag}.${i}@example.com` });
    const all = await s.rest("GET", "/api/v1/users?page_size=2");
    expectResponse(all, "UserService_ListUsers", 200);
    expect(all.body.users).toHaveLength(2);
    expect(all.body.next_page_token).not.toBe("");
    const inOrg = await s.rest("GET", `${orgUsers(org)}?page_size=2`);
    expectResponse(inOrg, "UserService_ListOrganizationUsers", 200);
    expect(inOrg.body.total_size).toBe(3);
    const next = await s.rest("GET", `${orgUsers(org)}?page_size=2&page_token=${inOrg.body.next_page_token}`);
    expect(next.body.users).toHaveLength(1);
    expect(next.body.next_page_token).toBe("");

    const found = await s.rest("GET", `/api/v1/users:search?query=${tag.toUpperCase()}`);
    expectResponse(found, "UserService_SearchUsers", 200);
    expect(found.body.users).toHaveLength(3);
    const foundInOrg = await s.rest("GET", `${orgUsers(org)}:search?query=${tag}.1`);
    expectResponse(foundInOrg, "UserService_SearchOrganizationUsers", 200);
    expect(foundInOrg.body.users.map((u: any) => u.email)).toEqual([`${tag}.1@example.com`]);
    const short = await s.rest("GET", "/api/v1/users:search?query=ab");
    expect(short.status).toBe(400);
    const unknownOrg = await s.rest("GET", `${orgUsers("org_000000000000000001")}:search?query=abc`);
    expect(unknownOrg.status).toBe(404);
  });

  it("memberships: default member role, named roles, roles replaced on update, inherited permissions", async () => {
    const org = await organization(s);
    const other = await organization(s);
    const pRead = await permission(s, unique("read"));
    const pWrite = await permission(s, unique("write"));
    const viewer = await role(s, { name: unique("viewer"), permissions: [pRead.name] });
    const editor = await role(s, { name: unique("editor"), extends: viewer.name, permissions: [pWrite.name] });
    const member = await role(s, { name: unique("member") });
    expect((await s.rest("PATCH", "/api/v1/roles/default", { default_member_role: member.name })).status).toBe(200);

    const u = await createUser(org, { email: `${unique("m")}@example.com` });
    expect(u.memberships[0].roles.map((r: any) => r.name)).toEqual([member.name]);

    const since = await lastEventId(s);
    const added = await s.rest("POST", `${membership(other, u.id)}?send_invitation_email=false`, { roles: [{ name: editor.name }], metadata: { dept: "ops" } });
    expectResponse(added, "UserService_CreateMembership", 201);
    const m = added.body.user.memberships.find((x: any) => x.organization_id === other);
    expect(m).toMatchObject({ membership_status: "ACTIVE", metadata: { dept: "ops" } });
    expect(m.roles.map((r: any) => r.name)).toEqual([editor.name]);
    expect((await s.rest("POST", membership(other, u.id), {})).status).toBe(409);
    expect((await s.rest("POST", membership(org, "usr_000000000000000001"), {})).status).toBe(404);
    expect((await s.rest("POST", membership(org, u.id), { roles: [{ name: "no_such_role" }] })).status).toBe(409);

    const roles = await s.rest("GET", `/api/v1/organizations/${other}/users/${u.id}/roles`);
    expectResponse(roles, "UserService_ListUserRoles", 200);
    expect(roles.body.roles.map((r: any) => r.name)).toEqual([editor.name, viewer.name]);
    const perms = await s.rest("GET", `/api/v1/organizations/${other}/users/${u.id}/permissions`);
    expectResponse(perms, "UserService_ListUserPermissions", 200);
    expect(perms.body.permissions.map((p: any) => p.name).sort()).toEqual([pRead.name, pWrite.name].sort());

    const updated = await s.rest("PATCH", membership(other, u.id), { roles: [{ name: viewer.name }] });
    expectResponse(updated, "UserService_UpdateMembership", 200);
    expect(updated.body.user.memberships.find((x: any) => x.organization_id === other).roles.map((r: any) => r.name)).toEqual([viewer.name]);
    expect(updated.body.user.memberships.find((x: any) => x.organization_id === other).metadata).toEqual({ dept: "ops" });
    expect((await s.rest("PATCH", membership(other, u.id), { roles: [{ name: "no_such_role" }] })).status).toBe(404);

    const del = await s.rest("DELETE", membership(other, u.id));
    expectResponse(del, "UserService_DeleteMembership", 200);
    expect((await eventsSince(s, since)).map((e) => e.type)).toEqual([
      "user.organization_membership_created", "user.organization_membership_updated", "user.organization_membership_deleted",
    ]);
    expect((await s.rest("DELETE", membership(other, u.id))).status).toBe(404);
    expect(await s.db.roleAssignment.count({ where: { organizationId: other, userId: u.id } })).toBe(0);
  });

  it("enforces max_allowed_users with a clear error", async () => {
    const org = await organization(s);
    const set = await s.rest("PATCH", `/api/v1/organizations/${org}/settings/usermanagement`, { settings: { max_allowed_users: 1 } });
    expect(set.status).toBe(200);
    await createUser(org, { email: `${unique("cap")}@example.com` });
    const full = await s.rest("POST", orgUsers(org), { email: `${unique("cap")}@example.com` });
    expect(full.status).toBe(400);
    expectErrorBody(full.body, 9, "FAILED_PRECONDITION");
    expect(full.body.message).toContain("max_allowed_users");
  });

  it("deleting an organization removes its memberships", async () => {
    const org = await organization(s);
    const u = await createUser(org, { email: `${unique("gone")}@example.com` });
    expect((await s.rest("DELETE", `/api/v1/organizations/${org}`)).status).toBe(200);
    const got = await s.rest("GET", `/api/v1/users/${u.id}`);
    expect(got.body.user.memberships).toEqual([]);
  });

  it("validated every implemented Users operation against the contract", () => {
    const done = validatedOperations();
    const missing = operationsOfTag("Users").map((o) => o.operationId)
      .filter((id) => id !== "UserService_ResendInvite") // validated in invites.test.ts
      .filter((id) => ![...done].some((d) => d.startsWith(`${id} `)));
    expect(missing).toEqual([]);
  });
});
