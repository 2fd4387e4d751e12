// Creating, changing and deleting roles, the same for environment and organization roles. Every write takes the
// role-graph lock first (src/rbac/graph.ts), so cycle checks, cross-scope name checks, "nobody extends or holds
// it" checks and the 100-permission cap all see a graph no one else is changing until this transaction ends.
import type { Role as RoleRow } from "../../generated/prisma/client.js";
import { inTransaction, type Tx } from "../../db/tx.js";
import { newId } from "../../protocol/ids.js";
import { failedPrecondition, invalidArgument, notFound } from "../../protocol/errors.js";
import type { roles } from "../../protocol/descriptors.js";
import { cycleThrough, descendantsOf, lockRoleGraph } from "../../rbac/graph.js";
import { directHolders, reassignHolders } from "../../rbac/assignments.js";
import type { ServiceDeps } from "../deps.js";
import type { RoleView } from "./mapping.js";
import {
  checkNameFree, emitRoleEvent, findOwnRole, requireOrganization, resolvePermissions, roleNameConflict, roleView,
  scopeKey, visibleIn, type OrgScope,
} from "./store.js";

/** The contract's cap on a role's direct permissions ("Maximum 100 permissions per role"). */
export const MAX_ROLE_PERMISSIONS = 100;

/** A base role as the changed role's scope sees it: environment roles extend environment roles only. */
async function findBase(tx: Tx, organizationId: OrgScope, name: string): Promise<RoleRow> {
  const row = await tx.role.findFirst({ where: { AND: [{ name }, visibleIn(organizationId)] } });
  if (!row) throw notFound("base role", name);
  return row;
}

async function refuseCycle(tx: Tx, role: RoleRow, base: RoleRow, field: string): Promise<void> {
  const loop = await cycleThrough(tx, role.id, base.id);
  if (loop) throw invalidArgument(field, `role ${role.name} cannot extend ${base.name}: that would make a cycle (${loop.join(" → ")})`);
}

async function setPermissions(tx: Tx, roleId: string, permissionIds: string[]): Promise<boolean> {
  const current = new Set((await tx.rolePermission.findMany({ where: { roleId }, select: { permissionId: true } })).map((p) => p.permissionId));
  const wanted = new Set(permissionIds);
  const removed = [...current].filter((id) => !wanted.has(id));
  const added = [...wanted].filter((id) => !current.has(id));
  if (removed.length) await tx.rolePermission.deleteMany({ where: { roleId, permissionId: { in: removed } } });
  if (added.length) await tx.rolePermission.createMany({ data: added.map((permissionId) => ({ roleId, permissionId })) });
  return removed.length + added.length > 0;
}

export interface NewRole { name: string; displayName: string; description?: string; extends?: string; permissions: string[] }

/** Create and update answer with the direct permissions: the caller just set them and should see the result. */
export async function createRole({ db, outbox }: ServiceDeps, organizationId: OrgScope, input: NewRole): Promise<RoleView> {
  try {
    return await inTransaction(db, async (tx) => {
      await lockRoleGraph(tx);
      if (organizationId !== null) await requireOrganization(tx, organizationId);
      await checkNameFree(tx, organizationId, input.name);
      const base = input.extends ? await findBase(tx, organizationId, input.extends) : undefined;
      const permissions = await resolvePermissions(tx, input.permissions);
      const row = await tx.role.create({
        data: {
          id: newId("role"), scope: scopeKey(organizationId), organizationId, name: input.name,
          displayName: input.displayName, description: input.description ?? "", baseRoleId: base?.id ?? null,
        },
      });
      if (permissions.length) await tx.rolePermission.createMany({ data: permissions.map((p) => ({ roleId: row.id, permissionId: p.id })) });
      await emitRoleEvent(outbox, tx, "role.created", row);
      return roleView(tx, row, organizationId, "permissions");
    });
  } catch (e) {
    throw roleNameConflict(e, input.name);
  }
}

/**
 * Merges the fields present; a non-empty `permissions` list replaces the direct set. An empty list cannot be told
 * apart from an absent one (proto3 repeated fields have no presence), so it changes nothing; permissions are
 * removed one by one through DELETE /roles/{r}/permissions/{p}. Nothing changed → no new update_time, no event.
 */
export async function updateRole({ db, outbox }: ServiceDeps, organizationId: OrgScope, name: string, patch: roles.UpdateRole): Promise<RoleView> {
  return inTransaction(db, async (tx) => {
    await lockRoleGraph(tx);
    if (organizationId !== null) await requireOrganization(tx, organizationId);
    const row = await findOwnRole(tx, organizationId, name);
    const data: { displayName?: string; description?: string; baseRoleId?: string } = {};
    if (patch.displayName !== undefined && patch.displayName !== row.displayName) data.displayName = patch.displayName;
    if (patch.description !== undefined && patch.description !== row.description) data.description = patch.description;
    if (patch.extends !== undefined) {
      const base = await findBase(tx, row.organizationId, patch.extends);
      if (base.id !== row.baseRoleId) {
        await refuseCycle(tx, row, base, "role.extends");
        data.baseRoleId = base.id;
      }
    }
    let permissionsChanged = false;
    if (patch.permissions.length) {
      const permissions = await resolvePermissions(tx, patch.permissions);
      permissionsChanged = await setPermissions(tx, row.id, permissions.map((p) => p.id));
    }
    if (!Object.keys(data).length && !permissionsChanged) return roleView(tx, row, organizationId, "permissions");
    const updated = await tx.role.update({ where: { id: row.id }, data: { ...data, updateTime: new Date() } });
    await emitRoleEvent(outbox, tx, "role.updated", updated);
    return roleView(tx, updated, organizationId, "permissions");
  });
}

