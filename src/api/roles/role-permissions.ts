// /api/v1/roles/{role_name}/permissions[:all]: a role's direct permissions (add, remove, list) and its effective
// ones. These routes carry no organization, so they address environment roles; an organization role's
// permissions are read with include= and replaced with its PUT.
import type { roles } from "../../protocol/descriptors.js";
import { inTransaction } from "../../db/tx.js";
import { invalidArgument, notFound } from "../../protocol/errors.js";
import type { ServiceImplementation } from "../../protocol/rpc.js";
import { effectivePermissionsOfRoles } from "../../rbac/effective.js";
import { lockRoleGraph } from "../../rbac/graph.js";
import type { ServiceDeps } from "../deps.js";
import { permissionMessage } from "./mapping.js";
import { MAX_ROLE_PERMISSIONS } from "./role-writes.js";
import { directPermissions, emitRoleEvent, findOwnRole, findPermission, resolvePermissions } from "./store.js";

type Methods = ServiceImplementation<typeof roles.RolesService>["methods"];

export function rolePermissions({ db, outbox }: ServiceDeps): Methods {
  return {
    async listRolePermissions(req) {
      const role = await findOwnRole(db, null, req.roleName);
      return { permissions: (await directPermissions(db, role.id)).map(permissionMessage) };
    },

    async listEffectiveRolePermissions(req) {
      const role = await findOwnRole(db, null, req.roleName);
      return { permissions: (await effectivePermissionsOfRoles(db, [role.id])).map(permissionMessage) };
    },

    /** Idempotent: permissions the role already has stay as they are; the answer is the whole direct set. */
    async addPermissionsToRole(req) {
      const permissions = await inTransaction(db, async (tx) => {
        await lockRoleGraph(tx);
        const role = await findOwnRole(tx, null, req.roleName);
        const wanted = await resolvePermissions(tx, req.permissionNames);
        const have = new Set((await tx.rolePermission.findMany({ where: { roleId: role.id }, select: { permissionId: true } })).map((p) => p.permissionId));
        const added = wanted.filter((p) => !have.has(p.id));
        if (have.size + added.length > MAX_ROLE_PERMISSIONS)
          throw invalidArgument("permission_names", `a role can have at most ${MAX_ROLE_PERMISSIONS} permissions; ${role.name} has ${have.size} and this adds ${added.length}`);
        if (added.length) {
          await tx.rolePermission.createMany({ data: added.map((p) => ({ roleId: role.id, permissionId: p.id })) });
          const updated = await tx.role.update({ where: { id: role.id }, data: { updateTime: new Date() } });
          await emitRoleEvent(outbox, tx, "role.updated", updated);
        }
        return directPermissions(tx, role.id);
      });
      return { permissions: permissions.map(permissionMessage) };
    },

    /** Removes a direct assignment only; a permission the role merely inherits is not its to remove. */
    async removePermissionFromRole(req) {
      await inTransaction(db, async (tx) => {
        await lockRoleGraph(tx);
        const role = await findOwnRole(tx, null, req.roleName);
        const permission = await findPermission(tx, req.permissionName);
        const { count } = await tx.rolePermission.deleteMany({ where: { roleId: role.id, permissionId: permission.id } });
        if (!count) throw notFound(`permission ${permission.name} on role`, role.name);
        const updated = await tx.role.update({ where: { id: role.id }, data: { updateTime: new Date() } });
        await emitRoleEvent(outbox, tx, "role.updated", updated);
      });
      return {};
    },
  };
}
