// Every role and permission method of the real @scalekit-sdk/node client against the server (gRPC over HTTP/2),
// including the two with no REST operation in the spec (getOrganizationRoleUsersCount, deleteOrganizationRoleBase),
// and the exception classes the SDK raises for each kind of failure.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import type { ScalekitClient } from "@scalekit-sdk/node";
import { roles } from "../../src/protocol/descriptors.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { sdk, sdkClient, sdkRejection } from "../helpers/sdk.js";
import { hold, organization } from "./fixtures.js";

// The SDK's signatures name message types; its callers pass plain objects, which is the same on the wire.
const newPermission = (init: MessageInitShape<typeof roles.CreatePermissionSchema>) => create(roles.CreatePermissionSchema, init);
const newRole = (init: MessageInitShape<typeof roles.CreateRoleSchema>) => create(roles.CreateRoleSchema, init);
const newOrgRole = (init: MessageInitShape<typeof roles.CreateOrganizationRoleSchema>) => create(roles.CreateOrganizationRoleSchema, init);
const rolePatch = (init: MessageInitShape<typeof roles.UpdateRoleSchema>) => create(roles.UpdateRoleSchema, init);

describe("Roles and permissions through the Node SDK", () => {
  let s: TestServer;
  let client: ScalekitClient;
  beforeAll(async () => { s = await startTestServer(); client = sdkClient(s); });
  afterAll(async () => { await s?.close(); });

  const rejection = sdkRejection;
  const names = (list: { name: string }[]) => list.map((x) => x.name);

  it("permission client: create, get, update, list, delete", async () => {
    const created = (await client.permission.createPermission(newPermission({ name: "read:invoices", description: "Read invoices" }))).permission!;
    expect(created).toMatchObject({ name: "read:invoices", description: "Read invoices", isScalekitPermission: false });
    expect(created.id).toMatch(/^perm_\d{18}$/);
    expect((await client.permission.getPermission("read:invoices")).permission).toEqual(created);
    const updated = await client.permission.updatePermission("read:invoices", newPermission({ name: "read:invoices", description: "Read all invoices" }));
    expect(updated.permission).toMatchObject({ id: created.id, description: "Read all invoices" });

    for (let i = 0; i < 4; i++) await client.permission.createPermission(newPermission({ name: `sdk:p${i}`, description: "" }));
    const seen: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await client.permission.listPermissions(pageToken, 2);
      expect(page.totalSize).toBe(5);
      seen.push(...names(page.permissions));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen.sort()).toEqual(["read:invoices", "sdk:p0", "sdk:p1", "sdk:p2", "sdk:p3"]);
    expect((await client.permission.listPermissions()).permissions).toHaveLength(5);

    await client.permission.deletePermission("sdk:p3");
    expect(await rejection(client.permission.getPermission("sdk:p3"))).toBeInstanceOf(sdk.ScalekitNotFoundException);
    const dup = await rejection(client.permission.createPermission(newPermission({ name: "sdk:p0", description: "" })));
    expect(dup).toBeInstanceOf(sdk.ScalekitBadRequestException);
    expect(dup.message).toBe("[invalid_argument] duplicate key not allowed");
    const bad = await rejection(client.permission.createPermission(newPermission({ name: "bad name", description: "" })));
    expect(bad).toBeInstanceOf(sdk.ScalekitBadRequestException);
    expect(bad.errorCode).toBe("INVALID_ARGUMENT");
  });

  it("role client: create with inheritance, get, list, update, dependents, effective permissions", async () => {
    const viewer = (await client.role.createRole(newRole({ name: "sdk_viewer", displayName: "Viewer", permissions: ["sdk:p0"] }))).role!;
    expect(viewer).toMatchObject({ name: "sdk_viewer", displayName: "Viewer", isOrgRole: false, dependentRolesCount: 0 });
    const editor = (await client.role.createRole(newRole({ name: "sdk_editor", displayName: "Editor", extends: "sdk_viewer", permissions: ["sdk:p1"] }))).role!;
    expect(editor.extends).toBe("sdk_viewer");

    expect((await client.role.getRole("sdk_viewer")).role).toMatchObject({ id: viewer.id, dependentRolesCount: 1 });
    expect(names((await client.role.listRoles()).roles)).toEqual(expect.arrayContaining(["sdk_viewer", "sdk_editor"]));
    expect(names((await client.role.listDependentRoles("sdk_viewer")).roles)).toEqual(["sdk_editor"]);

    const updated = await client.role.updateRole("sdk_editor", rolePatch({ displayName: "Senior Editor", permissions: ["sdk:p1", "sdk:p2"] }));
    expect(updated.role).toMatchObject({ displayName: "Senior Editor", extends: "sdk_viewer" });
    expect(names(updated.role!.permissions).sort()).toEqual(["sdk:p1", "sdk:p2"]);

    expect(names((await client.permission.listRolePermissions("sdk_editor")).permissions).sort()).toEqual(["sdk:p1", "sdk:p2"]);
    expect(names((await client.permission.listEffectiveRolePermissions("sdk_editor")).permissions).sort()).toEqual(["sdk:p0", "sdk:p1", "sdk:p2"]);
    const added = await client.permission.addPermissionsToRole("sdk_viewer", ["read:invoices"]);
    expect(names(added.permissions).sort()).toEqual(["read:invoices", "sdk:p0"]);
    await client.permission.removePermissionFromRole("sdk_viewer", "sdk:p0");
    expect(names((await client.permission.listEffectiveRolePermissions("sdk_editor")).permissions).sort()).toEqual(["read:invoices", "sdk:p1", "sdk:p2"]);

    const cycle = await rejection(client.role.updateRole("sdk_viewer", rolePatch({ extends: "sdk_editor" })));
    expect(cycle).toBeInstanceOf(sdk.ScalekitBadRequestException);
    expect(cycle.errorCode).toBe("INVALID_ARGUMENT");
    expect(cycle.message).toContain("cycle");
    expect(await rejection(client.role.getRole("sdk_nobody"))).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect(await rejection(client.role.createRole(newRole({ name: "sdk_viewer", displayName: "Again" })))).toMatchObject({ message: "[invalid_argument] duplicate key not allowed", errorCode: "INVALID_ARGUMENT" });
    expect(await rejection(client.role.createRole(newRole({ name: "sdk_x", displayName: "X", permissions: ["no:such"] })))).toBeInstanceOf(sdk.ScalekitNotFoundException);
  });

  it("role client: users count, base removal, defaults, deletion with reassignment", async () => {
    const orgId = await organization(s);
    const viewer = (await client.role.getRole("sdk_viewer")).role!;
    const editor = (await client.role.getRole("sdk_editor")).role!;
    await hold(s, orgId, "usr_1", viewer.id);
    await hold(s, orgId, "usr_2", editor.id);
    expect((await client.role.getRoleUsersCount("sdk_viewer")).count).toBe(2n);
    expect((await client.role.getRoleUsersCount("sdk_editor")).count).toBe(1n);

    const defaults = await client.role.updateDefaultRoles({ defaultCreatorRole: "sdk_editor", defaultMemberRole: "sdk_viewer" });
    expect(defaults.defaultCreator).toMatchObject({ name: "sdk_editor", defaultCreator: true });
    expect(defaults.defaultMember).toMatchObject({ name: "sdk_viewer", defaultMember: true });
    expect(await rejection(client.role.updateDefaultRoles({ defaultMemberRole: "sdk_nobody" }))).toBeInstanceOf(sdk.ScalekitNotFoundException);

    await client.role.deleteRoleBase("sdk_editor");
    expect((await client.role.getRole("sdk_editor")).role?.extends).toBeUndefined();
    expect((await client.role.getRoleUsersCount("sdk_viewer")).count).toBe(1n);

    const blocked = await rejection(client.role.deleteRole("sdk_viewer"));
    expect(blocked).toBeInstanceOf(sdk.ScalekitBadRequestException);
    expect(blocked.errorCode).toBe("FAILED_PRECONDITION");
    expect(blocked.message).toBe("[failed_precondition] role cannot be deleted as it is assigned to users");
    await client.role.deleteRole("sdk_viewer", "sdk_editor");
    expect(await rejection(client.role.getRole("sdk_viewer"))).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect((await client.role.getRoleUsersCount("sdk_editor")).count).toBe(2n);
    expect((await client.role.getRole("sdk_editor")).role).toMatchObject({ defaultCreator: true, defaultMember: true });
  });

  it("organization roles: create, get, list, update, counts, defaults, base removal, delete", async () => {
    const orgId = await organization(s);
    const other = await organization(s, "Other");
    const created = (await client.role.createOrganizationRole(orgId, newOrgRole({ name: "sdk_org_role", displayName: "Org Role", extends: "sdk_editor", permissions: ["sdk:p0"] }))).role!;
    expect(created).toMatchObject({ name: "sdk_org_role", isOrgRole: true, extends: "sdk_editor" });
    expect((await client.role.getOrganizationRole(orgId, "sdk_org_role")).role?.id).toBe(created.id);
    const listed = (await client.role.listOrganizationRoles(orgId)).roles;
    expect(listed.filter((r) => r.isOrgRole).map((r) => r.id)).toEqual([created.id]);
    expect(names(listed)).toContain("sdk_editor");
    expect((await client.role.listOrganizationRoles(other)).roles.some((r) => r.isOrgRole)).toBe(false);
    expect(await rejection(client.role.getOrganizationRole(other, "sdk_org_role"))).toBeInstanceOf(sdk.ScalekitNotFoundException);

    const updated = await client.role.updateOrganizationRole(orgId, "sdk_org_role", rolePatch({ description: "Scoped" }));
    expect(updated.role).toMatchObject({ description: "Scoped", extends: "sdk_editor" });

    await hold(s, orgId, "usr_7", created.id);
    await hold(s, other, "usr_8", (await client.role.getRole("sdk_editor")).role!.id);
    expect((await client.role.getOrganizationRoleUsersCount(orgId, "sdk_org_role")).count).toBe(1n);
    expect((await client.role.getOrganizationRoleUsersCount(orgId, "sdk_editor")).count).toBe(1n);
    expect((await client.role.getOrganizationRoleUsersCount(other, "sdk_editor")).count).toBe(1n);

    const dflt = await client.role.updateDefaultOrganizationRoles(orgId, "sdk_org_role");
    expect(dflt.defaultMember).toMatchObject({ id: created.id, defaultMember: true });

    await client.role.deleteOrganizationRoleBase(orgId, "sdk_org_role");
    expect((await client.role.getOrganizationRole(orgId, "sdk_org_role")).role?.extends).toBeUndefined();
    expect((await client.role.getOrganizationRoleUsersCount(orgId, "sdk_editor")).count).toBe(0n);

    expect(await rejection(client.role.deleteOrganizationRole(orgId, "sdk_org_role"))).toBeInstanceOf(sdk.ScalekitBadRequestException);
    await client.role.deleteOrganizationRole(orgId, "sdk_org_role", "sdk_editor");
    expect(await rejection(client.role.getOrganizationRole(orgId, "sdk_org_role"))).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect((await client.role.getOrganizationRoleUsersCount(orgId, "sdk_editor")).count).toBe(1n);
    expect(await rejection(client.role.listOrganizationRoles("org_000000000000000009"))).toBeInstanceOf(sdk.ScalekitNotFoundException);
  });
});
