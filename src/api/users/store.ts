// Finding users and memberships, loading what their messages show, and the events membership changes write in
// the same transaction.
import type { ConnectError } from "@connectrpc/connect";
import type { Membership as MembershipRow, Organization as OrganizationRow, User as UserRow } from "../../generated/prisma/client.js";
import type { Db } from "../../db/client.js";
import type { Tx } from "../../db/tx.js";
import { uniqueViolation } from "../../db/unique.js";
import type { Outbox } from "../../events/outbox.js";
import { alreadyExists, invalidArgument, notFound } from "../../protocol/errors.js";
import { organizationJson } from "../organizations/mapping.js";
import { userEventJson, type MembershipView, type RoleRef, type UserView } from "./mapping.js";
import { effectivePermissionsByRole } from "../../rbac/effective.js";

export type UserKey = { id: string } | { externalId: string };
type Identities = { case: "id" | "externalId"; value: string } | { case: undefined; value?: undefined };

/** The `identities` oneof of the user RPCs: id or external_id. */
export function userKeyOf(identities: Identities): UserKey {
  if (identities.case === "id" && identities.value) return { id: identities.value };
  if (identities.case === "externalId" && identities.value) return { externalId: identities.value };
  throw invalidArgument("id", "id or external_id is required");
}

function missing(key: UserKey): ConnectError {
  return "id" in key ? notFound("user", key.id) : notFound("user with external_id", key.externalId);
}

export async function findUser(db: Db | Tx, key: UserKey): Promise<UserRow> {
  const row = await db.user.findUnique({ where: "id" in key ? { id: key.id } : { externalId: key.externalId } });
  if (!row) throw missing(key);
  return row;
}

/** The user with a row lock held until the transaction ends, so concurrent changes to it apply one by one. */
export async function lockUser(tx: Tx, key: UserKey): Promise<UserRow> {
  const locked = "id" in key
    ? await tx.$queryRaw<{ id: string }[]>`SELECT id FROM users WHERE id = ${key.id} FOR UPDATE`
    : await tx.$queryRaw<{ id: string }[]>`SELECT id FROM users WHERE external_id = ${key.externalId} FOR UPDATE`;
  if (!locked.length) throw missing(key);
  return tx.user.findUniqueOrThrow({ where: { id: locked[0].id } });
}

export async function findMembership(db: Db | Tx, organizationId: string, userId: string): Promise<MembershipRow> {
  const row = await db.membership.findUnique({ where: { organizationId_userId: { organizationId, userId } } });
  if (!row) throw notFound("membership of user in organization", `${userId} / ${organizationId}`);
  return row;
}

/** Roles held per membership, keyed "org|user", in one query. */
async function rolesOf(db: Db | Tx, pairs: { organizationId: string; userId: string }[]): Promise<Map<string, RoleRef[]>> {
  const out = new Map<string, RoleRef[]>();
  if (!pairs.length) return out;
  const rows = await db.roleAssignment.findMany({
    where: { OR: pairs.map((p) => ({ organizationId: p.organizationId, userId: p.userId })) },
    include: { role: { select: { id: true, name: true, displayName: true } } },
    orderBy: { createTime: "asc" },
  });
  for (const r of rows) {
    const k = `${r.organizationId}|${r.userId}`;
    if (!out.has(k)) out.set(k, []);
    out.get(k)!.push(r.role);
  }
  return out;
}

/** Users with their memberships and roles, in a fixed number of queries whatever the page size. */
export async function userViews(db: Db | Tx, rows: UserRow[], onlyOrganization?: string): Promise<UserView[]> {
  if (!rows.length) return [];
  const memberships = await db.membership.findMany({
    where: { userId: { in: rows.map((r) => r.id) }, ...(onlyOrganization ? { organizationId: onlyOrganization } : {}) },
    include: { organization: { select: { displayName: true } } },
    orderBy: { createdAt: "asc" },
  });
  const roles = await rolesOf(db, memberships);
  const permissionsByRole = await effectivePermissionsByRole(db, [...new Set([...roles.values()].flat().map((r) => r.id))]);
  const permissionsOf = (held: RoleRef[]) =>
    [...new Set(held.flatMap((r) => (permissionsByRole.get(r.id) ?? []).map((p) => p.name)))].sort();
  const byUser = new Map<string, MembershipView[]>(rows.map((r) => [r.id, []]));
  for (const { organization, ...m } of memberships) {
    const held = roles.get(`${m.organizationId}|${m.userId}`) ?? [];
    byUser.get(m.userId)!.push({ row: m, roles: held, organizationName: organization.displayName, permissions: permissionsOf(held) });
  }
  return rows.map((row) => ({ row, memberships: byUser.get(row.id)! }));
}

export async function userView(db: Db | Tx, row: UserRow): Promise<UserView> {
  return (await userViews(db, [row]))[0];
}

/** A unique-index violation on the email or external id as a clear 409; anything else is rethrown as is. */
export function userConflict(e: unknown, values: { email?: string; externalId?: string | null }): unknown {
  const unique = uniqueViolation(e);
  if (!unique) return e;
  if (unique.on("external_id", "users_external_id_key") && values.externalId)
    return alreadyExists(`user with external_id ${values.externalId} already exists`, values.externalId);
  if (values.email) return alreadyExists(`user with email ${values.email} already exists`, values.email);
  return e;
}

export type MembershipEventType =
  | "user.organization_membership_created" | "user.organization_membership_updated"
  | "user.organization_membership_deleted" | "user.organization_invitation";

export function emitMembershipEvent(outbox: Outbox, tx: Tx, type: MembershipEventType, org: OrganizationRow, user: UserRow, environmentId: string) {
  return outbox.emit(tx, {
    type, object: "OrgMembership", organizationId: org.id,
    data: { organization: organizationJson(org), user: userEventJson(user, environmentId) },
  });
}
