// A fresh environment has the cloud's default roles (issue 14 item 1): `admin` (default creator) and `member`
// (default member), seen by the Node SDK as the cloud shows them, given to memberships created without roles,
// and ordinary roles afterwards (changeable, deletable, never seeded again on restart).
import { afterAll, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { freshDatabase } from "../helpers/database.js";
import { sdk, sdkClient, sdkRejection } from "../helpers/sdk.js";
import { expectResponse } from "../helpers/openapi.js";
import { roles } from "../../src/protocol/descriptors.js";
import { organization, role, ROLES, unique } from "./fixtures.js";

const servers: TestServer[] = [];
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sk-default-roles-"));
afterAll(async () => {
  for (const s of servers) await s.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});
async function start(opts: Parameters<typeof startTestServer>[0] = {}) {
  const s = await startTestServer(opts);
  servers.push(s);
  return s;
}

describe("default roles of a fresh environment", () => {
  it("lists admin and member with the default flags, over REST and through the SDK", async () => {
    const s = await start();
    const res = await s.rest("GET", ROLES);
    expectResponse(res, "RolesService_ListRoles", 200);
    expect(res.body.roles).toEqual([
      expect.objectContaining({ name: "admin", display_name: "Admin", default_creator: true, default_member: false, is_org_role: false }),
      expect.objectContaining({ name: "member", display_name: "Member", default_creator: false, default_member: true, is_org_role: false }),
    ]);
    const listed = (await sdkClient(s).role.listRoles()).roles;
    expect(listed.map((r) => [r.name, r.displayName, r.defaultCreator, r.defaultMember])).toEqual([
      ["admin", "Admin", true, false], ["member", "Member", false, true],
    ]);
    expect(await s.db.role.count()).toBe(2);
    expect(await s.db.roleDefault.findUnique({ where: { scope: "" } })).toMatchObject({
      creatorRoleId: listed[0].id, memberRoleId: listed[1].id,
    });
  });

  it("gives member to a membership created without roles; dependents and defaults work on the seeded roles", async () => {
    const s = await start();
    const client = sdkClient(s);
    const org = await organization(s);
    const { user } = await client.user.createUserAndMembership(org, { email: `${unique("u")}@example.com`, sendInvitationEmail: false });
    expect(user!.memberships[0].roles.map((r) => r.name)).toEqual(["member"]);
    expect((await client.user.listUserRoles(org, user!.id)).roles.map((r) => r.name)).toEqual(["member"]);

    expect((await client.role.listDependentRoles("admin")).roles).toEqual([]);
    const viewer = await role(s, { name: unique("viewer"), extends: "member" });
    expect((await client.role.listDependentRoles("member")).roles.map((r) => r.name)).toEqual([viewer.name]);

    const swapped = await client.role.updateDefaultRoles({ defaultCreatorRole: "member", defaultMemberRole: "admin" });
    expect(swapped.defaultCreator).toMatchObject({ name: "member", defaultCreator: true });
    expect(swapped.defaultMember).toMatchObject({ name: "admin", defaultMember: true });
    const back = await client.role.updateDefaultRoles({ defaultCreatorRole: "admin", defaultMemberRole: "member" });
    expect([back.defaultCreator!.name, back.defaultMember!.name]).toEqual(["admin", "member"]);
  });

  it("changes and deletes like any role, and a restart does not bring a deleted one back", async () => {
    const database = await freshDatabase();
    const s1 = await startTestServer({ dataDir, database });
    const client = sdkClient(s1);
    const renamed = await client.role.updateRole("admin", create(roles.UpdateRoleSchema, { displayName: "Administrator", description: "Runs the place" }));
    expect(renamed.role).toMatchObject({ name: "admin", displayName: "Administrator", description: "Runs the place" });
    // member is the default member role: deleting it needs a replacement, as for any default role
    expect(await sdkRejection(client.role.deleteRole("member"))).toBeInstanceOf(sdk.ScalekitBadRequestException);
    await client.role.deleteRole("member", "admin");
    expect((await client.role.listRoles()).roles.map((r) => [r.name, r.defaultCreator, r.defaultMember])).toEqual([["admin", true, true]]);
    await s1.close({ keepData: true });

    const s2 = await start({ dataDir, database });
    expect((await sdkClient(s2).role.listRoles()).roles.map((r) => [r.name, r.displayName])).toEqual([["admin", "Administrator"]]);
  });
});
