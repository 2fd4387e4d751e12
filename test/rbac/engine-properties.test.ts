// Property-style tests: random role forests, random permission sets and random holders, with the SQL engine's
// answers compared against a plain in-memory resolution (walk up `extends`, nearest grant wins). A second property
// drives random re-parenting through the REST API and checks that exactly the edges that would close a loop are
// refused and that the stored graph always equals the model. Seeds are fixed, so a failure names its seed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { newId } from "../../src/protocol/ids.js";
import {
  effectivePermissionsByRole, effectivePermissionsOfRoleNames, effectivePermissionsOfRoles, effectivePermissionsOfUser,
} from "../../src/rbac/effective.js";
import { usersWithRole } from "../../src/rbac/assignments.js";
import { ROLES, member, organization, permission, role } from "./fixtures.js";

function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: T[]) => xs[Math.floor(next() * xs.length)] };
}

interface ModelRole { id: string; name: string; base: string | null; perms: Set<string> }

/** Nearest grant wins; among grants at the same distance the smaller role id, as the SQL orders them. */
function modelEffective(roles: Map<string, ModelRole>, starts: string[]): { name: string; source: string; depth: number }[] {
  const depthOf = new Map<string, number>();
  for (const start of starts) {
    let at: string | null = start;
    for (let d = 0; at !== null && roles.has(at); d++) {
      if ((depthOf.get(at) ?? Infinity) > d) depthOf.set(at, d);
      at = roles.get(at)!.base;
    }
  }
  const best = new Map<string, { source: string; depth: number }>();
  for (const [roleId, depth] of depthOf) {
    for (const p of roles.get(roleId)!.perms) {
      const cur = best.get(p);
      if (!cur || depth < cur.depth || (depth === cur.depth && roleId < cur.source)) best.set(p, { source: roleId, depth });
    }
  }
  return [...best].map(([name, v]) => ({ name, ...v })).sort((a, b) => (a.name < b.name ? -1 : 1));
}

function modelDescendants(roles: Map<string, ModelRole>, id: string): Set<string> {
  const out = new Set([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const r of roles.values()) if (r.base && out.has(r.base) && !out.has(r.id)) { out.add(r.id); grew = true; }
  }
  return out;
}

const simplified = (ps: { name: string; sourceRoleId: string; depth: number }[]) => ps.map((p) => ({ name: p.name, source: p.sourceRoleId, depth: p.depth }));

