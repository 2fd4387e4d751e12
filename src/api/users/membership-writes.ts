// Writing memberships: roles (named, else the default member role), the organization's user limit, the invite
// state, and the events, all inside the caller's transaction under the organization's row lock.
import type { Organization as OrganizationRow, Role as RoleRow, User as UserRow } from "../../generated/prisma/client.js";
import type { Tx } from "../../db/tx.js";
import type { Outbox } from "../../events/outbox.js";
import { commons } from "../../protocol/descriptors.js";
import { alreadyExists, failedPrecondition } from "../../protocol/errors.js";
import { userManagementOf } from "../organizations/mapping.js";
import { findVisibleRole } from "../roles/store.js";
import { freshInvite, mailInvite } from "./invites.js";
import { emitMembershipEvent } from "./store.js";

/** Roles by name as the organization sees them (unknown name: 404); none named means the default member role. */
export async function rolesForMembership(tx: Tx, organizationId: string, names: string[]): Promise<RoleRow[]> {
  const wanted = [...new Set(names.filter((n) => n))];
  if (wanted.length) {
    const out: RoleRow[] = [];
    for (const n of wanted) out.push(await findVisibleRole(tx, organizationId, n));
    return out;
  }
  const defaults = await tx.roleDefault.findMany({ where: { scope: { in: ["", organizationId] } } });
  const memberRoleId = defaults.find((d) => d.scope === organizationId)?.memberRoleId ?? defaults.find((d) => d.scope === "")?.memberRoleId;
  if (!memberRoleId) return [];
  const role = await tx.role.findUnique({ where: { id: memberRoleId } });
  return role ? [role] : [];
}

/** The organization's max_allowed_users: unset or 0 is no limit. Runs under the organization's row lock. */
export async function checkCapacity(tx: Tx, org: OrganizationRow): Promise<void> {
  const max = userManagementOf(org).max_allowed_users;
  if (!max) return;
  const members = await tx.membership.count({ where: { organizationId: org.id } });
  if (members >= max) throw failedPrecondition(`organization ${org.id} has reached its maximum of ${max} users (max_allowed_users)`);
}

/** Replaces the membership's roles with `roles`. */
export async function setRoles(tx: Tx, organizationId: string, userId: string, roles: RoleRow[]): Promise<void> {
  await tx.roleAssignment.deleteMany({ where: { organizationId, userId, roleId: { notIn: roles.map((r) => r.id) } } });
  for (const r of roles)
    await tx.$executeRaw`INSERT INTO role_assignments (organization_id, user_id, role_id) VALUES (${organizationId}, ${userId}, ${r.id}) ON CONFLICT DO NOTHING`;
}

export interface NewMembership {
  org: OrganizationRow;
  user: UserRow;
  roleNames: string[];
  metadata: Record<string, string>;
  inviterEmail?: string;
  /** true: a pending invitation with an expiry; false: an active member straight away */
  invite: boolean;
}

export async function addMembership(tx: Tx, outbox: Outbox, environmentId: string, environmentUrl: string, m: NewMembership): Promise<void> {
  const existing = await tx.membership.findUnique({ where: { organizationId_userId: { organizationId: m.org.id, userId: m.user.id } } });
  if (existing) throw alreadyExists(`user ${m.user.id} is already a member of organization ${m.org.id}`, m.user.id);
  await checkCapacity(tx, m.org);
  const roles = await rolesForMembership(tx, m.org.id, m.roleNames);
  const now = new Date();
  const row = await tx.membership.create({
    data: {
      organizationId: m.org.id, userId: m.user.id, metadata: m.metadata, inviterEmail: m.inviterEmail || null, createdAt: now,
      ...(m.invite
        ? { provisioningMethod: "invitation", ...freshInvite(now) }
        : { status: commons.MembershipStatus.ACTIVE, provisioningMethod: "direct_provision", joinTime: now, acceptedAt: now }),
    },
  });
  await setRoles(tx, m.org.id, m.user.id, roles);
  await emitMembershipEvent(outbox, tx, "user.organization_membership_created", m.org, m.user, environmentId);
  if (m.invite) {
    await mailInvite(tx, environmentUrl, m.org, m.user, row, false);
    await emitMembershipEvent(outbox, tx, "user.organization_invitation", m.org, m.user, environmentId);
  }
}

/** Removes the membership, with the event; its roles go with it (role_assignments references memberships). */
export async function removeMembership(tx: Tx, outbox: Outbox, environmentId: string, org: OrganizationRow, user: UserRow): Promise<void> {
  await tx.membership.delete({ where: { organizationId_userId: { organizationId: org.id, userId: user.id } } });
  await emitMembershipEvent(outbox, tx, "user.organization_membership_deleted", org, user, environmentId);
}