/** Clears `extends`; the role keeps only its direct permissions. A role without a base is left as it is. */
export async function deleteRoleBase({ db, outbox }: ServiceDeps, organizationId: OrgScope, name: string): Promise<void> {
  await inTransaction(db, async (tx) => {
    await lockRoleGraph(tx);
    if (organizationId !== null) await requireOrganization(tx, organizationId);
    const row = await findOwnRole(tx, organizationId, name);
    if (row.baseRoleId === null) return;
    const updated = await tx.role.update({ where: { id: row.id }, data: { baseRoleId: null, updateTime: new Date() } });
    await emitRoleEvent(outbox, tx, "role.updated", updated);
  });
}

/** The replacement named by reassign_role_id (an id, or a name as its description says) and/or reassign_role_name. */
export interface Reassign { id?: string; name?: string }

async function findReplacement(tx: Tx, organizationId: OrgScope, r: Reassign): Promise<RoleRow | undefined> {
  const visible = visibleIn(organizationId);
  const byName = r.name ? await tx.role.findFirst({ where: { AND: [{ name: r.name }, visible] } }) : undefined;
  if (r.name && !byName) throw notFound("reassignment role", r.name);
  const byId = r.id
    ? await tx.role.findFirst({ where: { AND: [{ OR: [{ id: r.id }, { name: r.id }] }, visible] }, orderBy: { id: "asc" } })
    : undefined;
  if (r.id && !byId) throw notFound("reassignment role", r.id);
  if (byName && byId && byName.id !== byId.id) throw invalidArgument("reassign_role_id", `names a different role (${byId.name}) than reassign_role_name (${byName.name})`);
  return byName ?? byId ?? undefined;
}

/**
 * Deletes a role. If roles extend it, users hold it, or it is a default role, a replacement is required: its
 * dependents then extend the replacement, its holders hold the replacement and defaults point at it, all in the
 * same transaction as the delete. Without one the delete is refused (FAILED_PRECONDITION) and nothing changes.
 */
export async function deleteRole({ db, outbox }: ServiceDeps, organizationId: OrgScope, name: string, reassign: Reassign, field: string): Promise<void> {
  await inTransaction(db, async (tx) => {
    await lockRoleGraph(tx);
    if (organizationId !== null) await requireOrganization(tx, organizationId);
    const row = await findOwnRole(tx, organizationId, name);
    const target = await findReplacement(tx, organizationId, reassign);
    const [dependents, holders, defaults] = await Promise.all([
      tx.role.findMany({ where: { baseRoleId: row.id }, orderBy: { id: "asc" } }),
      directHolders(tx, row.id),
      tx.roleDefault.findMany({ where: { OR: [{ creatorRoleId: row.id }, { memberRoleId: row.id }] } }),
    ]);
    if (!target) {
      // the cloud's words for the common case, which the SDKs' tests compare verbatim
      if (holders) throw failedPrecondition("role cannot be deleted as it is assigned to users");
      const reasons = [
        dependents.length ? `${dependents.length} role${dependents.length === 1 ? " extends" : "s extend"} it (${dependents.map((d) => d.name).join(", ")})` : "",
        defaults.length ? "it is a default role" : "",
      ].filter(Boolean);
      if (reasons.length) throw failedPrecondition(`role ${name} cannot be deleted: ${reasons.join("; ")}. Give ${field} to move them to another role`);
    } else {
      if (target.id === row.id) throw invalidArgument(field, "must name a role other than the one being deleted");
      if ((await descendantsOf(tx, row.id)).includes(target.id))
        throw invalidArgument(field, `role ${target.name} extends ${name}, so the roles extending ${name} cannot be moved to it`);
      for (const d of dependents) {
        const moved = await tx.role.update({ where: { id: d.id }, data: { baseRoleId: target.id, updateTime: new Date() } });
        await emitRoleEvent(outbox, tx, "role.updated", moved);
      }
      await reassignHolders(tx, row.id, target.id);
      await tx.roleDefault.updateMany({ where: { creatorRoleId: row.id }, data: { creatorRoleId: target.id } });
      await tx.roleDefault.updateMany({ where: { memberRoleId: row.id }, data: { memberRoleId: target.id } });
    }
    await emitRoleEvent(outbox, tx, "role.deleted", row);
    await tx.role.delete({ where: { id: row.id } });
  });
}
