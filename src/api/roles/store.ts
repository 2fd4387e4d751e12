// Finding roles and permissions by name in a scope, the role views every response shows, and the events role and
// permission changes write in the same transaction.
//
// Scope: `null` is the environment, an organization id is that organization. An organization sees the
// environment's roles and its own; it changes only its own. Environment endpoints address environment roles.
import type { Permission as PermissionRow, Prisma, Role as RoleRow } from "../../generated/prisma/client.js";
import type { Db } from "../../db/client.js";
import type { Tx } from "../../db/tx.js";
import { uniqueViolation } from "../../db/unique.js";
import type { Outbox } from "../../events/outbox.js";
import { effectivePermissionsByRole } from "../../rbac/effective.js";
import { Code } from "@connectrpc/connect";
import { apiError, failedPrecondition, notFound } from "../../protocol/errors.js";
import { permissionEventData, roleEventData, type RoleView } from "./mapping.js";

export type OrgScope = string | null;
export type Include = "" | "permissions" | "permissions:all";

/** The value of roles.scope: one unique index (scope, name) keeps names unique per environment or organization. */
export const scopeKey = (organizationId: OrgScope) => organizationId ?? "";

export function visibleIn(organizationId: OrgScope): Prisma.RoleWhereInput {
  return organizationId === null ? { organizationId: null } : { OR: [{ organizationId: null }, { organizationId }] };
}

export async function requireOrganization(db: Db | Tx, organizationId: string): Promise<void> {
  if (!(await db.organization.findUnique({ where: { id: organizationId }, select: { id: true } })))
    throw notFound("organization", organizationId);
}

/** A role as the scope sees it (organization: its own or an environment role). */
export async function findVisibleRole(db: Db | Tx, organizationId: OrgScope, name: string): Promise<RoleRow> {
  const row = await db.role.findFirst({ where: { AND: [{ name }, visibleIn(organizationId)] } });
  if (!row) throw notFound("role", name);
  return row;
}

/** A role the scope may change: the environment's own roles, or the organization's own roles. */
export async function findOwnRole(db: Db | Tx, organizationId: OrgScope, name: string): Promise<RoleRow> {
  const row = await db.role.findUnique({ where: { scope_name: { scope: scopeKey(organizationId), name } } });
  if (row) return row;
  if (organizationId !== null && await db.role.findUnique({ where: { scope_name: { scope: "", name } }, select: { id: true } }))
    throw failedPrecondition(`role ${name} is an environment role; change it through /api/v1/roles/${name}`);
  throw notFound("role", name);
}

/**
 * A name already taken, as the cloud answers it: INVALID_ARGUMENT "duplicate key not allowed" (the SDKs' tests
 * expect a bad request, not a conflict); the field violation says which role or permission holds the name.
 */
export function duplicateKey(field: string, description: string) {
  return apiError(Code.InvalidArgument, "duplicate key not allowed", {
    validationErrorInfo: { fieldViolations: [{ field, description }] },
  });
}

/**
 * Refuses a name the scope would see twice: an environment role's name is taken if any organization uses it, an
 * organization role's if the environment does (the same organization is the unique index's job). Runs under the
 * role-graph lock, so a concurrent create in the other scope cannot slip past it.
 */
export async function checkNameFree(tx: Tx, organizationId: OrgScope, name: string): Promise<void> {
  const where: Prisma.RoleWhereInput = organizationId === null ? { name } : { name, scope: { in: ["", organizationId] } };
  const clash = await tx.role.findFirst({ where, select: { organizationId: true } });
  if (!clash) return;
  if (organizationId !== null && clash.organizationId === null) throw duplicateKey("role.name", `role ${name} already exists as an environment role`);
  if (organizationId === null && clash.organizationId !== null) throw duplicateKey("role.name", `role ${name} already exists as an organization role`);
  throw duplicateKey("role.name", `role ${name} already exists`);
}

/** A unique-index violation on (scope, name) as the cloud's duplicate-key error; anything else is rethrown as is. */
export function roleNameConflict(e: unknown, name: string): unknown {
  return uniqueViolation(e) ? duplicateKey("role.name", `role ${name} already exists`) : e;
}

export function permissionNameConflict(e: unknown, name: string): unknown {
  return uniqueViolation(e) ? duplicateKey("permission.name", `permission ${name} already exists`) : e;
}

export async function findPermission(db: Db | Tx, name: string): Promise<PermissionRow> {
  const row = await db.permission.findUnique({ where: { name } });
  if (!row) throw notFound("permission", name);
  return row;
}