describe("effective permissions: SQL engine vs in-memory model on random graphs", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(async () => { await s?.close(); });

  it.each(Array.from({ length: 12 }, (_, i) => i + 1))("seed %i", async (seed) => {
    const r = rng(seed);
    const orgId = await organization(s, `graph ${seed}`);
    const permNames = Array.from({ length: 5 + r.int(40) }, (_, i) => `g${seed}:p${i}`);
    const permRows = permNames.map((name) => ({ id: newId("perm"), name }));
    await s.db.permission.createMany({ data: permRows });
    const permId = new Map(permRows.map((p) => [p.name, p.id]));

    // a random forest: each role extends an earlier one or nothing; some chains get deep
    const roles = new Map<string, ModelRole>();
    const order: string[] = [];
    const count = 1 + r.int(60);
    for (let i = 0; i < count; i++) {
      const id = newId("role");
      const base = order.length && r.next() < 0.75 ? (r.next() < 0.5 ? order[order.length - 1] : r.pick(order)) : null;
      const perms = new Set(Array.from({ length: r.int(8) }, () => r.pick(permNames)));
      roles.set(id, { id, name: `g${seed}_r${i}`, base, perms });
      order.push(id);
    }
    await s.db.role.createMany({ data: order.map((id) => ({ id, scope: "", name: roles.get(id)!.name, displayName: "x", baseRoleId: roles.get(id)!.base })) });
    await s.db.rolePermission.createMany({ data: order.flatMap((id) => [...roles.get(id)!.perms].map((p) => ({ roleId: id, permissionId: permId.get(p)! }))) });

    // each role on its own, all in one query
    const byRole = await effectivePermissionsByRole(s.db, order);
    for (const id of order) expect(simplified(byRole.get(id)!), `seed ${seed} role ${roles.get(id)!.name}`).toEqual(modelEffective(roles, [id]));

    // unions of random role sets, by id and by name
    for (let k = 0; k < 10; k++) {
      const subset = [...new Set(Array.from({ length: 1 + r.int(6) }, () => r.pick(order)))];
      const want = modelEffective(roles, subset);
      expect(simplified(await effectivePermissionsOfRoles(s.db, subset)), `seed ${seed} set ${k}`).toEqual(want);
      const byName = await effectivePermissionsOfRoleNames(s.db, orgId, subset.map((id) => roles.get(id)!.name));
      expect(simplified(byName), `seed ${seed} names ${k}`).toEqual(want);
    }

    // holders: a user's permissions in the organization, and each role's holder count
    const holders: [string, string][] = [];
    for (let u = 0; u < 8; u++) {
      const held = [...new Set(Array.from({ length: r.int(4) }, () => r.pick(order)))];
      for (const id of held) holders.push([`usr_${seed}_${u}`, id]);
      await member(s, orgId, `usr_${seed}_${u}`);
      await s.db.roleAssignment.createMany({ data: held.map((roleId) => ({ organizationId: orgId, userId: `usr_${seed}_${u}`, roleId })) });
      expect(simplified(await effectivePermissionsOfUser(s.db, orgId, `usr_${seed}_${u}`)), `seed ${seed} user ${u}`).toEqual(modelEffective(roles, held));
    }
    for (const id of order) {
      const below = modelDescendants(roles, id);
      const want = new Set(holders.filter(([, rid]) => below.has(rid)).map(([u]) => u)).size;
      expect(await usersWithRole(s.db, id, orgId), `seed ${seed} count ${roles.get(id)!.name}`).toBe(want);
    }
  });

  it("a stored cycle (which the API never lets in) still terminates every query", async () => {
    const [a, b] = [newId("role"), newId("role")];
    await s.db.role.createMany({ data: [{ id: a, scope: "", name: "loop_a", displayName: "A" }, { id: b, scope: "", name: "loop_b", displayName: "B", baseRoleId: a }] });
    await s.db.role.update({ where: { id: a }, data: { baseRoleId: b } });
    const p = { id: newId("perm"), name: "loop:perm" };
    await s.db.permission.create({ data: p });
    await s.db.rolePermission.create({ data: { roleId: b, permissionId: p.id } });
    expect(simplified(await effectivePermissionsOfRoles(s.db, [a]))).toEqual([{ name: "loop:perm", source: b, depth: 1 }]);
    expect(await usersWithRole(s.db, a)).toBe(0);
    await s.db.role.update({ where: { id: a }, data: { baseRoleId: null } });
  });
});

describe("random re-parenting through the API keeps the graph acyclic and equal to the model", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(async () => { await s?.close(); });

  it.each([101, 202, 303])("seed %i", async (seed) => {
    const r = rng(seed);
    const perms = [];
    for (let i = 0; i < 6; i++) perms.push((await permission(s, `m${seed}:p${i}`)).name);
    const model = new Map<string, ModelRole>();
    for (let i = 0; i < 8; i++) {
      const own = [...new Set([r.pick(perms), r.pick(perms)])];
      const created = await role(s, { name: `m${seed}_r${i}`, permissions: own });
      model.set(created.name, { id: created.name, name: created.name, base: null, perms: new Set(own) });
    }
    const all = [...model.keys()];
    let refused = 0;
    for (let step = 0; step < 40; step++) {
      const target = r.pick(all);
      if (r.next() < 0.15) {
        const res = await s.rest("DELETE", `${ROLES}/${target}/base`);
        expect(res.status).toBe(200);
        model.get(target)!.base = null;
        continue;
      }
      const base = r.pick(all);
      const loops = modelDescendants(model, target).has(base);
      const res = await s.rest("PUT", `${ROLES}/${target}`, { extends: base });
      expect(res.status, `seed ${seed} step ${step}: ${target} extends ${base}`).toBe(loops ? 400 : 200);
      if (loops) { refused++; expect(res.body.details[0].error_code).toBe("INVALID_ARGUMENT"); } else model.get(target)!.base = base;
    }
    expect(refused).toBeGreaterThan(0);
    const stored = (await s.rest("GET", ROLES)).body.roles.filter((x: any) => model.has(x.name));
    expect(Object.fromEntries(stored.map((x: any) => [x.name, x.extends ?? null]))).toEqual(Object.fromEntries([...model.values()].map((m) => [m.name, m.base])));
    for (const name of all) {
      const got = (await s.rest("GET", `${ROLES}/${name}/permissions:all`)).body.permissions.map((p: any) => p.name);
      expect(got, `seed ${seed} ${name}`).toEqual(modelEffective(model, [name]).map((p) => p.name));
    }
  });
});
