// Rows <-> messages for every User method, and the event data. Event data is the user and organization exactly as
// REST shows them (the same toJson options as the transcoder), so a webhook and a GET cannot drift apart.
import { create, toJson, type JsonObject } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Membership as MembershipRow, User as UserRow } from "../../generated/prisma/client.js";
import { commons, users } from "../../protocol/descriptors.js";

export interface RoleRef { id: string; name: string; displayName: string }
/** A membership with the roles it holds (its role_assignments rows). */
export interface MembershipView {
  row: MembershipRow; roles: RoleRef[]; organizationName: string | null;
  /** effective permission names of the roles held, inherited ones included */
  permissions: string[];
}
export interface UserView { row: UserRow; memberships: MembershipView[] }

export function mapOf(v: unknown): Record<string, string> {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, string>) : {};
}

const ts = (d: Date | null) => (d ? timestampFromDate(d) : undefined);

/** A pending invitation past its expiry reads as expired; nothing has to run at the moment it lapses. */
export function statusOf(row: MembershipRow, now = new Date()): commons.MembershipStatus {
  const { PENDING_INVITE, INVITE_EXPIRED } = commons.MembershipStatus;
  return row.status === PENDING_INVITE && row.expiresAt && row.expiresAt <= now ? INVITE_EXPIRED : (row.status as commons.MembershipStatus);
}

export function membershipMessage(m: MembershipView): commons.OrganizationMembership {
  return create(commons.OrganizationMembershipSchema, {
    organizationId: m.row.organizationId,
    membershipStatus: statusOf(m.row),
    roles: m.roles.map((r) => ({ id: r.id, name: r.name, displayName: r.displayName })),
    permissions: m.permissions,
    name: m.organizationName ?? undefined,
    displayName: m.organizationName ?? undefined,
    metadata: mapOf(m.row.metadata),
    inviterEmail: m.row.inviterEmail ?? undefined,
    joinTime: ts(m.row.joinTime),
    createdAt: ts(m.row.createdAt),
    acceptedAt: ts(m.row.acceptedAt),
    expiresAt: ts(m.row.expiresAt),
    provisioningMethod: m.row.provisioningMethod,
  });
}

export function profileMessage(row: UserRow): commons.UserProfile {
  return create(commons.UserProfileSchema, {
    id: row.profileId,
    givenName: row.givenName,
    familyName: row.familyName,
    // the deprecated names mirror the current ones, for clients that still read them
    firstName: row.givenName,
    lastName: row.familyName,
    name: row.name,
    locale: row.locale,
    emailVerified: row.emailVerified,
    phoneNumber: row.phoneNumber,
    metadata: mapOf(row.profileMetadata),
    customAttributes: mapOf(row.customAttributes),
    preferredUsername: row.preferredUsername,
    picture: row.picture,
    groups: row.groups,
    gender: row.gender,
  });
}

export function userMessage(v: UserView, environmentId: string): users.User {
  return create(users.UserSchema, {
    id: v.row.id,
    environmentId,
    email: v.row.email,
    externalId: v.row.externalId ?? undefined,
    metadata: mapOf(v.row.metadata),
    userProfile: profileMessage(v.row),
    memberships: v.memberships.map(membershipMessage),
    createTime: timestampFromDate(v.row.createTime),
    updateTime: timestampFromDate(v.row.updateTime),
    lastLoginTime: ts(v.row.lastLoginTime),
  });
}

const JSON_OPTS = { useProtoFieldName: true, alwaysEmitImplicit: true } as const;

/** The user as webhooks show it: without memberships (the envelope's organization says which one). */
export function userEventJson(row: UserRow, environmentId: string): JsonObject {
  const json = toJson(users.UserSchema, userMessage({ row, memberships: [] }, environmentId), JSON_OPTS) as JsonObject;
  delete json.memberships;
  return json;
}
