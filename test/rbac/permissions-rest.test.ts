// REST conformance of the Permissions tag (5 operations), including names with colons in the path (`read:documents`
// must reach GetPermission, not a custom verb) and keyset pagination.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { expectErrorBody, expectResponse, operationsOfTag, validatedOperations } from "../helpers/openapi.js";
import { PERMISSIONS, RFC3339, ROLES, eventsSince, expectRoleEvent, lastEventId, names, permission, role, unique } from "./fixtures.js";

function expectPermissionEvent(s: TestServer, e: any, type: string, data: Record<string, unknown>) {
  expect(e).toMatchObject({ spec_version: "1", type, object: "Permission", environment_id: s.built.environmentId });
  expect(e.organization_id).toBeUndefined();
  expect(e.data).toEqual(data);
}

describe("Permissions REST", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(async () => { await s?.close(); });

  describe("POST /permissions", () => {
    it("creates a permission: 201, the documented body, one permission.created event", async () => {
      const since = await lastEventId(s);
      const res = await s.rest("POST", PERMISSIONS, { name: "read:documents", description: "Allows user to read documents" });
      expectResponse(res, "RolesService_CreatePermission", 201);
      const p = res.body.permission;
      expect(p).toMatchObject({ name: "read:documents", description: "Allows user to read documents", is_scalekit_permission: false });
      expect(p.id).toMatch(/^perm_\d{18}$/);
      expect(p.create_time).toMatch(RFC3339);
      expect(p.update_time).toBe(p.create_time);
      const events = await eventsSince(s, since);
      expect(events).toHaveLength(1);
      expectPermissionEvent(s, events[0], "permission.created", { id: p.id, name: "read:documents", description: "Allows user to read documents" });
    });

    it.each(["perm.read", "read documents", "read-documents", "", "p".repeat(65), "lire:données"])("rejects the name %j with 400", async (name) => {
      const before = await s.db.permission.count();
      const res = await s.rest("POST", PERMISSIONS, { name, description: "x" });
      expect(res.status).toBe(400);
      expectErrorBody(res.body, 3, "INVALID_ARGUMENT");
      expect(res.body.message).toContain("permission.name");
      expect(await s.db.permission.count()).toBe(before);
    });

    it("accepts colons and underscores, 64 characters, and rejects a 2001-character description", async () => {
      expectResponse(await s.rest("POST", PERMISSIONS, { name: "org:users:read_all" }), "RolesService_CreatePermission", 201);
      expectResponse(await s.rest("POST", PERMISSIONS, { name: "P".repeat(64) }), "RolesService_CreatePermission", 201);
      const long = await s.rest("POST", PERMISSIONS, { name: unique("long_desc"), description: "d".repeat(2001) });
      expect(long.status).toBe(400);
      expect(long.body.message).toContain("permission.description");
    });

    it("answers a duplicate name as the cloud does (400 \"duplicate key not allowed\"); one of 20 concurrent creates wins", async () => {
      const name = unique("dup:perm");
      await permission(s, name);
      const since = await lastEventId(s);
      const dup = await s.rest("POST", PERMISSIONS, { name });
      expect(dup.status).toBe(400);
      expectErrorBody(dup.body, 3, "INVALID_ARGUMENT");
      expect(dup.body.message).toBe("duplicate key not allowed");
      expect(await eventsSince(s, since)).toEqual([]);
      const raced = unique("race:perm");
      const results = await Promise.all(Array.from({ length: 20 }, () => s.rest("POST", PERMISSIONS, { name: raced })));
      expect(results.filter((r) => r.status === 201)).toHaveLength(1);
      expect(results.filter((r) => r.status === 400 && r.body.message === "duplicate key not allowed")).toHaveLength(19);
      expect(await s.db.permission.count({ where: { name: raced } })).toBe(1);
    });
  });

  describe("GET /permissions/{permission_name}", () => {
    it("reads names with colons, plain or percent-encoded; 404 for unknown; 400 for malformed", async () => {
      const p = await permission(s, unique("read:reports"), "Reports");
      for (const path of [`${PERMISSIONS}/${p.name}`, `${PERMISSIONS}/${encodeURIComponent(p.name)}`]) {
        const res = await s.rest("GET", path);
        expectResponse(res, "RolesService_GetPermission", 200);
        expect(res.body.permission).toEqual(p);
      }
      const missing = await s.rest("GET", `${PERMISSIONS}/no:such:permission`);
      expect(missing.status).toBe(404);
      expectErrorBody(missing.body, 5, "NOT_FOUND");
      expect(missing.body.message).toContain("no:such:permission");
      const bad = await s.rest("GET", `${PERMISSIONS}/bad%20name`);
      expect(bad.status).toBe(400);
      expectErrorBody(bad.body, 3, "INVALID_ARGUMENT");
    });
  });

  describe("PUT /permissions/{permission_name}", () => {
    it("updates the description, keeps the name, and emits permission.updated", async () => {
      const p = await permission(s, unique("write:reports"), "Old");
      const since = await lastEventId(s);
      const res = await s.rest("PUT", `${PERMISSIONS}/${p.name}`, { name: p.name, description: "New" });
      expectResponse(res, "RolesService_UpdatePermission", 200);
      expect(res.body.permission).toMatchObject({ id: p.id, name: p.name, description: "New", create_time: p.create_time });
      expect(Date.parse(res.body.permission.update_time)).toBeGreaterThanOrEqual(Date.parse(p.update_time));
      // the name may be left out; leaving out the description changes nothing
      const noName = await s.rest("PUT", `${PERMISSIONS}/${p.name}`, { description: "Newer" });
      expectResponse(noName, "RolesService_UpdatePermission", 200);
      expect(noName.body.permission.description).toBe("Newer");
      const same = await s.rest("PUT", `${PERMISSIONS}/${p.name}`, { name: p.name });
      expect(same.body.permission.description).toBe("Newer");
      const events = await eventsSince(s, since);
      expect(events.map((e) => e.type)).toEqual(["permission.updated", "permission.updated"]);
      expectPermissionEvent(s, events[1], "permission.updated", { id: p.id, name: p.name, description: "Newer" });
    });

    it("refuses renaming (400) and answers an unknown permission with 404", async () => {
      const p = await permission(s, unique("fixed:name"));
      const rename = await s.rest("PUT", `${PERMISSIONS}/${p.name}`, { name: "other:name", description: "x" });
      expect(rename.status).toBe(400);
      expectErrorBody(rename.body, 3, "INVALID_ARGUMENT");
      expect((await s.rest("GET", `${PERMISSIONS}/${p.name}`)).body.permission.description).toBe("");
      const missing = await s.rest("PUT", `${PERMISSIONS}/no:such`, { description: "x" });
      expect(missing.status).toBe(404);
      expectErrorBody(missing.body, 5, "NOT_FOUND");
      expect((await s.rest("PUT", `${PERMISSIONS}/${p.name}`)).status).toBe(400); // no body: `permission` is required
    });
  });

  describe("DELETE /permissions/{permission_name}", () => {
    it("deletes it and removes it from every role, which each get role.updated", async () => {
      const p = await permission(s, unique("delete:me"));
      const keep = await permission(s, unique("keep:me"));
      const base = await role(s, { name: unique("base"), permissions: [p.name, keep.name] });
      const child = await role(s, { name: unique("child"), extends: base.name, permissions: [p.name] });
      const since = await lastEventId(s);
      const res = await s.rest("DELETE", `${PERMISSIONS}/${p.name}`);
      expectResponse(res, "RolesService_DeletePermission", 200);
      expect(res.body).toEqual({});
      expect((await s.rest("GET", `${PERMISSIONS}/${p.name}`)).status).toBe(404);
      expect(names((await s.rest("GET", `${ROLES}/${base.name}/permissions`)).body.permissions)).toEqual([keep.name]);
      expect(names((await s.rest("GET", `${ROLES}/${child.name}/permissions:all`)).body.permissions)).toEqual([keep.name]);
      const events = await eventsSince(s, since);
      expect(events.map((e) => [e.type, e.data.name])).toEqual([["role.updated", base.name], ["role.updated", child.name], ["permission.deleted", p.name]]);
      expectRoleEvent(s, events[1], "role.updated", { id: child.id, extends: base.name });
      expectPermissionEvent(s, events[2], "permission.deleted", { id: p.id, name: p.name, description: "" });
      const again = await s.rest("DELETE", `${PERMISSIONS}/${p.name}`);
      expect(again.status).toBe(404);
      expectErrorBody(again.body, 5, "NOT_FOUND");
    });
  });

  describe("GET /permissions", () => {
    it("pages with opaque tokens forwards and backwards, total_size counting all", async () => {
      const total = await s.db.permission.count();
      const pages: any[] = [];
      const seen: string[] = [];
      let token = "";
      do {
        const res = await s.rest("GET", `${PERMISSIONS}?page_size=3${token ? `&page_token=${token}` : ""}`);
        expectResponse(res, "RolesService_ListPermissions", 200);
        expect(res.body.total_size).toBe(total);
        expect(res.body.prev_page_token === "").toBe(pages.length === 0);
        pages.push(res.body);
        seen.push(...res.body.permissions.map((p: any) => p.id));
        token = res.body.next_page_token;
      } while (token);
      expect(seen).toHaveLength(total);
      expect(seen).toEqual([...seen].sort());
      const back = await s.rest("GET", `${PERMISSIONS}?page_size=3&page_token=${pages[pages.length - 1].prev_page_token}`);
      expect(back.body.permissions).toEqual(pages[pages.length - 2].permissions);
    });

    it("defaults to a page of 100, filters by type, and rejects bad page_size, type or token with 400", async () => {
      const all = await s.rest("GET", PERMISSIONS);
      expectResponse(all, "RolesService_ListPermissions", 200);
      expect(all.body.permissions).toHaveLength(Math.min(100, all.body.total_size));
      const env = await s.rest("GET", `${PERMISSIONS}?type=ENVIRONMENT`);
      expect(env.body.total_size).toBe(all.body.total_size);
      const sk = await s.rest("GET", `${PERMISSIONS}?type=SCALEKIT`);
      expectResponse(sk, "RolesService_ListPermissions", 200);
      expect(sk.body).toEqual({ permissions: [], total_size: 0, next_page_token: "", prev_page_token: "" });
      for (const q of ["page_size=0", "page_size=101", "page_size=ten", "type=ALL_OF_THEM", "page_token=garbage!"]) {
        const res = await s.rest("GET", `${PERMISSIONS}?${q}`);
        expect(res.status, q).toBe(400);
        expectErrorBody(res.body, 3, "INVALID_ARGUMENT");
      }
    });
  });

  it("validated a success response of every Permissions operation of the contract", () => {
    const ops = operationsOfTag("Permissions");
    expect(ops).toHaveLength(5);
    const done = validatedOperations();
    expect(ops.flatMap((op) => op.statuses.map((st) => `${op.operationId} ${st}`)).filter((k) => !done.has(k))).toEqual([]);
  });
});
