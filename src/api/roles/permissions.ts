// /api/v1/permissions: environment-wide permissions, named `action:resource` (letters, digits, `_` and `:`).
import type { Prisma } from "../../generated/prisma/client.js";
import { inTransaction } from "../../db/tx.js";
import { newId } from "../../protocol/ids.js";
import { invalidArgument } from "../../protocol/errors.js";
import { roles } from "../../protocol/descriptors.js";
import type { ServiceImplementation } from "../../protocol/rpc.js";
import { keysetPage, prismaKeyset } from "../../db/keyset-page.js";
import { lockRoleGraph } from "../../rbac/graph.js";
import type { ServiceDeps } from "../deps.js";
import { permissionMessage } from "./mapping.js";
import { emitPermissionEvent, emitRoleEvent, findPermission, permissionNameConflict } from "./store.js";

type Methods = ServiceImplementation<typeof roles.RolesService>["methods"];

// The descriptor caps page_size at 100 and the contract names no default; a whole page by default means a caller
// that never pages (the SDK's listPermissions() without arguments) still sees up to 100.
const PAGE = { default: 100 } as const;

function typeFilter(type: roles.PermissionType): Prisma.PermissionWhereInput {
  switch (type) {
    case roles.PermissionType.ALL: return {};
    case roles.PermissionType.SCALEKIT: return { isScalekit: true };
    case roles.PermissionType.ENVIRONMENT: return { isScalekit: false };
    default: throw invalidArgument("type", "must be SCALEKIT or ENVIRONMENT");
  }
}

export function permissions({ db, outbox }: ServiceDeps): Methods {
  return {
    async createPermission(req) {
      const p = req.permission!;
      try {
        const row = await inTransaction(db, async (tx) => {
          const created = await tx.permission.create({ data: { id: newId("perm"), name: p.name, description: p.description } });
          await emitPermissionEvent(outbox, tx, "permission.created", created);
          return created;
        });
        return { permission: permissionMessage(row) };
      } catch (e) {
        throw permissionNameConflict(e, p.name);
      }
    },

    async getPermission(req) {
      return { permission: permissionMessage(await findPermission(db, req.permissionName)) };
    },

    /**
     * The body is the create body, but the name is the permission's identity: a different one is refused, the
     * same one (or none) is fine. An empty description is "not given" (proto3 strings have no presence), so a
     * name-only PUT leaves the description alone.
     */
    async updatePermission(req) {
      const p = req.permission!;
      if (p.name && p.name !== req.permissionName)
        throw invalidArgument("permission.name", `the name of a permission cannot be changed (${req.permissionName} → ${p.name})`);
      const row = await inTransaction(db, async (tx) => {
        const current = await findPermission(tx, req.permissionName);
        if (!p.description || p.description === current.description) return current;
        const updated = await tx.permission.update({ where: { id: current.id }, data: { description: p.description, updateTime: new Date() } });
        await emitPermissionEvent(outbox, tx, "permission.updated", updated);
        return updated;
      });
      return { permission: permissionMessage(row) };
    },

    /** Removes it from every role that has it directly; each such role gets a role.updated event. */
    async deletePermission(req) {
      await inTransaction(db, async (tx) => {
        await lockRoleGraph(tx);
        const row = await findPermission(tx, req.permissionName);
        const holders = await tx.role.findMany({ where: { permissions: { some: { permissionId: row.id } } }, orderBy: { id: "asc" } });
        await tx.permission.delete({ where: { id: row.id } });
        for (const role of holders) {
          const updated = await tx.role.update({ where: { id: role.id }, data: { updateTime: new Date() } });
          await emitRoleEvent(outbox, tx, "role.updated", updated);
        }
        await emitPermissionEvent(outbox, tx, "permission.deleted", row);
      });
      return {};
    },

    async listPermissions(req) {
      const where = typeFilter(req.type);
      const page = await keysetPage(prismaKeyset(db.permission, where), req.pageSize ?? PAGE.default, req.pageToken ?? "");
      return {
        permissions: page.items.map(permissionMessage), totalSize: page.totalSize,
        nextPageToken: page.nextPageToken, prevPageToken: page.prevPageToken,
      };
    },
  };
}
