// Rows <-> messages for every Organizations method, and the event data. Event data is the organization exactly
// as REST shows it (the same toJson options as the transcoder), so a webhook and a GET cannot drift apart.
import { create, toJson, type JsonObject, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Organization as OrganizationRow, PortalLink as PortalLinkRow } from "../../generated/prisma/client.js";
import { commons, organizations } from "../../protocol/descriptors.js";

export type Organization = organizations.Organization;
export interface Feature { name: string; enabled: boolean }

export function featuresOf(row: OrganizationRow): Feature[] {
  return Array.isArray(row.features) ? (row.features as unknown as Feature[]) : [];
}

export function metadataOf(row: OrganizationRow): Record<string, string> {
  return row.metadata && typeof row.metadata === "object" && !Array.isArray(row.metadata)
    ? (row.metadata as Record<string, string>)
    : {};
}

export function organizationMessage(row: OrganizationRow): Organization {
  return create(organizations.OrganizationSchema, {
    id: row.id,
    displayName: row.displayName,
    regionCode: row.regionCode as commons.RegionCode,
    externalId: row.externalId ?? undefined,
    metadata: metadataOf(row),
    // always present, so clients see `settings.features: []` rather than a missing object
    settings: { features: featuresOf(row) },
    slug: row.slug ?? undefined,
    logoUrl: row.logoUrl ?? undefined,
    createTime: timestampFromDate(row.createTime),
    updateTime: timestampFromDate(row.updateTime),
  });
}

export function organizationJson(row: OrganizationRow): JsonObject {
  return toJson(organizations.OrganizationSchema, organizationMessage(row), { useProtoFieldName: true, alwaysEmitImplicit: true }) as JsonObject;
}

export function linkMessage(row: PortalLinkRow): MessageInitShape<typeof organizations.LinkSchema> {
  return { id: row.id, location: row.location, expireTime: timestampFromDate(row.expireTime) };
}

/** Stored shape of user-management settings; absent keys are "not set" (the feature is off). */
export interface UserManagementSettings { max_allowed_users?: number }

export function userManagementOf(row: OrganizationRow): UserManagementSettings {
  const v = row.userManagement as UserManagementSettings | null;
  return v && typeof v === "object" ? v : {};
}

export function userManagementMessage(s: UserManagementSettings): MessageInitShape<typeof organizations.OrganizationUserManagementSettingsSchema> {
  return s.max_allowed_users === undefined ? {} : { maxAllowedUsers: s.max_allowed_users };
}

/** Stored session policy. Timeouts are kept in minutes, the unit every response reports. */
export type SessionPolicy =
  | { policy_source: "APPLICATION" }
  | { policy_source: "CUSTOM"; absolute_minutes: number; idle_enabled: boolean; idle_minutes?: number };

export function sessionPolicyOf(row: OrganizationRow): SessionPolicy {
  const v = row.sessionPolicy as SessionPolicy | null;
  return v && typeof v === "object" && v.policy_source === "CUSTOM" ? v : { policy_source: "APPLICATION" };
}

export function sessionPolicyMessage(p: SessionPolicy): MessageInitShape<typeof organizations.OrganizationSessionPolicySettingsSchema> {
  if (p.policy_source === "APPLICATION") return { policySource: organizations.SessionPolicyType.APPLICATION };
  return {
    policySource: organizations.SessionPolicyType.CUSTOM,
    absoluteSessionTimeout: p.absolute_minutes,
    absoluteSessionTimeoutUnit: commons.TimeUnit.MINUTES,
    idleSessionTimeoutEnabled: p.idle_enabled,
    ...(p.idle_enabled && p.idle_minutes !== undefined
      ? { idleSessionTimeout: p.idle_minutes, idleSessionTimeoutUnit: commons.TimeUnit.MINUTES }
      : {}),
  };
}
