// Integrity under concurrency and bad input: concurrent updates that together would close a loop, creates racing
// across scopes, deletes racing with new dependents, the 100-permission cap under concurrent adds, and
// permission deletes racing with role updates. Each race must end in a state some serial order would give.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rpcClient } from "../helpers/grpc.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { roles } from "../../src/protocol/descriptors.js";
import { chainOf } from "../../src/rbac/graph.js";
import { PERMISSIONS, ROLES, eventsSince, lastEventId, orgRoles, organization, permission, role, unique } from "./fixtures.js";

describe("role graph integrity", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(async () => { await s?.close(); });

  async function acyclic(): Promise<void> {
    const rows = await s.db.role.findMany({ select: { id: true, baseRoleId: true } });
    const base = new Map(rows.map((r) => [r.id, r.baseRoleId]));
    for (const r of rows) {
      const seen = new Set<string>();
      for (let at: string | null = r.id; at; at = base.get(at) ?? null) {
        expect(seen.has(at), `cycle through ${at}`).toBe(false);
        seen.add(at);
      }
    }
  }

  it("rejects self-extension and 2-, 3- and 6-role loops with INVALID_ARGUMENT over REST and gRPC, changing nothing", async () => {
    const chain: any[] = [];
    for (let i = 0; i < 6; i++) chain.push(await role(s, { name: unique(`loop${i}`), ...(i ? { extends: chain[i - 1].name } : {}) }));
    const client = rpcClient(s.url, roles.RolesService, "grpc", await s.token());
    for (const len of [1, 2, 3, 6]) {
      const [first, last] = [chain[0], chain[len - 1]];
      const since = await lastEventId(s);
      const res = await s.rest("PUT", `${ROLES}/${first.name}`, { extends: last.name, description: "must not stick" });
      expect(res.status, `loop of ${len}`).toBe(400);
      expect(res.body.details[0].error_code).toBe("INVALID_ARGUMENT");
      expect(res.body.message).toContain(`${first.name} → `);
      const grpc = await client.updateRole({ roleName: first.name, role: { extends: last.name } }).then(() => undefined, (e) => e);
      expect(grpc?.code).toBe(3);
      expect(await eventsSince(s, since)).toEqual([]);
      expect((await s.rest("GET", `${ROLES}/${first.name}`)).body.role).toMatchObject({ description: "" });
      expect((await s.rest("GET", `${ROLES}/${first.name}`)).body.role.extends).toBeUndefined();
    }
    // an organization role may not loop through its organization's roles either
    const orgId = await organization(s);
    const a = await role(s, { name: unique("org_a") }, orgId);
    const b = await role(s, { name: unique("org_b"), extends: a.name }, orgId);
    expect((await s.rest("PUT", `${orgRoles(orgId)}/${a.name}`, { extends: b.name })).status).toBe(400);
    await acyclic();
  });

  it("of two concurrent updates a→b and b→a exactly one wins, every time", async () => {
    for (let round = 0; round < 8; round++) {
      const a = await role(s, { name: unique("ra") });
      const b = await role(s, { name: unique("rb") });
      const results = await Promise.all([
        s.rest("PUT", `${ROLES}/${a.name}`, { extends: b.name }),
        s.rest("PUT", `${ROLES}/${b.name}`, { extends: a.name }),
      ]);
      expect(results.map((r) => r.status).sort(), `round ${round}`).toEqual([200, 400]);
    }
    await acyclic();
  });

  it("a 4-role ring attempted by four concurrent updates never closes", async () => {
    for (let round = 0; round < 5; round++) {
      const ring: any[] = [];
      for (let i = 0; i < 4; i++) ring.push(await role(s, { name: unique(`ring${i}`) }));
      const results = await Promise.all(ring.map((r, i) => s.rest("PUT", `${ROLES}/${r.name}`, { extends: ring[(i + 1) % 4].name })));
      expect(results.filter((r) => r.status === 200)).toHaveLength(3);
      expect(results.filter((r) => r.status === 400)).toHaveLength(1);
      const chain = await chainOf(s.db, ring[0].id);
      expect(chain.length).toBeLessThanOrEqual(4);
    }
    await acyclic();
  });

  it("an environment role and an organization role of the same name created concurrently: one wins", async () => {
    const orgId = await organization(s);
    for (let round = 0; round < 5; round++) {
      const name = unique("contested");
      const results = await Promise.all([
        s.rest("POST", ROLES, { name, display_name: "Env" }),
        s.rest("POST", orgRoles(orgId), { name, display_name: "Org" }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([201, 400]);
      expect(await s.db.role.count({ where: { name } })).toBe(1);
    }
  });

  it("deleting a base while a dependent is created: either the create fails or the delete is refused", async () => {
    for (let round = 0; round < 5; round++) {
      const base = await role(s, { name: unique("base") });
      const child = unique("child");
      const [del, create] = await Promise.all([
        s.rest("DELETE", `${ROLES}/${base.name}`),
        s.rest("POST", ROLES, { name: child, display_name: "C", extends: base.name }),
      ]);
      if (del.status === 200) expect(create.status).toBe(404);
      else {
        expect([del.status, create.status]).toEqual([400, 201]);
        expect(del.body.details[0].error_code).toBe("FAILED_PRECONDITION");
      }
      await acyclic();
    }
  });

  it("concurrent adds never push a role past 100 permissions", async () => {
    const r = await role(s, { name: unique("capped") });
    const batches = Array.from({ length: 4 }, (_, b) => Array.from({ length: 30 }, (_, i) => `cap${b}:p${i}`));
    await s.db.permission.createMany({ data: batches.flat().map((name, i) => ({ id: `perm_7${String(i).padStart(17, "0")}`, name })) });
    const results = await Promise.all(batches.map((names) => s.rest("POST", `${ROLES}/${r.name}/permissions`, { permission_names: names })));
    expect(results.filter((x) => x.status === 200)).toHaveLength(3);
    expect(results.filter((x) => x.status === 400)).toHaveLength(1);
    expect(await s.db.rolePermission.count({ where: { roleId: r.id } })).toBe(90);
  });

  it("a permission deleted while roles are given it ends up on no role", async () => {
    for (let round = 0; round < 5; round++) {
      const p = await permission(s, unique("fleeting:perm"));
      const r = await role(s, { name: unique("taker") });
      const [add, del] = await Promise.all([
        s.rest("POST", `${ROLES}/${r.name}/permissions`, { permission_names: [p.name] }),
        s.rest("DELETE", `${PERMISSIONS}/${p.name}`),
      ]);
      expect(del.status).toBe(200);
      expect([200, 404]).toContain(add.status);
      expect(await s.db.rolePermission.count({ where: { roleId: r.id } })).toBe(0);
      expect((await s.rest("GET", `${ROLES}/${r.name}/permissions:all`)).body.permissions).toEqual([]);
    }
  });

  it("bad input never yields a 500", async () => {
    const r = await role(s, { name: unique("robust") });
    const probes: [string, string, unknown][] = [
      ["POST", ROLES, { name: "x", display_name: "\u0000" }],
      ["POST", ROLES, { name: "x", display_name: "X", permissions: [null] }],
      ["POST", ROLES, { role: { name: "nested" } }],
      ["PUT", `${ROLES}/${r.name}`, { permissions: "x" }],
      ["PUT", `${ROLES}/${r.name}`, { extends: 5 }],
      ["POST", `${ROLES}/${r.name}/permissions`, { permission_names: "read:x" }],
      ["POST", `${ROLES}/${r.name}/permissions`, "not json"],
      ["PATCH", `${ROLES}:set_defaults`, { default_creator: "creator" }],
      ["DELETE", `${ROLES}/${r.name}?reassign_role_name=`, undefined],
      ["GET", `${ROLES}/${"x".repeat(400)}`, undefined],
      ["GET", `${PERMISSIONS}?page_size=-1`, undefined],
      ["POST", PERMISSIONS, { name: "ok:name", description: "\u0000" }],
      ["GET", `${orgRoles("org_" + "1".repeat(40))}`, undefined],
      ["GET", `/api/v1/organizations/${"%ZZ"}/roles`, undefined],
    ];
    for (const [method, path, body] of probes) {
      const res = await s.rest(method, path, body);
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
    }
  });
});
