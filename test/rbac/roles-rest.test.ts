// REST conformance of the Roles tag (20 operations): every response body checked against the OpenAPI schema of its
// operation, every error against the error envelope, every change against the outbox rows written with it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { expectErrorBody, expectResponse, operationsOfTag, validatedOperations } from "../helpers/openapi.js";
import {
  ROLES, eventsSince, expectRoleEvent, hold, lastEventId, names, orgRoles, organization, permission, role, unique,
} from "./fixtures.js";

describe("Roles REST", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(async () => { await s?.close(); });

  /** Two permissions and a viewer ← editor chain, with fresh names. */
  async function chain() {
    const read = await permission(s, unique("read:docs"), "Read documents");
    const write = await permission(s, unique("write:docs"));
    const viewer = await role(s, { name: unique("viewer"), permissions: [read.name] });
    const editor = await role(s, { name: unique("editor"), extends: viewer.name, permissions: [write.name] });
    return { read, write, viewer, editor };
  }

  describe("POST /roles", () => {
    it("creates a role with a base and permissions: 201, the documented body, one role.created event", async () => {
      const read = await permission(s, unique("read:content"));
      const base = await role(s, { name: unique("base") });
      const since = await lastEventId(s);
      const res = await s.rest("POST", ROLES, {
        name: "content_editor", display_name: "Content Editor", description: "Can edit content", extends: base.name, permissions: [read.name],
      });
      expectResponse(res, "RolesService_CreateRole", 201);
      const r = res.body.role;
      expect(r).toMatchObject({
        name: "content_editor", display_name: "Content Editor", description: "Can edit content", extends: base.name,
        default_creator: false, default_member: false, dependent_roles_count: 0, is_org_role: false,
      });
      expect(r.id).toMatch(/^role_\d{18}$/);
      expect(r.permissions.map((p: any) => [p.name, p.role_name])).toEqual([[read.name, "content_editor"]]);

      const events = await eventsSince(s, since);
      expect(events).toHaveLength(1);
      expectRoleEvent(s, events[0], "role.created", { id: r.id, name: "content_editor", display_name: "Content Editor", description: "Can edit content", extends: base.name });
      expect((await s.rest("GET", `${ROLES}/${base.name}`)).body.role.dependent_roles_count).toBe(1);
    });

    it("writes extends: null into the event of a role without a base", async () => {
      const since = await lastEventId(s);
      const r = await role(s, { name: unique("plain") });
      const [e] = await eventsSince(s, since);
      expectRoleEvent(s, e, "role.created", { id: r.id, extends: null, description: "" });
    });

    it.each([
      ["a name with a space", { name: "bad name", display_name: "X" }, "role.name"],
      ["a name with a colon", { name: "bad:name", display_name: "X" }, "role.name"],
      ["a 65-character name", { name: "n".repeat(65), display_name: "X" }, "role.name"],
      ["no name", { display_name: "X" }, "role.name"],
      ["no display_name", { name: "no_display" }, "role.display_name"],
      ["a 101-character display_name", { name: "long_display", display_name: "d".repeat(101) }, "role.display_name"],
      ["a 2001-character description", { name: "long_desc", display_name: "X", description: "d".repeat(2001) }, "role.description"],
      ["101 permissions", { name: "too_many", display_name: "X", permissions: Array.from({ length: 101 }, (_, i) => `p:${i}`) }, "role.permissions"],
      ["a malformed permission name", { name: "bad_perm", display_name: "X", permissions: ["read documents"] }, "role.permissions[0]"],
      ["a malformed base name", { name: "bad_base", display_name: "X", extends: "no-such" }, "role.extends"],
      ["permissions that are not a list", { name: "bad_list", display_name: "X", permissions: "read:x" }, "permissions"],
    ])("rejects %s with 400 naming the field and writes nothing", async (_n, body, field) => {
      const [roles, events] = [await s.db.role.count(), await s.db.event.count()];
      const res = await s.rest("POST", ROLES, body);
      expect(res.status).toBe(400);
      expectErrorBody(res.body, 3, "INVALID_ARGUMENT");
      expect(res.body.message).toContain(field);
      expect([await s.db.role.count(), await s.db.event.count()]).toEqual([roles, events]);
    });

    it("accepts the limits: a 64-character name, 100-character display name, 2000-character description, 100 permissions", async () => {
      const perms = Array.from({ length: 100 }, (_, i) => `limit:p${i}`);
      await s.db.permission.createMany({ data: perms.map((name, i) => ({ id: `perm_9${String(i).padStart(17, "0")}`, name })) });
      const res = await s.rest("POST", ROLES, { name: "L".repeat(64), display_name: "D".repeat(100), description: "x".repeat(2000), permissions: perms });
      expectResponse(res, "RolesService_CreateRole", 201);
      expect(res.body.role.permissions).toHaveLength(100);
    });

    it("answers an unknown permission or base role with 404 naming it, and creates nothing", async () => {
      const before = await s.db.role.count();
      const perm = await s.rest("POST", ROLES, { name: unique("r"), display_name: "R", permissions: ["no:such_perm", "nor:this"] });
      expect(perm.status).toBe(404);
      expectErrorBody(perm.body, 5, "NOT_FOUND");
      expect(perm.body.message).toContain("no:such_perm, nor:this");
      const base = await s.rest("POST", ROLES, { name: unique("r"), display_name: "R", extends: "no_such_base" });
      expect(base.status).toBe(404);
      expectErrorBody(base.body, 5, "NOT_FOUND");
      expect(base.body.message).toContain("no_such_base");
      expect(await s.db.role.count()).toBe(before);
    });

    it("answers a duplicate name as the cloud does (400 \"duplicate key not allowed\") and no event; one of 20 concurrent creates wins", async () => {
      const name = unique("dup");
      await role(s, { name });
      const since = await lastEventId(s);
      const again = await s.rest("POST", ROLES, { name, display_name: "Again" });
      expect(again.status).toBe(400);
      expectErrorBody(again.body, 3, "INVALID_ARGUMENT");
      expect(again.body.message).toBe("duplicate key not allowed");
      expect(await eventsSince(s, since)).toEqual([]);

      const raced = unique("race");
      const results = await Promise.all(Array.from({ length: 20 }, () => s.rest("POST", ROLES, { name: raced, display_name: "R" })));
      expect(results.filter((r) => r.status === 201)).toHaveLength(1);
      expect(results.filter((r) => r.status === 400 && r.body.message === "duplicate key not allowed")).toHaveLength(19);
      expect(await s.db.role.count({ where: { name: raced } })).toBe(1);
      expect(await s.db.event.count({ where: { type: "role.created", payload: { path: ["data", "name"], equals: raced } } })).toBe(1);
    });
  });

  describe("GET /roles/{role_name} and GET /roles", () => {
    it("reads a role without permissions, with direct ones, or with effective ones (each once, by source)", async () => {
      const { read, write, viewer, editor } = await chain();
      const plain = await s.rest("GET", `${ROLES}/${editor.name}`);
      expectResponse(plain, "RolesService_GetRole", 200);
      expect(plain.body.role).toMatchObject({ id: editor.id, name: editor.name, extends: viewer.name, permissions: [] });
      const direct = await s.rest("GET", `${ROLES}/${editor.name}?include=permissions`);
      expectResponse(direct, "RolesService_GetRole", 200);
      expect(direct.body.role.permissions.map((p: any) => [p.name, p.role_name])).toEqual([[write.name, editor.name]]);
      // a permission granted both directly and by the base appears once, attributed to the nearer role
      await s.rest("POST", `${ROLES}/${editor.name}/permissions`, { permission_names: [read.name] });
      await s.rest("DELETE", `${ROLES}/${editor.name}/permissions/${read.name}`);
      const all = await s.rest("GET", `${ROLES}/${editor.name}?include=permissions:all`);
      expectResponse(all, "RolesService_GetRole", 200);
      expect(all.body.role.permissions.map((p: any) => [p.name, p.role_name]).sort()).toEqual([[read.name, viewer.name], [write.name, editor.name]].sort());
      for (const p of all.body.role.permissions) expect(p.id).toMatch(/^perm_\d{18}$/);
    });

    it("answers 404 for an unknown role and 400 for a malformed name or include", async () => {
      const missing = await s.rest("GET", `${ROLES}/no_such_role`);
      expect(missing.status).toBe(404);
      expectErrorBody(missing.body, 5, "NOT_FOUND");
      for (const path of [`${ROLES}/bad:name`, `${ROLES}/${"n".repeat(65)}`, `${ROLES}/viewer?include=everything`]) {
        const bad = await s.rest("GET", path);
        expect(bad.status, path).toBe(400);
        expectErrorBody(bad.body, 3, "INVALID_ARGUMENT");
      }
    });

    it("lists environment and organization roles, marking the organization's", async () => {
      const orgId = await organization(s);
      const env = await role(s, { name: unique("listed_env") });
      const own = await role(s, { name: unique("listed_org"), extends: env.name }, orgId);
      const res = await s.rest("GET", `${ROLES}?include=permissions`);
      expectResponse(res, "RolesService_ListRoles", 200);
      const byName = new Map(res.body.roles.map((r: any) => [r.name, r]));
      expect(byName.get(env.name)).toMatchObject({ is_org_role: false, dependent_roles_count: 1 });
      expect(byName.get(own.name)).toMatchObject({ is_org_role: true, extends: env.name });
      const ids = res.body.roles.map((r: any) => r.id);
      expect(ids).toEqual([...ids].sort());
      expectResponse(await s.rest("GET", `${ROLES}?include=permissions:all`), "RolesService_ListRoles", 200);
    });
  });

  describe("PUT /roles/{role_name}", () => {
    it("merges the fields given, replaces permissions when listed, and emits role.updated", async () => {
      const { read, write, viewer, editor } = await chain();
      const since = await lastEventId(s);
      const renamed = await s.rest("PUT", `${ROLES}/${editor.name}`, { display_name: "Senior Editor" });
      expectResponse(renamed, "RolesService_UpdateRole", 200);
      expect(renamed.body.role).toMatchObject({ name: editor.name, display_name: "Senior Editor", extends: viewer.name });
      expect(names(renamed.body.role.permissions)).toEqual([write.name]);

      const replaced = await s.rest("PUT", `${ROLES}/${editor.name}`, { description: "Edits", permissions: [read.name] });
      expectResponse(replaced, "RolesService_UpdateRole", 200);
      expect(replaced.body.role).toMatchObject({ display_name: "Senior Editor", description: "Edits" });
      expect(names(replaced.body.role.permissions)).toEqual([read.name]);

      // an empty list is indistinguishable from no list: the set stays
      const kept = await s.rest("PUT", `${ROLES}/${editor.name}`, { permissions: [] });
      expect(names(kept.body.role.permissions)).toEqual([read.name]);

      const events = await eventsSince(s, since);
      expect(events.map((e) => e.type)).toEqual(["role.updated", "role.updated"]);
      expectRoleEvent(s, events[1], "role.updated", { id: editor.id, display_name: "Senior Editor", description: "Edits", extends: viewer.name });
    });

    it("changes the base role and with it the effective permissions", async () => {
      const { read, editor } = await chain();
      const other = await permission(s, unique("admin:all"));
      const admin = await role(s, { name: unique("admin"), permissions: [other.name] });
      const res = await s.rest("PUT", `${ROLES}/${editor.name}`, { extends: admin.name });
      expectResponse(res, "RolesService_UpdateRole", 200);
      expect(res.body.role.extends).toBe(admin.name);
      const all = (await s.rest("GET", `${ROLES}/${editor.name}/permissions:all`)).body.permissions;
      expect(names(all)).toContain(other.name);
      expect(names(all)).not.toContain(read.name);
    });

    it("writes nothing when nothing changes", async () => {
      const { editor, viewer } = await chain();
      const since = await lastEventId(s);
      const res = await s.rest("PUT", `${ROLES}/${editor.name}`, { display_name: editor.display_name, extends: viewer.name });
      expectResponse(res, "RolesService_UpdateRole", 200);
      expect(await eventsSince(s, since)).toEqual([]);
    });

    it.each([
      ["itself", (c: any) => c.editor.name, (c: any) => c.editor.name],
      ["its dependent", (c: any) => c.viewer.name, (c: any) => c.editor.name],
    ])("rejects extending %s with 400 and changes nothing", async (_n, target, base) => {
      const c = await chain();
      const since = await lastEventId(s);
      const res = await s.rest("PUT", `${ROLES}/${target(c)}`, { extends: base(c), display_name: "Changed" });
      expect(res.status).toBe(400);
      expectErrorBody(res.body, 3, "INVALID_ARGUMENT");
      expect(res.body.message).toContain("cycle");
      expect(await eventsSince(s, since)).toEqual([]);
      expect((await s.rest("GET", `${ROLES}/${target(c)}`)).body.role.display_name).toBe(target(c));
    });

    it("answers 404 for an unknown role, base or permission, and 400 for a body that is not a role", async () => {
      const { editor } = await chain();
      for (const [path, body] of [[`${ROLES}/no_such_role`, { display_name: "x" }], [`${ROLES}/${editor.name}`, { extends: "no_such_base" }], [`${ROLES}/${editor.name}`, { permissions: ["no:such"] }]] as const) {
        const res = await s.rest("PUT", path, body);
        expect(res.status, JSON.stringify(body)).toBe(404);
        expectErrorBody(res.body, 5, "NOT_FOUND");
      }
      for (const body of [{ display_name: "" }, { description: "" }, { extends: "" }, "[1]"]) {
        const res = await s.rest("PUT", `${ROLES}/${editor.name}`, body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expectErrorBody(res.body, 3, "INVALID_ARGUMENT");
      }
    });
  });

  describe("DELETE /roles/{role_name}", () => {
    it("deletes a role nobody uses: 200 {}, role.deleted, then 404", async () => {
      const { read } = await chain();
      const r = await role(s, { name: unique("doomed"), description: "bye", permissions: [read.name] });
      const since = await lastEventId(s);
      const res = await s.rest("DELETE", `${ROLES}/${r.name}`);
      expectResponse(res, "RolesService_DeleteRole", 200);
      expect(res.body).toEqual({});
      const [e] = await eventsSince(s, since);
      expectRoleEvent(s, e, "role.deleted", { id: r.id, name: r.name, description: "bye", extends: null });
      expect((await s.rest("GET", `${ROLES}/${r.name}`)).status).toBe(404);
      expect(await s.db.rolePermission.count({ where: { roleId: r.id } })).toBe(0);
      const again = await s.rest("DELETE", `${ROLES}/${r.name}`);
      expect(again.status).toBe(404);
      expectErrorBody(again.body, 5, "NOT_FOUND");
    });

    it("refuses to delete a role that others extend, users hold, or that is a default, unless reassigned", async () => {
      const orgId = await organization(s);
      const extended = await chain();
      const held = await role(s, { name: unique("held") });
      await hold(s, orgId, "usr_1", held.id);
      const dflt = await role(s, { name: unique("dflt") });
      await s.rest("PATCH", `${ORG_DEFAULTS(orgId)}`, { default_member_role: dflt.name });
      for (const [name, why] of [[extended.viewer.name, "extends it"], [held.name, "role cannot be deleted as it is assigned to users"], [dflt.name, "default"]]) {
        const since = await lastEventId(s);
        const res = await s.rest("DELETE", `${ROLES}/${name}`);
        expect(res.status, name).toBe(400);
        expectErrorBody(res.body, 9, "FAILED_PRECONDITION");
        expect(res.body.message).toContain(why);
        expect(await eventsSince(s, since)).toEqual([]);
        expect((await s.rest("GET", `${ROLES}/${name}`)).status).toBe(200);
      }
    });

    it("with reassign_role_name moves dependents, holders and defaults to the replacement", async () => {
      const orgA = await organization(s, "A");
      const orgB = await organization(s, "B");
      const { viewer, editor } = await chain();
      const orgRole = await role(s, { name: unique("org_dep"), extends: viewer.name }, orgA);
      const replacement = await role(s, { name: unique("replacement") });
      await hold(s, orgA, "usr_1", viewer.id);
      await hold(s, orgA, "usr_2", viewer.id);
      await hold(s, orgA, "usr_2", replacement.id); // already holds the replacement: keeps one row
      await hold(s, orgB, "usr_1", viewer.id);
      await s.rest("PATCH", `${ROLES}:set_defaults`, { default_member_role: viewer.name });

      const since = await lastEventId(s);
      const res = await s.rest("DELETE", `${ROLES}/${viewer.name}?reassign_role_name=${replacement.name}`);
      expectResponse(res, "RolesService_DeleteRole", 200);
      expect((await s.rest("GET", `${ROLES}/${editor.name}`)).body.role.extends).toBe(replacement.name);
      expect((await s.rest("GET", `${orgRoles(orgA)}/${orgRole.name}`)).body.role.extends).toBe(replacement.name);
      const holders = await s.db.roleAssignment.findMany({ where: { roleId: { in: [viewer.id, replacement.id] } }, orderBy: [{ organizationId: "asc" }, { userId: "asc" }] });
      expect(holders.map((h) => [h.organizationId, h.userId, h.roleId])).toEqual([
        [orgA, "usr_1", replacement.id], [orgA, "usr_2", replacement.id], [orgB, "usr_1", replacement.id],
      ].sort());
      expect((await s.rest("GET", `${ROLES}/${replacement.name}`)).body.role).toMatchObject({ default_member: true, dependent_roles_count: 2 });

      const events = await eventsSince(s, since);
      expect(events.map((e) => [e.type, e.data.name])).toEqual([
        ["role.updated", editor.name], ["role.updated", orgRole.name], ["role.deleted", viewer.name],
      ]);
      expect(events[0].data.extends).toBe(replacement.name);
      expect(events[1].organization_id).toBe(orgA);
    });

    it("accepts reassign_role_id as an id or a name; refuses itself, a role extending it, unknown or disagreeing ones", async () => {
      const { viewer, editor } = await chain();
      const other = await role(s, { name: unique("other") });
      const third = await role(s, { name: unique("third") });
      const cases: [string, number, string][] = [
        [`reassign_role_name=${viewer.name}`, 400, "INVALID_ARGUMENT"],
        [`reassign_role_name=${editor.name}`, 400, "INVALID_ARGUMENT"],
        ["reassign_role_name=no_such_role", 404, "NOT_FOUND"],
        [`reassign_role_name=${other.name}&reassign_role_id=${third.id}`, 400, "INVALID_ARGUMENT"],
        ["reassign_role_name=bad-name", 400, "INVALID_ARGUMENT"],
      ];
      for (const [q, status, code] of cases) {
        const res = await s.rest("DELETE", `${ROLES}/${viewer.name}?${q}`);
        expect(res.status, q).toBe(status);
        expectErrorBody(res.body, status === 404 ? 5 : 3, code);
      }
      const byId = await s.rest("DELETE", `${ROLES}/${viewer.name}?reassign_role_id=${other.id}`);
      expectResponse(byId, "RolesService_DeleteRole", 200);
      expect((await s.rest("GET", `${ROLES}/${editor.name}`)).body.role.extends).toBe(other.name);
      const byName = await s.rest("DELETE", `${ROLES}/${editor.name}?reassign_role_id=${third.name}`);
      expectResponse(byName, "RolesService_DeleteRole", 200);
    });
  });

  describe("DELETE /roles/{role_name}/base", () => {
    it("removes inheritance: only direct permissions remain; role.updated with extends null", async () => {
      const { write, viewer, editor } = await chain();
      const since = await lastEventId(s);
      const res = await s.rest("DELETE", `${ROLES}/${editor.name}/base`);
      expectResponse(res, "RolesService_DeleteRoleBase", 200);
      expect(res.body).toEqual({});
      const got = (await s.rest("GET", `${ROLES}/${editor.name}`)).body.role;
      expect(got.extends).toBeUndefined();
      expect(names((await s.rest("GET", `${ROLES}/${editor.name}/permissions:all`)).body.permissions)).toEqual([write.name]);
      expect((await s.rest("GET", `${ROLES}/${viewer.name}`)).body.role.dependent_roles_count).toBe(0);
      const [e] = await eventsSince(s, since);
      expectRoleEvent(s, e, "role.updated", { id: editor.id, extends: null });
      // already without a base: nothing to do, nothing written
      const again = await s.rest("DELETE", `${ROLES}/${editor.name}/base`);
      expectResponse(again, "RolesService_DeleteRoleBase", 200);
      expect(await eventsSince(s, e.id)).toEqual([]);
      expect((await s.rest("DELETE", `${ROLES}/no_such_role/base`)).status).toBe(404);
    });
  });

  describe("GET /roles/{role_name}/dependents", () => {
    it("lists the roles extending it directly, not their dependents", async () => {
      const { viewer, editor } = await chain();
      const sibling = await role(s, { name: unique("sibling"), extends: viewer.name });
      await role(s, { name: unique("grandchild"), extends: editor.name });
      const res = await s.rest("GET", `${ROLES}/${viewer.name}/dependents`);
      expectResponse(res, "RolesService_ListDependentRoles", 200);
      expect(names(res.body.roles)).toEqual([editor.name, sibling.name]);
      expect(res.body.roles[0]).toMatchObject({ extends: viewer.name, dependent_roles_count: 1 });
      expect((await s.rest("GET", `${ROLES}/${sibling.name}/dependents`)).body).toEqual({ roles: [] });
      expect((await s.rest("GET", `${ROLES}/no_such_role/dependents`)).status).toBe(404);
    });
  });

  describe("/roles/{role_name}/permissions and permissions:all", () => {
    it("adds permissions idempotently and answers with the whole direct set (200)", async () => {
      const { read, write, viewer } = await chain();
      const extra = await permission(s, unique("extra:perm"));
      const since = await lastEventId(s);
      const res = await s.rest("POST", `${ROLES}/${viewer.name}/permissions`, { permission_names: [extra.name, read.name] });
      expectResponse(res, "RolesService_AddPermissionsToRole", 200);
      expect(names(res.body.permissions).sort()).toEqual([extra.name, read.name].sort());
      const same = await s.rest("POST", `${ROLES}/${viewer.name}/permissions`, { permission_names: [extra.name] });
      expect(names(same.body.permissions).sort()).toEqual([extra.name, read.name].sort());
      expect((await eventsSince(s, since)).map((e) => e.type)).toEqual(["role.updated"]);

      const listed = await s.rest("GET", `${ROLES}/${viewer.name}/permissions`);
      expectResponse(listed, "RolesService_ListRolePermissions", 200);
      expect(names(listed.body.permissions).sort()).toEqual([extra.name, read.name].sort());
      expect(names(listed.body.permissions)).not.toContain(write.name);
    });

    it("refuses unknown permissions (404), an empty list and more than 100 in total (400), adding none", async () => {
      const { viewer } = await chain();
      const unknown = await s.rest("POST", `${ROLES}/${viewer.name}/permissions`, { permission_names: ["no:such"] });
      expect(unknown.status).toBe(404);
      expectErrorBody(unknown.body, 5, "NOT_FOUND");
      const empty = await s.rest("POST", `${ROLES}/${viewer.name}/permissions`, { permission_names: [] });
      expect(empty.status).toBe(400);
      const many = Array.from({ length: 100 }, (_, i) => `cap${process.pid}:p${i}`);
      await s.db.permission.createMany({ data: many.map((name, i) => ({ id: `perm_8${String(i).padStart(17, "0")}`, name })) });
      const over = await s.rest("POST", `${ROLES}/${viewer.name}/permissions`, { permission_names: many });
      expect(over.status).toBe(400);
      expectErrorBody(over.body, 3, "INVALID_ARGUMENT");
      expect(over.body.message).toContain("at most 100");
      expect(await s.db.rolePermission.count({ where: { roleId: viewer.id } })).toBe(1);
      expect((await s.rest("POST", `${ROLES}/no_such_role/permissions`, { permission_names: [many[0]] })).status).toBe(404);
    });

    it("removes a direct permission; an inherited or unassigned one is 404", async () => {
      const { read, write, editor } = await chain();
      const inherited = await s.rest("DELETE", `${ROLES}/${editor.name}/permissions/${read.name}`);
      expect(inherited.status).toBe(404);
      expectErrorBody(inherited.body, 5, "NOT_FOUND");
      const since = await lastEventId(s);
      const res = await s.rest("DELETE", `${ROLES}/${editor.name}/permissions/${write.name}`);
      expectResponse(res, "RolesService_RemovePermissionFromRole", 200);
      expect(res.body).toEqual({});
      expect((await eventsSince(s, since)).map((e) => e.type)).toEqual(["role.updated"]);
      expect((await s.rest("GET", `${ROLES}/${editor.name}/permissions`)).body.permissions).toEqual([]);
      expect((await s.rest("DELETE", `${ROLES}/${editor.name}/permissions/${write.name}`)).status).toBe(404);
      expect((await s.rest("DELETE", `${ROLES}/${editor.name}/permissions/no:such`)).status).toBe(404);
    });

    it("permissions:all returns direct and inherited permissions of a 3-level chain, each once", async () => {
      const { read, write, editor } = await chain();
      const own = await permission(s, unique("own:perm"));
      const leaf = await role(s, { name: unique("leaf"), extends: editor.name, permissions: [own.name, read.name] });
      const res = await s.rest("GET", `${ROLES}/${leaf.name}/permissions:all`);
      expectResponse(res, "RolesService_ListEffectiveRolePermissions", 200);
      expect(names(res.body.permissions).sort()).toEqual([own.name, read.name, write.name].sort());
      expect((await s.rest("GET", `${ROLES}/no_such_role/permissions:all`)).status).toBe(404);
    });
  });

  describe("GET /roles/{role_name}/users:count", () => {
    it("counts distinct users holding the role directly or through a role extending it, as an int64 string", async () => {
      const { viewer, editor } = await chain();
      const [a, b] = [await organization(s, "A"), await organization(s, "B")];
      await hold(s, a, "usr_1", viewer.id);
      await hold(s, b, "usr_1", viewer.id); // the same user in two organizations counts once
      await hold(s, a, "usr_2", editor.id); // editor extends viewer
      await hold(s, a, "usr_3", editor.id);
      const res = await s.rest("GET", `${ROLES}/${viewer.name}/users:count`);
      expectResponse(res, "RolesService_GetRoleUsersCount", 200);
      expect(res.body).toEqual({ count: "3" });
      expect((await s.rest("GET", `${ROLES}/${editor.name}/users:count`)).body).toEqual({ count: "2" });
      expect((await s.rest("GET", `${ROLES}/no_such_role/users:count`)).status).toBe(404);
    });
  });

  const ORG_DEFAULTS = (orgId: string) => `${orgRoles(orgId)}:set_defaults`;

  describe("PATCH /roles:set_defaults and PATCH /roles/default", () => {
    it("sets the creator and member defaults; both routes behave the same; flags show on roles", async () => {
      const creator = await role(s, { name: unique("creator") });
      const member = await role(s, { name: unique("member") });
      const res = await s.rest("PATCH", `${ROLES}:set_defaults`, { default_creator_role: creator.name, default_member_role: member.name });
      expectResponse(res, "RolesService_UpdateDefaultRoles", 200);
      expect(res.body.default_creator).toMatchObject({ id: creator.id, default_creator: true, default_member: false });
      expect(res.body.default_member).toMatchObject({ id: member.id, default_creator: false, default_member: true });

      // only the member changes; the answer still carries both
      const next = await role(s, { name: unique("member2") });
      const alias = await s.rest("PATCH", `${ROLES}/default`, { default_member_role: next.name });
      expectResponse(alias, "RolesService_UpdateDefaultRoles2", 200);
      expect(alias.body.default_creator.id).toBe(creator.id);
      expect(alias.body.default_member.id).toBe(next.id);
      expect((await s.rest("GET", `${ROLES}/${member.name}`)).body.role.default_member).toBe(false);
      expect((await s.rest("GET", `${ROLES}/${next.name}`)).body.role.default_member).toBe(true);
    });

    it("a role named `default` is still reachable: only PATCH /roles/default means the defaults", async () => {
      const r = await role(s, { name: "default", description: "named default" });
      expectResponse(await s.rest("GET", `${ROLES}/default`), "RolesService_GetRole", 200);
      const put = await s.rest("PUT", `${ROLES}/default`, { display_name: "Default Role" });
      expectResponse(put, "RolesService_UpdateRole", 200);
      expect(put.body.role).toMatchObject({ id: r.id, display_name: "Default Role" });
      const patch = await s.rest("PATCH", `${ROLES}/default`, { default_member_role: "default" });
      expectResponse(patch, "RolesService_UpdateDefaultRoles2", 200);
      expect(patch.body.default_member.id).toBe(r.id);
    });

    it("accepts the deprecated {id, name} objects and refuses unknown, organization or disagreeing roles", async () => {
      const a = await role(s, { name: unique("legacy_a") });
      const b = await role(s, { name: unique("legacy_b") });
      const legacy = await s.rest("PATCH", `${ROLES}:set_defaults`, { default_creator: { id: a.id }, default_member: { name: b.name } });
      expectResponse(legacy, "RolesService_UpdateDefaultRoles", 200);
      expect([legacy.body.default_creator.id, legacy.body.default_member.id]).toEqual([a.id, b.id]);

      const orgId = await organization(s);
      const orgOnly = await role(s, { name: unique("org_only") }, orgId);
      const cases: [unknown, number][] = [
        [{ default_member_role: "no_such_role" }, 404],
        [{ default_member_role: orgOnly.name }, 404],
        [{ default_creator: { id: "role_000000000000000001" } }, 404],
        [{ default_member_role: a.name, default_member: { name: b.name } }, 400],
        [{ default_member_role: "bad name" }, 400],
      ];
      for (const [body, status] of cases) {
        const res = await s.rest("PATCH", `${ROLES}:set_defaults`, body);
        expect(res.status, JSON.stringify(body)).toBe(status);
      }
      expect((await s.rest("GET", `${ROLES}/${b.name}`)).body.role.default_member).toBe(true);
    });
  });

  describe("organization roles", () => {
    it("creates, reads and lists an organization's roles beside the environment's, not another organization's", async () => {
      const [a, b] = [await organization(s, "A"), await organization(s, "B")];
      const env = await role(s, { name: unique("env_base") });
      const since = await lastEventId(s);
      const res = await s.rest("POST", orgRoles(a), { name: "org_viewer", display_name: "Org Viewer", extends: env.name });
      expectResponse(res, "RolesService_CreateOrganizationRole", 201);
      const own = res.body.role;
      expect(own).toMatchObject({ name: "org_viewer", is_org_role: true, extends: env.name });
      const [e] = await eventsSince(s, since);
      expectRoleEvent(s, e, "role.created", { id: own.id, extends: env.name }, a);

      // the same name in another organization is that organization's business
      expectResponse(await s.rest("POST", orgRoles(b), { name: "org_viewer", display_name: "B's" }), "RolesService_CreateOrganizationRole", 201);
      const listed = await s.rest("GET", `${orgRoles(a)}?include=permissions:all`);
      expectResponse(listed, "RolesService_ListOrganizationRoles", 200);
      const mine = listed.body.roles.filter((r: any) => r.is_org_role);
      expect(mine.map((r: any) => r.id)).toEqual([own.id]);
      expect(names(listed.body.roles)).toContain(env.name);
      expect(new Set(names(listed.body.roles)).size).toBe(listed.body.roles.length);

      const got = await s.rest("GET", `${orgRoles(a)}/org_viewer?include=permissions`);
      expectResponse(got, "RolesService_GetOrganizationRole", 200);
      expect(got.body.role.id).toBe(own.id);
      const envSeen = await s.rest("GET", `${orgRoles(a)}/${env.name}`);
      expectResponse(envSeen, "RolesService_GetOrganizationRole", 200);
      expect(envSeen.body.role).toMatchObject({ is_org_role: false, dependent_roles_count: 1 });
      // environment endpoints address environment roles only
      expect((await s.rest("GET", `${ROLES}/org_viewer`)).status).toBe(404);
    });

    it("refuses names that would clash with an environment role, either way round (400 duplicate key)", async () => {
      const a = await organization(s);
      const env = await role(s, { name: unique("clash_env") });
      const orgClash = await s.rest("POST", orgRoles(a), { name: env.name, display_name: "X" });
      expect(orgClash.status).toBe(400);
      expectErrorBody(orgClash.body, 3, "INVALID_ARGUMENT");
      expect(orgClash.body.message).toBe("duplicate key not allowed");
      const own = await role(s, { name: unique("clash_org") }, a);
      const envClash = await s.rest("POST", ROLES, { name: own.name, display_name: "X" });
      expect(envClash.status).toBe(400);
      expectErrorBody(envClash.body, 3, "INVALID_ARGUMENT");
      expect(envClash.body.details[0].validation_error_info.field_violations[0]).toEqual({ field: "role.name", description: `role ${own.name} already exists as an organization role` });
      expect((await s.rest("POST", orgRoles(a), { name: own.name, display_name: "X" })).status).toBe(400);
    });

    it("updates and deletes only its own roles; extends only what it can see", async () => {
      const [a, b] = [await organization(s, "A"), await organization(s, "B")];
      const env = await role(s, { name: unique("env_r") });
      const own = await role(s, { name: unique("own_r") }, a);
      const theirs = await role(s, { name: unique("theirs_r") }, b);

      const res = await s.rest("PUT", `${orgRoles(a)}/${own.name}`, { display_name: "Renamed", extends: env.name });
      expectResponse(res, "RolesService_UpdateOrganizationRole", 200);
      expect(res.body.role).toMatchObject({ display_name: "Renamed", extends: env.name, is_org_role: true });

      const envViaOrg = await s.rest("PUT", `${orgRoles(a)}/${env.name}`, { display_name: "Hijack" });
      expect(envViaOrg.status).toBe(400);
      expectErrorBody(envViaOrg.body, 9, "FAILED_PRECONDITION");
      expect((await s.rest("PUT", `${orgRoles(a)}/${theirs.name}`, { display_name: "x" })).status).toBe(404);
      expect((await s.rest("PUT", `${orgRoles(a)}/${own.name}`, { extends: theirs.name })).status).toBe(404);
      expect((await s.rest("PUT", ROLES + `/${env.name}`, { extends: own.name })).status).toBe(404);
      expect((await s.rest("DELETE", `${orgRoles(a)}/${env.name}`)).status).toBe(400);

      const base = await s.rest("DELETE", `${orgRoles(a)}/${own.name}/base`);
      expect(base).toMatchObject({ status: 200, body: {} });
      expect((await s.rest("GET", `${orgRoles(a)}/${own.name}`)).body.role.extends).toBeUndefined();

      await hold(s, a, "usr_9", own.id);
      const blocked = await s.rest("DELETE", `${orgRoles(a)}/${own.name}`);
      expect(blocked.status).toBe(400);
      expectErrorBody(blocked.body, 9, "FAILED_PRECONDITION");
      const since = await lastEventId(s);
      const del = await s.rest("DELETE", `${orgRoles(a)}/${own.name}?reassign_role_name=${env.name}`);
      expectResponse(del, "RolesService_DeleteOrganizationRole", 200);
      expect(await s.db.roleAssignment.findMany({ where: { organizationId: a, userId: "usr_9" }, select: { roleId: true } })).toEqual([{ roleId: env.id }]);
      const [e] = await eventsSince(s, since);
      expectRoleEvent(s, e, "role.deleted", { id: own.id }, a);
      expect((await s.rest("GET", `${orgRoles(a)}/${own.name}`)).status).toBe(404);
    });

    it("counts an organization's holders and sets its default member role", async () => {
      const [a, b] = [await organization(s, "A"), await organization(s, "B")];
      const env = await role(s, { name: unique("counted") });
      const own = await role(s, { name: unique("counted_org"), extends: env.name }, a);
      await hold(s, a, "usr_1", env.id);
      await hold(s, a, "usr_2", own.id);
      await hold(s, b, "usr_3", env.id);
      expect((await s.rest("GET", `${orgRoles(a)}/${env.name}/users:count`)).body).toEqual({ count: "2" });
      expect((await s.rest("GET", `${orgRoles(b)}/${env.name}/users:count`)).body).toEqual({ count: "1" });
      expect((await s.rest("GET", `${ROLES}/${env.name}/users:count`)).body).toEqual({ count: "3" });

      const res = await s.rest("PATCH", `${orgRoles(a)}:set_defaults`, { default_member_role: own.name });
      expectResponse(res, "RolesService_UpdateDefaultOrganizationRoles", 200);
      expect(res.body.default_member).toMatchObject({ id: own.id, default_member: true, is_org_role: true });
      const seen = (await s.rest("GET", orgRoles(a))).body.roles.filter((r: any) => r.default_member);
      expect(seen.map((r: any) => r.id)).toEqual([own.id]);
      // another organization still sees the environment's default (or none)
      expect((await s.rest("GET", orgRoles(b))).body.roles.filter((r: any) => r.default_member).map((r: any) => r.id)).not.toContain(own.id);
      expect((await s.rest("PATCH", `${orgRoles(b)}:set_defaults`, { default_member_role: own.name })).status).toBe(404);
      expect((await s.rest("PATCH", `${orgRoles(a)}:set_defaults`, {})).status).toBe(400);
    });

    it("answers an unknown organization with 404 and a malformed org id with 400", async () => {
      for (const [method, path, body] of [
        ["GET", orgRoles("org_000000000000000001"), undefined], ["POST", orgRoles("org_000000000000000001"), { name: "x", display_name: "X" }],
        ["GET", `${orgRoles("org_000000000000000001")}/x`, undefined], ["PATCH", `${orgRoles("org_000000000000000001")}:set_defaults`, { default_member_role: "x" }],
      ] as const) {
        const res = await s.rest(method, path, body);
        expect(res.status, `${method} ${path}`).toBe(404);
        expectErrorBody(res.body, 5, "NOT_FOUND");
      }
      const bad = await s.rest("GET", orgRoles("acme"));
      expect(bad.status).toBe(400);
      expectErrorBody(bad.body, 3, "INVALID_ARGUMENT");
    });

    it("deleting an organization takes its roles, holders and defaults with it", async () => {
      const a = await organization(s);
      const env = await role(s, { name: unique("survivor") });
      const base = await role(s, { name: unique("org_base"), extends: env.name }, a);
      const top = await role(s, { name: unique("org_top"), extends: base.name }, a);
      await hold(s, a, "usr_1", top.id);
      await hold(s, a, "usr_2", env.id);
      await s.rest("PATCH", `${orgRoles(a)}:set_defaults`, { default_member_role: top.name });
      expect((await s.rest("DELETE", `/api/v1/organizations/${a}`)).status).toBe(200);
      expect(await s.db.role.count({ where: { organizationId: a } })).toBe(0);
      expect(await s.db.roleAssignment.count({ where: { organizationId: a } })).toBe(0);
      expect(await s.db.roleDefault.count({ where: { scope: a } })).toBe(0);
      expect((await s.rest("GET", `${ROLES}/${env.name}`)).body.role.dependent_roles_count).toBe(0);
    });
  });

  it("validated a success response of every Roles operation of the contract", () => {
    const ops = operationsOfTag("Roles");
    expect(ops).toHaveLength(20);
    const done = validatedOperations();
    expect(ops.flatMap((op) => op.statuses.map((st) => `${op.operationId} ${st}`)).filter((k) => !done.has(k))).toEqual([]);
  });
});
