// DirectoryService over REST: every operation of the Directory tag checked against its OpenAPI response schema,
// plus the PREVIEW RPCs the spec leaves out (create, delete, update, secrets, attribute mappings, group roles,
// tracked groups, context, sync), their validation, 404s, and the events enable/disable write.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { expectErrorBody, expectResponse, operationsOfTag, validatedOperations } from "../helpers/openapi.js";
import { eventsSince, lastEventId, organization, RFC3339, role, unique } from "../rbac/fixtures.js";
import { GROUP_SCHEMA, PATCH_OP, dirs, expectDirectoryResponse, oktaUser, scim, scimDirectory, secretStatus } from "./fixtures.js";

describe("Directories over REST", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(async () => { await s?.close(); });

  async function create(orgId: string, body: object = { directory_type: "SCIM", directory_provider: "MICROSOFT_AD" }) {
    const res = await s.rest("POST", dirs(orgId), body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.directory;
  }

  it("creates a directory: dir_ id, endpoint on this server, enabled (as the cloud answers) with its event, no secret yet", async () => {
    const org = await organization(s);
    const since = await lastEventId(s);
    const d = await create(org);
    expect(d.id).toMatch(/^dir_\d{18}$/);
    expect((await eventsSince(s, since)).map((e) => [e.type, e.data.id, e.data.enabled])).toEqual([["organization.directory_enabled", d.id, true]]);
    expect(d).toMatchObject({
      organization_id: org, directory_type: "SCIM", directory_provider: "MICROSOFT_AD", enabled: true, status: "IN_PROGRESS",
      directory_endpoint: `${s.url}/api/v1/directories/${d.id}/scim/v2`, total_users: 0, total_groups: 0, secrets: [],
      groups_tracked: "ALL", role_assignments: { assignments: [] }, attribute_mappings: { attributes: [] },
    });
    expect(d.last_synced_at).toBeUndefined();
    const got = await s.rest("GET", `${dirs(org)}/${d.id}`);
    expectDirectoryResponse(got, "DirectoryService_GetDirectory", 200);
    expect(got.body.directory).toEqual(d);

    // type and provider are required and must be known
    expect((await create(org, { directory_type: "LDAP", directory_provider: "OKTA" })).directory_type).toBe("LDAP");
    for (const body of [{ directory_type: "SCIM" }, { directory_provider: "OKTA" }, { directory_provider: 42 }, { directory_type: 9, directory_provider: "OKTA" }]) {
      const bad = await s.rest("POST", dirs(org), body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expectErrorBody(bad.body, 3, "INVALID_ARGUMENT");
    }
    const missing = await s.rest("POST", dirs("org_000000000000000001"), { directory_type: "SCIM", directory_provider: "OKTA" });
    expect(missing.status).toBe(404);
    expectErrorBody(missing.body, 5, "NOT_FOUND");
    expect(await s.db.directory.count({ where: { organizationId: org } })).toBe(2);
  });

  it("lists the organization's directories; 404 for unknown organizations and directories", async () => {
    const org = await organization(s);
    const a = await create(org);
    const b = await create(org, { directory_provider: "GOOGLE", directory_type: "POLL" });
    const list = await s.rest("GET", dirs(org));
    expectDirectoryResponse(list, "DirectoryService_ListDirectories", 200);
    expect(list.body.directories.map((d: any) => d.id)).toEqual([a.id, b.id]);
    const empty = await s.rest("GET", dirs(await organization(s)));
    expectDirectoryResponse(empty, "DirectoryService_ListDirectories", 200);
    expect(empty.body.directories).toEqual([]);
    expect((await s.rest("GET", dirs("org_000000000000000001"))).status).toBe(404);
    const other = await organization(s);
    const wrongOrg = await s.rest("GET", `${dirs(other)}/${a.id}`);
    expect(wrongOrg.status).toBe(404);
    expectErrorBody(wrongOrg.body, 5, "NOT_FOUND");
    expect((await s.rest("GET", `${dirs(org)}/dir_000000000000000001`)).status).toBe(404);
  });

  it("disables and enables with events; toggling to the current state is not an error", async () => {
    const org = await organization(s);
    const d = await create(org);
    const since = await lastEventId(s);
    const off = await s.rest("PATCH", `${dirs(org)}/${d.id}:disable`, {});
    expectResponse(off, "DirectoryService_DisableDirectory", 200);
    expect(off.body).toEqual({ enabled: false });
    const offAgain = await s.rest("PATCH", `${dirs(org)}/${d.id}:disable`, {});
    expectResponse(offAgain, "DirectoryService_DisableDirectory", 200);
    expect(offAgain.body).toEqual({ enabled: false, error_message: "The directory is already disabled" });
    const on = await s.rest("PATCH", `${dirs(org)}/${d.id}:enable`, {});
    expectResponse(on, "DirectoryService_EnableDirectory", 200);
    expect(on.body).toEqual({ enabled: true });
    const again = await s.rest("PATCH", `${dirs(org)}/${d.id}:enable`, {});
    expect(again.body).toEqual({ enabled: true, error_message: "The directory is already enabled" });
    expect((await s.rest("PATCH", `${dirs(org)}/dir_000000000000000001:enable`, {})).status).toBe(404);

    const events = await eventsSince(s, since);
    expect(events.map((e) => e.type)).toEqual(["organization.directory_disabled", "organization.directory_enabled"]);
    expect(events[0]).toMatchObject({ object: "Directory", organization_id: org, environment_id: s.built.environmentId });
    expect(Object.keys(events[0].data).sort()).toEqual(["directory_type", "enabled", "id", "organization_id", "provider", "updated_at"]);
    expect(events[0].data).toMatchObject({ id: d.id, organization_id: org, directory_type: "SCIM", provider: "MICROSOFT_AD", enabled: false });
    expect(events[0].data.updated_at).toMatch(RFC3339);
    expect(events[1].data.enabled).toBe(true);
    const got = await s.rest("GET", `${dirs(org)}/${d.id}`);
    expect(got.body.directory).toMatchObject({ enabled: true, status: "IN_PROGRESS" });
  });

  it("secrets: the plain secret is returned once and stored only as a keyed hash; regenerate deactivates the old ones", async () => {
    const org = await organization(s);
    const d = await create(org);
    const first = await s.rest("POST", `${dirs(org)}/${d.id}/secrets`, {});
    expect(first.status).toBe(200);
    expect(first.body.plain_secret).toMatch(/^test_[A-Za-z0-9]{64}$/);
    expect(first.body.secret).toMatchObject({ directory_id: d.id, secret_suffix: first.body.plain_secret.slice(-4) });
    expect(secretStatus(first.body.secret)).toBe("ACTIVE");
    expect(first.body.secret.id).toMatch(/^sec_\d{18}$/);
    expect(first.body.secret.create_time).toMatch(RFC3339);
    const rows = await s.db.directorySecret.findMany({ where: { directoryId: d.id } });
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(first.body.plain_secret);

    const second = await s.rest("POST", `${dirs(org)}/${d.id}/secrets`, {});
    expect(second.status).toBe(200);
    const third = await s.rest("POST", `${dirs(org)}/${d.id}/secrets`, {});
    expect(third.status).toBe(400);
    expectErrorBody(third.body, 9, "FAILED_PRECONDITION");

    const regen = await s.rest("POST", `${dirs(org)}/${d.id}/secrets:regenerate`, {});
    expect(regen.status).toBe(200);
    expect(regen.body.plain_secret).not.toBe(first.body.plain_secret);
    const got = await s.rest("GET", `${dirs(org)}/${d.id}`);
    expectDirectoryResponse(got, "DirectoryService_GetDirectory", 200);
    expect(got.body.directory.secrets.map(secretStatus)).toEqual(["INACTIVE", "INACTIVE", "ACTIVE"]);
    expect(got.body.directory.secrets[0].expire_time).toMatch(RFC3339);
    expect(JSON.stringify(got.body)).not.toContain(regen.body.plain_secret);
    expect((await s.rest("POST", `${dirs(org)}/dir_000000000000000001/secrets`, {})).status).toBe(404);
  });

  it("updates name, provider and status; rejects unknown enum values", async () => {
    const org = await organization(s);
    const d = await create(org);
    const res = await s.rest("PATCH", `${dirs(org)}/${d.id}`, { name: "Corp Entra", directory_provider: "OKTA", status: "COMPLETED" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.directory).toMatchObject({ name: "Corp Entra", directory_provider: "OKTA", status: "COMPLETED", directory_type: "SCIM" });
    const bad = await s.rest("PATCH", `${dirs(org)}/${d.id}`, { directory_provider: 77 });
    expect(bad.status).toBe(400);
    expect((await s.rest("GET", `${dirs(org)}/${d.id}`)).body.directory.directory_provider).toBe("OKTA");
  });

  it("attribute mappings, group→role assignments and tracked groups shape what provisioning emits", async () => {
    const d = await scimDirectory(s);
    const admin = await role(s, { name: unique("dir_admin") });
    const ada = (await scim(d, "POST", "/Users", oktaUser("ada@corp.example"))).body;
    const admins = (await scim(d, "POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: "Admins", externalId: "ext-admins", members: [{ value: ada.id }] })).body;

    const attrs = await s.rest("PUT", `${dirs(d.orgId)}/${d.id}/attributes`, { attributes: [{ key: "department", map_to: "dept" }, { key: "name.givenName", map_to: "first" }] });
    expect(attrs.status, JSON.stringify(attrs.body)).toBe(200);
    expect(attrs.body.attribute_mappings.attributes).toEqual([{ key: "department", map_to: "dept" }, { key: "name.givenName", map_to: "first" }]);
    const dupe = await s.rest("PUT", `${dirs(d.orgId)}/${d.id}/attributes`, { attributes: [{ key: "a", map_to: "x" }, { key: "b", map_to: "x" }] });
    expect(dupe.status).toBe(400);

    const roles = await s.rest("PUT", `${dirs(d.orgId)}/${d.id}/groups/-/roles:assign`, { assignments: [{ group_id: admins.id, role_name: admin.name }] });
    expect(roles.status, JSON.stringify(roles.body)).toBe(200);
    expect(roles.body.role_assignments.assignments).toEqual([{ group_id: admins.id, role_name: admin.name, role_id: admin.id }]);
    for (const bad of [{ group_id: "dirgroup_000000000000000001", role_name: admin.name }, { group_id: admins.id, role_name: "no_such_role" }]) {
      const r = await s.rest("PUT", `${dirs(d.orgId)}/${d.id}/groups/-/roles:assign`, { assignments: [bad] });
      expect(r.status).toBe(400);
      expectErrorBody(r.body, 3, "INVALID_ARGUMENT");
    }

    const since = await lastEventId(s);
    await scim(d, "PATCH", `/Users/${ada.id}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "title", value: "Lead" }] });
    const [e] = await eventsSince(s, since);
    expect(e.data).toMatchObject({ custom_attributes: { dept: "R&D", first: "Ada" }, roles: [{ role_name: admin.name }], groups: [{ id: admins.id, name: "Admins" }] });

    const track = await s.rest("PUT", `${dirs(d.orgId)}/${d.id}/groups:assign`, { external_ids: ["ext-admins"] });
    expect(track.status, JSON.stringify(track.body)).toBe(200);
    expect(track.body).toEqual({});
    const got = await s.rest("GET", `${dirs(d.orgId)}/${d.id}`);
    expectDirectoryResponse(got, "DirectoryService_GetDirectory", 200);
    expect(got.body.directory).toMatchObject({
      groups_tracked: "SELECTED", role_assignments: { assignments: [{ group_id: admins.id, role_name: admin.name }] },
      attribute_mappings: { attributes: [{ map_to: "dept" }, { map_to: "first" }] },
    });
    expect((await s.rest("PUT", `${dirs(d.orgId)}/${d.id}/groups:assign`, { external_ids: ["nope"] })).status).toBe(400);
    // the descriptor requires at least one group
    expect((await s.rest("PUT", `${dirs(d.orgId)}/${d.id}/groups:assign`, { external_ids: [] })).status).toBe(400);
    expect((await s.rest("PUT", `${dirs(d.orgId)}/${d.id}/groups:assign`, { external_ids: [admins.id] })).status).toBe(200);
  });

  it("lists users and groups token-paged (page_size at most 30), with a group summary", async () => {
    const d = await scimDirectory(s);
    const ids: string[] = [];
    for (let i = 0; i < 33; i++) ids.push((await scim(d, "POST", "/Users", { userName: `u${i}@corp.example` })).body.id);
    await scim(d, "POST", "/Groups", { displayName: "Zeta", members: ids.slice(0, 3).map((value) => ({ value })) });
    await scim(d, "POST", "/Groups", { displayName: "Alpha" });

    const tooMany = await s.rest("GET", `${dirs(d.orgId)}/${d.id}/users?page_size=31`);
    expect(tooMany.status).toBe(400);
    expectErrorBody(tooMany.body, 3, "INVALID_ARGUMENT");
    const first = await s.rest("GET", `${dirs(d.orgId)}/${d.id}/users?page_size=30`);
    expectResponse(first, "DirectoryService_ListDirectoryUsers", 200);
    expect(first.body.users).toHaveLength(30);
    expect(first.body).toMatchObject({ total_size: 33, prev_page_token: "" });
    const second = await s.rest("GET", `${dirs(d.orgId)}/${d.id}/users?page_size=30&page_token=${first.body.next_page_token}`);
    expect(second.body.users.map((u: any) => u.id)).toEqual(ids.slice(30));
    expect(second.body.next_page_token).toBe("");
    expect((await s.rest("GET", `${dirs(d.orgId)}/${d.id}/users`)).body.users).toHaveLength(10);
    const badToken = await s.rest("GET", `${dirs(d.orgId)}/${d.id}/users?page_token=%%%`);
    expect(badToken.status).toBe(400);
    expect((await s.rest("GET", `${dirs(d.orgId)}/${d.id}/users?directory_group_id=dirgroup_000000000000000001`)).status).toBe(404);
    expect((await s.rest("GET", `${dirs(d.orgId)}/dir_000000000000000001/users`)).status).toBe(404);

    const groups = await s.rest("GET", `${dirs(d.orgId)}/${d.id}/groups?page_size=1`);
    expectResponse(groups, "DirectoryService_ListDirectoryGroups", 200);
    expect(groups.body).toMatchObject({ total_size: 2, groups: [{ display_name: "Zeta", total_users: 3 }] });
    expect(groups.body.groups[0].updated_at).toMatch(RFC3339);
    const summary = await s.rest("GET", `${dirs(d.orgId)}/${d.id}/groups/summary`);
    expect(summary.status).toBe(200);
    expect(summary.body.groups.map((g: any) => [g.display_name, g.total_users])).toEqual([["Alpha", 0], ["Zeta", 3]]);
  });

  it("context round-trips; sync is refused for push-provisioned directories", async () => {
    const org = await organization(s);
    const d = await create(org);
    const put = await s.rest("PUT", `${dirs(org)}/${d.id}/contexts`, { tenant: "contoso", regions: ["eu"] });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const got = await s.rest("GET", `${dirs(org)}/${d.id}/contexts`);
    expect(got.body).toEqual({ context: { tenant: "contoso", regions: ["eu"] } });
    const sync = await s.rest("GET", `${dirs(org)}/${d.id}:sync`);
    expect(sync.status).toBe(400);
    expectErrorBody(sync.body, 9, "FAILED_PRECONDITION");
  });

  it("deletes a directory with everything provisioned into it; its secret stops working", async () => {
    const d = await scimDirectory(s);
    await scim(d, "POST", "/Users", oktaUser("gone@corp.example"));
    const del = await s.rest("DELETE", `${dirs(d.orgId)}/${d.id}`);
    expect(del.status).toBe(200);
    expect(del.body).toEqual({});
    expect((await s.rest("GET", `${dirs(d.orgId)}/${d.id}`)).status).toBe(404);
    expect((await s.rest("DELETE", `${dirs(d.orgId)}/${d.id}`)).status).toBe(404);
    expect(await s.db.directoryUser.count({ where: { directoryId: d.id } })).toBe(0);
    expect(await s.db.directorySecret.count({ where: { directoryId: d.id } })).toBe(0);
    expect((await scim(d, "GET", "/Users")).status).toBe(401);

    // deleting the organization takes its directories with it
    const e = await scimDirectory(s);
    expect((await s.rest("DELETE", `/api/v1/organizations/${e.orgId}`)).status).toBe(200);
    expect(await s.db.directory.count({ where: { id: e.id } })).toBe(0);
  });

  it("requires the environment token on every REST route", async () => {
    const org = await organization(s);
    const res = await s.rest("GET", dirs(org), undefined, { token: "" });
    expect(res.status).toBe(401);
  });

  it("covered every operation of the Directory tag", () => {
    const done = validatedOperations();
    for (const op of operationsOfTag("Directory")) expect(done.has(`${op.operationId} 200`), op.operationId).toBe(true);
  });
});