/** Permission rows for names, in the order given, duplicates dropped; every unknown name is reported at once. */
export async function resolvePermissions(db: Db | Tx, names: string[]): Promise<PermissionRow[]> {
  const wanted = [...new Set(names)];
  if (!wanted.length) return [];
  const rows = await db.permission.findMany({ where: { name: { in: wanted } } });
  const byName = new Map(rows.map((r) => [r.name, r]));
  const missing = wanted.filter((n) => !byName.has(n));
  if (missing.length) throw notFound(missing.length === 1 ? "permission" : "permissions", missing.join(", "));
  return wanted.map((n) => byName.get(n)!);
}

/** Direct permissions of a role, by name. */
export async function directPermissions(db: Db | Tx, roleId: string): Promise<PermissionRow[]> {
  const links = await db.rolePermission.findMany({ where: { roleId }, include: { permission: true } });
  return links.map((l) => l.permission).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * What each role's message shows, seen from `organizationId`: its base's name, how many roles extend it (from an
 * organization: only roles that organization can see), the default flags (an organization's own default member
 * role wins over the environment's), and permissions when asked for. A fixed number of queries per listing.
 */
export async function roleViews(db: Db | Tx, rows: RoleRow[], organizationId: OrgScope, include: Include = ""): Promise<RoleView[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const baseIds = [...new Set(rows.map((r) => r.baseRoleId).filter((x): x is string => x !== null))];
  const [bases, dependents, defaults, permissions] = await Promise.all([
    baseIds.length ? db.role.findMany({ where: { id: { in: baseIds } }, select: { id: true, name: true } }) : [],
    db.role.groupBy({
      by: ["baseRoleId"], _count: { _all: true },
      where: { AND: [{ baseRoleId: { in: ids } }, organizationId === null ? {} : visibleIn(organizationId)] },
    }),
    db.roleDefault.findMany({ where: { scope: { in: organizationId === null ? [""] : ["", organizationId] } } }),
    permissionsFor(db, rows, include),
  ]);
  const baseName = new Map(bases.map((b) => [b.id, b.name]));
  const dependentCount = new Map(dependents.map((d) => [d.baseRoleId, d._count._all]));
  const env = defaults.find((d) => d.scope === "");
  const org = defaults.find((d) => d.scope !== "");
  const creatorId = env?.creatorRoleId ?? null;
  const memberId = org?.memberRoleId ?? env?.memberRoleId ?? null;
  return rows.map((row) => ({
    row,
    baseName: row.baseRoleId ? baseName.get(row.baseRoleId) ?? null : null,
    dependents: dependentCount.get(row.id) ?? 0,
    defaultCreator: row.id === creatorId,
    defaultMember: row.id === memberId,
    permissions: permissions?.get(row.id),
  }));
}

async function permissionsFor(db: Db | Tx, rows: RoleRow[], include: Include): Promise<Map<string, RoleView["permissions"]> | undefined> {
  if (include === "permissions:all") {
    const all = await effectivePermissionsByRole(db, rows.map((r) => r.id));
    return new Map([...all].map(([id, ps]) => [id, ps.map((p) => ({ permission: p, roleName: p.sourceRoleName }))]));
  }
  if (include !== "permissions") return undefined;
  const links = await db.rolePermission.findMany({ where: { roleId: { in: rows.map((r) => r.id) } }, include: { permission: true } });
  const byRole = new Map<string, RoleView["permissions"]>(rows.map((r) => [r.id, []]));
  const nameOf = new Map(rows.map((r) => [r.id, r.name]));
  for (const l of links) byRole.get(l.roleId)!.push({ permission: l.permission, roleName: nameOf.get(l.roleId)! });
  for (const list of byRole.values()) list!.sort((a, b) => (a.permission.name < b.permission.name ? -1 : a.permission.name > b.permission.name ? 1 : 0));
  return byRole;
}

export async function roleView(db: Db | Tx, row: RoleRow, organizationId: OrgScope, include: Include = ""): Promise<RoleView> {
  return (await roleViews(db, [row], organizationId, include))[0];
}

export type RoleEventType = "role.created" | "role.updated" | "role.deleted";
export type PermissionEventType = "permission.created" | "permission.updated" | "permission.deleted";

/** Organization roles name their organization in the envelope; environment roles belong to none. */
export async function emitRoleEvent(outbox: Outbox, tx: Tx, type: RoleEventType, row: RoleRow) {
  const baseName = row.baseRoleId
    ? (await tx.role.findUnique({ where: { id: row.baseRoleId }, select: { name: true } }))?.name ?? null
    : null;
  return outbox.emit(tx, { type, object: "Role", organizationId: row.organizationId ?? undefined, data: roleEventData(row, baseName) });
}

export function emitPermissionEvent(outbox: Outbox, tx: Tx, type: PermissionEventType, row: PermissionRow) {
  return outbox.emit(tx, { type, object: "Permission", data: permissionEventData(row) });
}
