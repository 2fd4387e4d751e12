// A SCIM 2.0 conformance run (RFC 7643/7644) with the test acting as the identity provider: it provisions users and
// groups into a directory, filters, pages, replaces, patches (attributes and group membership, Okta- and
// Azure-style), deprovisions, and after each step checks both the SCIM answers and what the Scalekit API shows
// (ListDirectoryUsers/Groups, totals, webhook events in the outbox).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { expectResponse } from "../helpers/openapi.js";
import { eventsSince, lastEventId, RFC3339 } from "../rbac/fixtures.js";
import {
  ENTERPRISE, GROUP_SCHEMA, LIST, PATCH_OP, SCIM_TYPE, USER_SCHEMA, dirs, expectDirectoryResponse, expectScimError, oktaUser, scim, scimDirectory,
  type ProvisionedDirectory,
} from "../directories/fixtures.js";

describe("SCIM 2.0 endpoint of a directory", () => {
  let s: TestServer;
  let d: ProvisionedDirectory;
  const patch = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

  beforeAll(async () => {
    s = await startTestServer();
    d = await scimDirectory(s);
  });
  afterAll(async () => { await s?.close(); });

  const getDirectory = async () => {
    const res = await s.rest("GET", `${dirs(d.orgId)}/${d.id}`);
    expectDirectoryResponse(res, "DirectoryService_GetDirectory", 200);
    return res.body.directory;
  };
  const apiUsers = async (query = "") => {
    const res = await s.rest("GET", `${dirs(d.orgId)}/${d.id}/users${query}`);
    expectResponse(res, "DirectoryService_ListDirectoryUsers", 200);
    return res.body;
  };
  const apiGroups = async (query = "") => {
    const res = await s.rest("GET", `${dirs(d.orgId)}/${d.id}/groups${query}`);
    expectResponse(res, "DirectoryService_ListDirectoryGroups", 200);
    return res.body;
  };

  it("publishes its endpoint and discovery documents", async () => {
    expect(d.endpoint).toBe(`${s.url}/api/v1/directories/${d.id}/scim/v2`);
    const spc = await scim(d, "GET", "/ServiceProviderConfig");
    expect(spc.status).toBe(200);
    expect(spc.headers.get("content-type")).toMatch(/^application\/scim\+json/);
    expect(spc.body).toMatchObject({ patch: { supported: true }, bulk: { supported: false }, filter: { supported: true } });
    const types = await scim(d, "GET", "/ResourceTypes");
    expect(types.body.schemas).toEqual([LIST]);
    expect(types.body.Resources.map((t: any) => t.endpoint)).toEqual(["/Users", "/Groups"]);
    const schemas = await scim(d, "GET", "/Schemas");
    expect(schemas.body.Resources.map((x: any) => x.id)).toEqual([USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE]);
    expect((await scim(d, "GET", `/Schemas/${USER_SCHEMA}`)).body.attributes.find((a: any) => a.name === "userName").uniqueness).toBe("server");
  });

  it("refuses a missing or wrong bearer (401) and a secret of another directory", async () => {
    expectScimError(await scim(d, "GET", "/Users", undefined, { token: null }), 401);
    const wrong = await scim(d, "GET", "/Users", undefined, { token: "test_not_the_secret" });
    expectScimError(wrong, 401);
    expect(wrong.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const other = await scimDirectory(s);
    expectScimError(await scim({ endpoint: d.endpoint, secret: other.secret }, "GET", "/Users"), 401);
    // an environment access token is not a directory secret
    expectScimError(await scim(d, "GET", "/Users", undefined, { token: await s.token() }), 401);
    expectScimError(await scim({ endpoint: d.endpoint.replace(d.id, "dir_000000000000000001"), secret: d.secret }, "GET", "/Users"), 401);
  });

  let ada: any;
  let grace: any;
  let linus: any;

  it("creates users (201 with id, meta, Location) and emits user_created", async () => {
    const since = await lastEventId(s);
    const res = await scim(d, "POST", "/Users", oktaUser("ada@example.com"));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.headers.get("content-type")).toMatch(/^application\/scim\+json/);
    ada = res.body;
    expect(ada.id).toMatch(/^diruser_\d{18}$/);
    expect(ada).toMatchObject({
      schemas: [USER_SCHEMA, ENTERPRISE], userName: "ada@example.com", externalId: "okta-ada@example.com", active: true,
      name: { givenName: "Ada", familyName: "Lovelace" }, groups: [], [ENTERPRISE]: { department: "R&D" },
      meta: { resourceType: "User", location: `${d.endpoint}/Users/${ada.id}`, version: 'W/"1"' },
    });
    expect(ada.meta.created).toMatch(RFC3339);
    expect(ada.meta.lastModified).toBe(ada.meta.created);
    expect(res.headers.get("location")).toBe(ada.meta.location);
    expect(res.headers.get("etag")).toBe('W/"1"');

    // plain application/json is accepted too; the answer is still SCIM
    const g = await scim(d, "POST", "/Users", oktaUser("grace@example.com", { name: { givenName: "Grace", familyName: "Hopper" } }), { contentType: "application/json" });
    expect(g.status).toBe(201);
    grace = g.body;
    linus = (await scim(d, "POST", "/Users", { schemas: [USER_SCHEMA], userName: "linus", emails: [{ value: "linus@example.com", type: "work" }] })).body;
    expect(linus.id).toMatch(/^diruser_/);

    const events = await eventsSince(s, since, ["organization.directory.user_created"]);
    expect(events).toHaveLength(3);
    expect(events[0]).toMatchObject({
      type: "organization.directory.user_created", object: "DirectoryUser", organization_id: d.orgId, environment_id: s.built.environmentId,
      data: {
        id: ada.id, organization_id: d.orgId, dp_id: "okta-ada@example.com", email: "ada@example.com", preferred_username: "ada@example.com",
        active: true, name: "Ada Lovelace", given_name: "Ada", family_name: "Lovelace", groups: [], roles: [], title: "Engineer",
        department: "R&D", employee_id: "E-1", custom_attributes: {},
      },
    });
    expect(events[0].data.raw_attributes.userName).toBe("ada@example.com");
    expect(events[2].data.dp_id).toBeNull();
    expect(events[2].data.email).toBe("linus@example.com");
  });

  it("refuses a duplicate userName (case-insensitively) with 409 uniqueness, and bad bodies with 400", async () => {
    const since = await lastEventId(s);
    expectScimError(await scim(d, "POST", "/Users", oktaUser("ADA@example.com")), 409, "uniqueness");
    expectScimError(await scim(d, "POST", "/Users", { schemas: [USER_SCHEMA], name: { givenName: "X" } }), 400, "invalidValue");
    expectScimError(await scim(d, "POST", "/Users", "{not json"), 400, "invalidSyntax");
    expectScimError(await scim(d, "POST", "/Users", oktaUser("x@example.com", { active: "maybe" })), 400, "invalidValue");
    // valid JSON that PostgreSQL cannot store (NUL) is the client's to fix, in a body or in a filter
    expectScimError(await scim(d, "POST", "/Users", oktaUser("nul\u0000@example.com")), 400, "invalidValue");
    expectScimError(await scim(d, "GET", `/Users?filter=${encodeURIComponent('userName eq "a\\u0000"')}`), 400, "invalidValue");
    expectScimError(await scim(d, "GET", `/Users?filter=${encodeURIComponent('userName eq "a\u0000"')}`), 400, "invalidFilter");
    expect(await eventsSince(s, since)).toEqual([]);
    expect(await s.db.directoryUser.count({ where: { directoryId: d.id } })).toBe(3);
    // concurrent creations of one userName: the unique index lets exactly one win
    const racing = await Promise.all(Array.from({ length: 5 }, () => scim(d, "POST", "/Users", oktaUser("race@example.com"))));
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    for (const r of racing.filter((x) => x.status === 409)) expectScimError(r, 409, "uniqueness");
    const winner = racing.find((r) => r.status === 201)!.body;
    expect((await eventsSince(s, since)).map((e) => e.data.id)).toEqual([winner.id]);
    expect((await scim(d, "DELETE", `/Users/${winner.id}`)).status).toBe(204);
    // a password is accepted but never stored nor returned
    const withPassword = await scim(d, "POST", "/Users", oktaUser("pw@example.com", { password: "hunter2!" }));
    expect(withPassword.status).toBe(201);
    expect(withPassword.body.password).toBeUndefined();
    expect(JSON.stringify(await s.db.directoryUser.findUnique({ where: { id: withPassword.body.id } }))).not.toContain("hunter2");
    expect((await scim(d, "DELETE", `/Users/${withPassword.body.id}`)).status).toBe(204);
    // renaming onto a taken userName is a conflict too
    expectScimError(await scim(d, "PATCH", `/Users/${linus.id}`, patch({ op: "replace", path: "userName", value: "Grace@Example.com" })), 409, "uniqueness");
  });

  it("gets a user by id, 404 for unknown ids", async () => {
    const res = await scim(d, "GET", `/Users/${ada.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(ada);
    expectScimError(await scim(d, "GET", "/Users/diruser_000000000000000001"), 404);
    expectScimError(await scim(d, "DELETE", "/Users/nope"), 404);
  });

  it("filters users by userName, externalId (and), rejects unsupported filters", async () => {
    const byName = await scim(d, "GET", `/Users?filter=${encodeURIComponent('userName eq "ADA@example.com"')}`);
    expect(byName.status).toBe(200);
    expect(byName.body).toMatchObject({ schemas: [LIST], totalResults: 1, itemsPerPage: 1, startIndex: 1 });
    expect(byName.body.Resources[0].id).toBe(ada.id);
    const byExt = await scim(d, "GET", `/Users?filter=${encodeURIComponent('externalId eq "okta-grace@example.com" and userName eq "grace@example.com"')}`);
    expect(byExt.body.Resources.map((u: any) => u.id)).toEqual([grace.id]);
    const none = await scim(d, "GET", `/Users?filter=${encodeURIComponent('userName eq "nobody"')}`);
    expect(none.body).toMatchObject({ totalResults: 0, itemsPerPage: 0, Resources: [] });
    expectScimError(await scim(d, "GET", `/Users?filter=${encodeURIComponent('userName co "ada"')}`), 400, "invalidFilter");
    expectScimError(await scim(d, "GET", `/Users?filter=${encodeURIComponent('title eq "x"')}`), 400, "invalidFilter");
    expectScimError(await scim(d, "GET", `/Users?filter=${encodeURIComponent('userName eq "a" or userName eq "b"')}`), 400, "invalidFilter");
    expectScimError(await scim(d, "GET", "/Users?filter=garbage"), 400, "invalidFilter");
  });

  it("pages with startIndex (1-based) and count", async () => {
    const p1 = await scim(d, "GET", "/Users?startIndex=1&count=2");
    expect(p1.body).toMatchObject({ totalResults: 3, itemsPerPage: 2, startIndex: 1 });
    const p2 = await scim(d, "GET", "/Users?startIndex=3&count=2");
    expect(p2.body).toMatchObject({ totalResults: 3, itemsPerPage: 1, startIndex: 3 });
    expect([...p1.body.Resources, ...p2.body.Resources].map((u: any) => u.id)).toEqual([ada.id, grace.id, linus.id]);
    const zero = await scim(d, "GET", "/Users?count=0");
    expect(zero.body).toMatchObject({ totalResults: 3, itemsPerPage: 0, Resources: [] });
    expect((await scim(d, "GET", "/Users?startIndex=0&count=1")).body.startIndex).toBe(1);
    expectScimError(await scim(d, "GET", "/Users?count=abc"), 400);
  });

  it("shows provisioned users in the Scalekit API, with totals", async () => {
    const dir = await getDirectory();
    expect(dir).toMatchObject({ total_users: 3, total_groups: 0, status: "COMPLETED", stats: { total_users: 3, total_groups: 0 } });
    expect(dir.last_synced_at).toMatch(RFC3339);
    const list = await apiUsers();
    expect(list.total_size).toBe(3);
    expect(list.users[0]).toMatchObject({
      id: ada.id, email: "ada@example.com", preferred_username: "ada@example.com", given_name: "Ada", family_name: "Lovelace",
      emails: ["ada@example.com"], groups: [],
    });
    expect(list.users[0].user_detail).toBeUndefined();
    const detailed = await apiUsers("?include_detail=true&page_size=1");
    expect(detailed.users[0].user_detail).toEqual(ada);
    expect(detailed.next_page_token).not.toBe("");
  });

  it("replaces a user with PUT (absent attributes are cleared) and emits user_updated", async () => {
    const since = await lastEventId(s);
    const res = await scim(d, "PUT", `/Users/${grace.id}`, {
      schemas: [USER_SCHEMA], userName: "grace@example.com", externalId: "okta-grace@example.com",
      name: { givenName: "Grace", familyName: "Murray Hopper" }, emails: [{ value: "grace@navy.example", primary: true }], active: true,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: grace.id, name: { familyName: "Murray Hopper" }, meta: { version: 'W/"2"', created: grace.meta.created } });
    expect(res.body.title).toBeUndefined();
    expect(res.body[ENTERPRISE]).toBeUndefined();
    const [e] = await eventsSince(s, since);
    expect(e).toMatchObject({ type: "organization.directory.user_updated", data: { id: grace.id, family_name: "Murray Hopper", email: "grace@navy.example" } });
    grace = res.body;
    expectScimError(await scim(d, "PUT", `/Users/${grace.id}`, { schemas: [USER_SCHEMA] }), 400, "invalidValue");
    // the same representation again, keys in another order: nothing changes, no event
    const again = await lastEventId(s);
    const { id, meta, groups, ...same } = res.body;
    const reordered = Object.fromEntries(Object.entries(same).reverse());
    expect((await scim(d, "PUT", `/Users/${grace.id}`, reordered)).body.meta.version).toBe('W/"2"');
    expect(await eventsSince(s, again)).toEqual([]);
  });

  it("patches attributes: simple, sub-attribute, filtered multi-valued, extension, path-less (Okta and Azure forms)", async () => {
    const since = await lastEventId(s);
    let res = await scim(d, "PATCH", `/Users/${ada.id}`, patch(
      { op: "replace", path: "name.givenName", value: "Augusta Ada" },
      { op: "replace", path: 'emails[type eq "work"].value', value: "ada@lovelace.example" },
      { op: "add", path: 'phoneNumbers[type eq "mobile"].value', value: "+1 555 0100" },
      { op: "Replace", path: `${ENTERPRISE}:department`, value: "Analytical Engines" },
      { op: "Add", value: { title: "Countess", "name.familyName": "King" } },
    ));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      name: { givenName: "Augusta Ada", familyName: "King" }, title: "Countess",
      emails: [{ type: "work", value: "ada@lovelace.example", primary: true }],
      phoneNumbers: [{ type: "mobile", value: "+1 555 0100" }],
      [ENTERPRISE]: { department: "Analytical Engines", employeeNumber: "E-1" },
      meta: { version: 'W/"2"' },
    });
    res = await scim(d, "PATCH", `/Users/${ada.id}`, patch({ op: "remove", path: 'phoneNumbers[type eq "mobile"]' }, { op: "remove", path: "title" }));
    expect(res.body.phoneNumbers).toEqual([]);
    expect(res.body.title).toBeUndefined();
    // a patch that changes nothing writes nothing
    const same = await scim(d, "PATCH", `/Users/${ada.id}`, patch({ op: "replace", path: "name.givenName", value: "Augusta Ada" }));
    expect(same.body.meta.version).toBe('W/"3"');

    const events = await eventsSince(s, since);
    expect(events.map((e) => e.type)).toEqual(["organization.directory.user_updated", "organization.directory.user_updated"]);
    expect(events[0].data).toMatchObject({ given_name: "Augusta Ada", family_name: "King", email: "ada@lovelace.example", department: "Analytical Engines", phone_number: "+1 555 0100" });
    const api = (await apiUsers()).users.find((u: any) => u.id === ada.id);
    expect(api).toMatchObject({ given_name: "Augusta Ada", family_name: "King", email: "ada@lovelace.example" });

    expectScimError(await scim(d, "PATCH", `/Users/${ada.id}`, patch({ op: "move", path: "title", value: "x" })), 400, "invalidSyntax");
    expectScimError(await scim(d, "PATCH", `/Users/${ada.id}`, { schemas: [PATCH_OP] }), 400, "invalidSyntax");
    expectScimError(await scim(d, "PATCH", `/Users/${ada.id}`, patch({ op: "remove" })), 400, "noTarget");
    expectScimError(await scim(d, "PATCH", `/Users/${ada.id}`, patch({ op: "replace", path: "emails[type zz \"work\"].value", value: "x" })), 400, "invalidPath");
    ada = (await scim(d, "GET", `/Users/${ada.id}`)).body;
  });

  let admins: any;
  let staff: any;

  it("creates groups with members, emits group_created, filters by displayName and externalId", async () => {
    const since = await lastEventId(s);
    const res = await scim(d, "POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: "Admins", externalId: "okta-admins", members: [{ value: ada.id }] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    admins = res.body;
    expect(admins).toMatchObject({
      schemas: [GROUP_SCHEMA], displayName: "Admins", externalId: "okta-admins",
      members: [{ value: ada.id, display: "ada@example.com", $ref: `${d.endpoint}/Users/${ada.id}` }],
      meta: { resourceType: "Group", location: `${d.endpoint}/Groups/${admins.id}`, version: 'W/"1"' },
    });
    expect(admins.id).toMatch(/^dirgroup_\d{18}$/);
    staff = (await scim(d, "POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: "Staff" })).body;
    expect(staff.members).toEqual([]);
    expectScimError(await scim(d, "POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: "Bad", members: [{ value: "diruser_000000000000000001" }] }), 400, "invalidValue");
    expectScimError(await scim(d, "POST", "/Groups", { schemas: [GROUP_SCHEMA] }), 400, "invalidValue");

    const events = await eventsSince(s, since);
    // a member joining is a change of that user too (group events carry no members)
    expect(events.map((e) => [e.type, e.data.id])).toEqual([
      ["organization.directory.group_created", admins.id], ["organization.directory.user_updated", ada.id],
      ["organization.directory.group_created", staff.id],
    ]);
    expect(events[1].data.groups).toEqual([{ id: admins.id, name: "Admins" }]);
    events.splice(1, 1);
    expect(events[0]).toMatchObject({
      object: "DirectoryGroup", organization_id: d.orgId,
      data: { id: admins.id, directory_id: d.id, organization_id: d.orgId, display_name: "Admins", external_id: "okta-admins" },
    });
    expect(events[1].data.external_id).toBeNull();

    const byName = await scim(d, "GET", `/Groups?filter=${encodeURIComponent('displayName eq "admins"')}`);
    expect(byName.body.Resources.map((g: any) => g.id)).toEqual([admins.id]);
    const byExt = await scim(d, "GET", `/Groups?filter=${encodeURIComponent('externalId eq "okta-admins"')}&excludedAttributes=members`);
    expect(byExt.body.Resources[0].members).toBeUndefined();
    expectScimError(await scim(d, "GET", `/Groups?filter=${encodeURIComponent('userName eq "x"')}`), 400, "invalidFilter");
    expect((await scim(d, "GET", `/Users/${ada.id}`)).body.groups).toEqual([{ value: admins.id, display: "Admins", $ref: `${d.endpoint}/Groups/${admins.id}`, type: "direct" }]);
  });

  it("patches group membership: add, remove by filter, Azure value-list remove, path-less replace", async () => {
    const since = await lastEventId(s);
    let res = await scim(d, "PATCH", `/Groups/${staff.id}`, patch({ op: "add", path: "members", value: [{ value: ada.id }, { value: grace.id }, { value: linus.id }] }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.members.map((m: any) => m.value).sort()).toEqual([ada.id, grace.id, linus.id].sort());
    res = await scim(d, "PATCH", `/Groups/${staff.id}`, patch({ op: "remove", path: `members[value eq "${linus.id}"]` }));
    expect(res.body.members.map((m: any) => m.value).sort()).toEqual([ada.id, grace.id].sort());
    res = await scim(d, "PATCH", `/Groups/${staff.id}`, patch({ op: "Remove", path: "members", value: [{ value: ada.id }] }));
    expect(res.body.members.map((m: any) => m.value)).toEqual([grace.id]);
    res = await scim(d, "PATCH", `/Groups/${staff.id}`, patch({ op: "Replace", value: { id: staff.id, displayName: "All Staff" } }));
    expect(res.body).toMatchObject({ displayName: "All Staff", members: [{ value: grace.id }] });
    expectScimError(await scim(d, "PATCH", `/Groups/${staff.id}`, patch({ op: "add", path: "members", value: [{ value: "diruser_000000000000000009" }] })), 400, "invalidValue");
    // adding a member already there changes nothing
    res = await scim(d, "PATCH", `/Groups/${staff.id}`, patch({ op: "add", path: "members", value: [{ value: grace.id }] }));
    expect(res.body.meta.version).toBe('W/"5"');

    const events = await eventsSince(s, since);
    const G = "organization.directory.group_updated", U = "organization.directory.user_updated";
    expect(events.map((e) => [e.type, e.data.id])).toEqual([
      [G, staff.id], [U, ada.id], [U, grace.id], [U, linus.id], // three joined
      [G, staff.id], [U, linus.id], // left by filter
      [G, staff.id], [U, ada.id], // left by value list
      [G, staff.id], [U, grace.id], // renamed: the remaining member's groups changed
    ]);
    expect(events[8].data).toMatchObject({ id: staff.id, display_name: "All Staff" });
    expect(events[9].data.groups).toEqual([{ id: staff.id, name: "All Staff" }]);
    expect(events[7].data.groups).toEqual([{ id: admins.id, name: "Admins" }]);

    const groups = await apiGroups("?include_detail=true");
    expect(groups.total_size).toBe(2);
    const apiStaff = groups.groups.find((g: any) => g.id === staff.id);
    expect(apiStaff).toMatchObject({ display_name: "All Staff", total_users: 1 });
    expect(apiStaff.group_detail).toMatchObject({ id: staff.id, displayName: "All Staff", members: [{ value: grace.id }] });
    const inAdmins = await apiUsers(`?directory_group_id=${admins.id}`);
    expect(inAdmins.users.map((u: any) => u.id)).toEqual([ada.id]);
    expect(inAdmins.users[0].groups).toEqual([expect.objectContaining({ id: admins.id, display_name: "Admins", total_users: 1 })]);
    expect((await getDirectory()).total_groups).toBe(2);
  });

  it("replaces a group with PUT, members included", async () => {
    const res = await scim(d, "PUT", `/Groups/${admins.id}`, { schemas: [GROUP_SCHEMA], displayName: "Administrators", externalId: "okta-admins", members: [{ value: grace.id }] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ displayName: "Administrators", members: [{ value: grace.id }] });
    expect((await apiUsers(`?directory_group_id=${admins.id}`)).users.map((u: any) => u.id)).toEqual([grace.id]);
  });

  it("lists only what changed after updated_after", async () => {
    const before = new Date(Date.now() - 1).toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const cut = new Date().toISOString();
    await scim(d, "PATCH", `/Users/${linus.id}`, patch({ op: "replace", path: "displayName", value: "Linus T" }));
    const after = await apiUsers(`?updated_after=${encodeURIComponent(cut)}`);
    expect(after.users.map((u: any) => u.id)).toEqual([linus.id]);
    expect((await apiUsers(`?updated_after=${encodeURIComponent(before)}`)).users.length).toBeGreaterThanOrEqual(1);
    expect((await apiGroups(`?updated_after=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).groups).toEqual([]);
  });

  it("deprovisions: active=false (Okta and Azure forms) keeps the user, marked inactive", async () => {
    const since = await lastEventId(s);
    let res = await scim(d, "PATCH", `/Users/${linus.id}`, patch({ op: "replace", value: { active: false } }));
    expect(res.body.active).toBe(false);
    res = await scim(d, "PATCH", `/Users/${grace.id}`, patch({ op: "Replace", path: "active", value: "False" }));
    expect(res.body.active).toBe(false);
    const events = await eventsSince(s, since);
    expect(events.map((e) => [e.type, e.data.id, e.data.active])).toEqual([
      ["organization.directory.user_updated", linus.id, false], ["organization.directory.user_updated", grace.id, false],
    ]);
    const list = await apiUsers("?include_detail=true");
    expect(list.users.find((u: any) => u.id === grace.id).user_detail.active).toBe(false);
    expect((await scim(d, "GET", `/Users?filter=${encodeURIComponent('userName eq "linus"')}`)).body.Resources[0].active).toBe(false);
  });

  it("deprovisions with DELETE (204), removing memberships, and emits user_deleted / group_deleted", async () => {
    const since = await lastEventId(s);
    const del = await scim(d, "DELETE", `/Users/${grace.id}`);
    expect(del.status).toBe(204);
    expect(del.body).toBeUndefined();
    expectScimError(await scim(d, "GET", `/Users/${grace.id}`), 404);
    expect((await scim(d, "GET", `/Groups/${staff.id}`)).body.members).toEqual([]);
    expect((await scim(d, "DELETE", `/Groups/${staff.id}`)).status).toBe(204);
    expectScimError(await scim(d, "GET", `/Groups/${staff.id}`), 404);

    const events = await eventsSince(s, since);
    expect(events.map((e) => e.type)).toEqual(["organization.directory.user_deleted", "organization.directory.group_deleted"]);
    expect(events[0].data).toEqual({ id: grace.id, organization_id: d.orgId, dp_id: "okta-grace@example.com", email: "grace@navy.example" });
    expect(events[1].data).toMatchObject({ id: staff.id, directory_id: d.id, display_name: "All Staff", dp_id: null });
    const dir = await getDirectory();
    expect(dir).toMatchObject({ total_users: 2, total_groups: 1 });
    expect((await apiUsers()).users.map((u: any) => u.id)).toEqual([ada.id, linus.id]);
  });

  it("a disabled directory refuses SCIM calls with 403, and serves again once enabled", async () => {
    const off = await s.rest("PATCH", `${dirs(d.orgId)}/${d.id}:disable`, {});
    expectResponse(off, "DirectoryService_DisableDirectory", 200);
    expectScimError(await scim(d, "GET", "/Users"), 403);
    expectScimError(await scim(d, "POST", "/Users", oktaUser("new@example.com")), 403);
    // the secret is still checked first: a wrong one is 401 even while disabled
    expectScimError(await scim(d, "GET", "/Users", undefined, { token: "wrong" }), 401);
    expect(await s.db.directoryUser.count({ where: { directoryId: d.id } })).toBe(2);
    expectResponse(await s.rest("PATCH", `${dirs(d.orgId)}/${d.id}:enable`, {}), "DirectoryService_EnableDirectory", 200);
    expect((await scim(d, "GET", "/Users")).status).toBe(200);
  });

  it("a regenerated secret replaces the old one", async () => {
    const res = await s.rest("POST", `${dirs(d.orgId)}/${d.id}/secrets:regenerate`, {});
    expect(res.status).toBe(200);
    expectScimError(await scim(d, "GET", "/Users"), 401);
    const fresh = { ...d, secret: res.body.plain_secret };
    expect((await scim(fresh, "GET", "/Users")).status).toBe(200);
    const stored = await s.db.directorySecret.findMany({ where: { directoryId: d.id } });
    expect(stored.every((x) => !JSON.stringify(x).includes(res.body.plain_secret))).toBe(true);
    d = fresh;
  });

  it("answers SCIM errors for unknown resources under the endpoint and keeps content types", async () => {
    const res = await scim(d, "GET", `/Users/${ada.id}`);
    expect(res.headers.get("content-type")).toBe(`${SCIM_TYPE}; charset=utf-8`);
    expectScimError(await scim(d, "GET", "/ResourceTypes/Device"), 404);
    expectScimError(await scim(d, "GET", "/Devices"), 404);
    expectScimError(await scim(d, "POST", "/Bulk", {}), 404);
    expectScimError(await scim(d, "GET", "/Devices", undefined, { token: null }), 401);
  });
});
