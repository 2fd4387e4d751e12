// /api/v1/roles: the environment's roles. Listing shows organization roles too (the contract: "including
// organization roles"); reading and changing by name addresses environment roles, the only names that are unique
// environment-wide.
import type { roles } from "../../protocol/descriptors.js";
import type { ServiceImplementation } from "../../protocol/rpc.js";
import { usersWithRole } from "../../rbac/assignments.js";
import type { ServiceDeps } from "../deps.js";
import { roleMessage } from "./mapping.js";
import { createRole, deleteRole, deleteRoleBase, updateRole } from "./role-writes.js";
import { findOwnRole, roleView, roleViews, type Include } from "./store.js";

type Methods = ServiceImplementation<typeof roles.RolesService>["methods"];

export function environmentRoles(deps: ServiceDeps): Methods {
  const { db } = deps;
  return {
    async createRole(req) {
      const r = req.role!;
      return { role: roleMessage(await createRole(deps, null, r)) };
    },

    async getRole(req) {
      const row = await findOwnRole(db, null, req.roleName);
      return { role: roleMessage(await roleView(db, row, null, (req.include ?? "") as Include)) };
    },

    async listRoles(req) {
      const rows = await db.role.findMany({ orderBy: { id: "asc" } });
      return { roles: (await roleViews(db, rows, null, (req.include ?? "") as Include)).map(roleMessage) };
    },

    async updateRole(req) {
      return { role: roleMessage(await updateRole(deps, null, req.roleName, req.role!)) };
    },

    async deleteRole(req) {
      const field = req.reassignRoleName !== undefined || req.reassignRoleId === undefined ? "reassign_role_name" : "reassign_role_id";
      await deleteRole(deps, null, req.roleName, { id: req.reassignRoleId, name: req.reassignRoleName }, field);
      return {};
    },

    async deleteRoleBase(req) {
      await deleteRoleBase(deps, null, req.roleName);
      return {};
    },

    async getRoleUsersCount(req) {
      const row = await findOwnRole(db, null, req.roleName);
      return { count: BigInt(await usersWithRole(db, row.id)) };
    },

    async listDependentRoles(req) {
      const base = await findOwnRole(db, null, req.roleName);
      const rows = await db.role.findMany({ where: { baseRoleId: base.id }, orderBy: { id: "asc" } });
      return { roles: (await roleViews(db, rows, null)).map(roleMessage) };
    },
  };
}
