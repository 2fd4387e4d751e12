// /api/v1/organizations/{org_id}/roles: an organization sees the environment's roles beside its own (is_org_role
// marks its own) and changes only its own. Another organization's roles are invisible here, names included.
import type { roles } from "../../protocol/descriptors.js";
import { invalidArgument } from "../../protocol/errors.js";
import type { ServiceImplementation } from "../../protocol/rpc.js";
import { usersWithRole } from "../../rbac/assignments.js";
import type { ServiceDeps } from "../deps.js";
import { roleMessage } from "./mapping.js";
import { createRole, deleteRole, deleteRoleBase, updateRole } from "./role-writes.js";
import { findVisibleRole, requireOrganization, roleView, roleViews, visibleIn, type Include } from "./store.js";

type Methods = ServiceImplementation<typeof roles.RolesService>["methods"];

/** org_id is a path variable over REST; over gRPC it can be missing, which the descriptor rules let through. */
export function orgIdOf(orgId: string): string {
  if (!orgId) throw invalidArgument("org_id", "is required");
  return orgId;
}

export function organizationRoles(deps: ServiceDeps): Methods {
  const { db } = deps;
  return {
    async createOrganizationRole(req) {
      return { role: roleMessage(await createRole(deps, orgIdOf(req.orgId), req.role!)) };
    },

    async getOrganizationRole(req) {
      const org = orgIdOf(req.orgId);
      await requireOrganization(db, org);
      const row = await findVisibleRole(db, org, req.roleName);
      return { role: roleMessage(await roleView(db, row, org, (req.include ?? "") as Include)) };
    },

    async listOrganizationRoles(req) {
      const org = orgIdOf(req.orgId);
      await requireOrganization(db, org);
      const rows = await db.role.findMany({ where: visibleIn(org), orderBy: { id: "asc" } });
      return { roles: (await roleViews(db, rows, org, (req.include ?? "") as Include)).map(roleMessage) };
    },

    async updateOrganizationRole(req) {
      return { role: roleMessage(await updateRole(deps, orgIdOf(req.orgId), req.roleName, req.role!)) };
    },

    async deleteOrganizationRole(req) {
      await deleteRole(deps, orgIdOf(req.orgId), req.roleName, { name: req.reassignRoleName }, "reassign_role_name");
      return {};
    },

    async deleteOrganizationRoleBase(req) {
      await deleteRoleBase(deps, orgIdOf(req.orgId), req.roleName);
      return {};
    },

    /** Members of this organization who have the role, directly or through a role extending it. */
    async getOrganizationRoleUsersCount(req) {
      const org = orgIdOf(req.orgId);
      await requireOrganization(db, org);
      const row = await findVisibleRole(db, org, req.roleName);
      return { count: BigInt(await usersWithRole(db, row.id, org)) };
    },
  };
}
