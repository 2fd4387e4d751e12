// Who logged in: the user an SSO profile or a verified email stands for, created or updated just in time, and the
// memberships that login touches (a pending invitation is accepted by logging in to its organization; an SSO
// user becomes a member of the connection's organization; a signup creates an organization of its own).
import type { Connection, Membership, Organization, User } from "../../../generated/prisma/client.js";
import type { Tx } from "../../../db/tx.js";
import type { SsoProfile } from "../../../sso/adapter.js";
import { commons } from "../../../protocol/descriptors.js";
import { newId } from "../../../protocol/ids.js";
import type { ServiceDeps } from "../../deps.js";
import { organizationJson } from "../../organizations/mapping.js";
import { lockOrganization } from "../../organizations/store.js";
import { userEventJson, statusOf } from "../../users/mapping.js";
import { addMembership } from "../../users/membership-writes.js";
import { emitMembershipEvent } from "../../users/store.js";

const { ACTIVE, PENDING_INVITE } = commons.MembershipStatus;

export async function userByEmail(tx: Tx | ServiceDeps["db"], email: string): Promise<User | undefined> {
  return (await tx.user.findUnique({ where: { emailKey: email.toLowerCase() } })) ?? undefined;
}

const str = (v: string | undefined, max = 255) => (v ?? "").trim().slice(0, max);

/** Creates or updates the user of a verified SSO profile (JIT provisioning). */
export async function upsertSsoUser(tx: Tx, profile: SsoProfile): Promise<User> {
  const now = new Date();
  const profileData = {
    givenName: str(profile.givenName), familyName: str(profile.familyName),
    name: str(profile.name) || [str(profile.givenName), str(profile.familyName)].filter(Boolean).join(" "),
    groups: profile.groups.slice(0, 100).map((g) => str(g)), customAttributes: profile.customAttributes as object,
  };
  const existing = await userByEmail(tx, profile.email);
  if (existing) {
    return tx.user.update({ where: { id: existing.id }, data: { ...profileData, emailVerified: existing.emailVerified || profile.emailVerified, updateTime: now } });
  }
  return tx.user.create({
    data: {
      id: newId("usr"), profileId: newId("usp"), email: profile.email, emailKey: profile.email.toLowerCase(),
      emailVerified: profile.emailVerified, ...profileData, createTime: now, updateTime: now,
    },
  });
}

/** The memberships a login can land in: active ones and invitations still valid. */
export async function loginMemberships(tx: Tx | ServiceDeps["db"], userId: string): Promise<(Membership & { organization: Organization })[]> {
  const rows = await tx.membership.findMany({ where: { userId }, include: { organization: true }, orderBy: { createdAt: "asc" } });
  return rows.filter((m) => { const s = statusOf(m); return s === ACTIVE || s === PENDING_INVITE; });
}

/** Makes the user an active member of `organizationId`: accepts a pending invitation, or adds the membership. */
export async function ensureActiveMember(tx: Tx, deps: ServiceDeps, organizationId: string, user: User, o: { mayJoin: boolean }): Promise<Organization | undefined> {
  const org = await lockOrganization(tx, { id: organizationId });
  const m = await tx.membership.findUnique({ where: { organizationId_userId: { organizationId, userId: user.id } } });
  if (m && statusOf(m) === ACTIVE) return org;
  if (m && statusOf(m) === PENDING_INVITE) {
    const now = new Date();
    await tx.membership.update({
      where: { organizationId_userId: { organizationId, userId: user.id } },
      data: { status: ACTIVE, acceptedAt: now, joinTime: now, inviteToken: null },
    });
    await emitMembershipEvent(deps.outbox, tx, "user.organization_membership_updated", org, user, deps.environmentId);
    return org;
  }
  if (!o.mayJoin) return undefined;
  if (m) await tx.membership.delete({ where: { organizationId_userId: { organizationId, userId: user.id } } }); // an expired or inactive one
  await addMembership(tx, deps.outbox, deps.environmentId, deps.config.environmentUrl, { org, user, roleNames: [], metadata: {}, invite: false });
  return org;
}

/** Signup: a user and an organization of their own, with the default member role, and user.signup. */
export async function signUp(tx: Tx, deps: ServiceDeps, email: string, organizationName: string | undefined): Promise<{ user: User; org: Organization }> {
  const now = new Date();
  const user = (await userByEmail(tx, email)) ?? await tx.user.create({
    data: { id: newId("usr"), profileId: newId("usp"), email, emailKey: email.toLowerCase(), emailVerified: true, createTime: now, updateTime: now },
  });
  const name = str(organizationName, 200) || `${email.slice(0, email.indexOf("@"))}'s organization`;
  const org = await tx.organization.create({ data: { id: newId("org"), displayName: name, createTime: now, updateTime: now } });
  await addMembership(tx, deps.outbox, deps.environmentId, deps.config.environmentUrl, { org, user, roleNames: [], metadata: {}, invite: false });
  await deps.outbox.emit(tx, {
    type: "user.signup", object: "OrgMembership", organizationId: org.id,
    data: { organization: organizationJson(org), user: userEventJson(user, deps.environmentId) },
  });
  return { user, org };
}

/** The connection's organization for an SSO login (environment connections have none). */
export function organizationOfConnection(c: Connection): string | null {
  return c.organizationId;
}
