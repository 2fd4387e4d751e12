// Rows <-> messages for every DirectoryService method, and the webhook event data. The API's DirectoryUser and
// the event's DirUser differ in shape (the event is Scalekit's flat, SCIM-derived user), so each has one
// function here and both read the same stored SCIM resource.
import { create, type JsonObject as PbJson } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type {
  Directory as DirectoryRow, DirectoryGroup as GroupRow, DirectorySecret as SecretRow, DirectoryUser as UserRow,
} from "../../generated/prisma/client.js";
import { directories } from "../../protocol/descriptors.js";
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA, getAttr, isObject, valueAt, type JsonObject } from "../../scim/paths.js";
import { groupJson, userJson, type Ref } from "../../scim/resources.js";

export interface DirectoryStats { users: number; groups: number; userUpdatedAt: Date | null; groupUpdatedAt: Date | null }
export interface DirectoryView { row: DirectoryRow; secrets: SecretRow[]; stats: DirectoryStats }
export interface StoredMapping { key: string; map_to: string; display_name?: string }
export interface StoredAssignment { group_id: string; role_name: string; role_id: string }

/** Where identity providers send SCIM requests for this directory. */
export function scimBase(environmentUrl: string, directoryId: string): string {
  return `${environmentUrl}/api/v1/directories/${directoryId}/scim/v2`;
}

const ts = (d: Date | null | undefined) => (d ? timestampFromDate(d) : undefined);

export const mappingsOf = (row: DirectoryRow): StoredMapping[] => (Array.isArray(row.attributeMappings) ? row.attributeMappings as any : []);
export const assignmentsOf = (row: DirectoryRow): StoredAssignment[] => (Array.isArray(row.roleAssignments) ? row.roleAssignments as any : []);

export function secretMessage(s: SecretRow): directories.Secret {
  return create(directories.SecretSchema, {
    id: s.id, directoryId: s.directoryId, createTime: ts(s.createTime), expireTime: ts(s.expireTime),
    lastUsedTime: ts(s.lastUsedTime), secretSuffix: s.secretSuffix, status: s.status as directories.SecretStatus,
  });
}

export function roleAssignmentsMessage(row: DirectoryRow): directories.RoleAssignments {
  return create(directories.RoleAssignmentsSchema, {
    assignments: assignmentsOf(row).map((a) => ({ groupId: a.group_id, roleName: a.role_name, roleId: a.role_id })),
  });
}

export function attributeMappingsMessage(row: DirectoryRow): directories.AttributeMappings {
  return create(directories.AttributeMappingsSchema, { attributes: mappingsOf(row).map((m) => ({ key: m.key, mapTo: m.map_to })) });
}

export function directoryMessage(v: DirectoryView, environmentUrl: string): directories.Directory {
  const { row, stats } = v;
  return create(directories.DirectorySchema, {
    id: row.id, name: row.name, organizationId: row.organizationId,
    directoryType: row.directoryType as directories.DirectoryType,
    directoryProvider: row.directoryProvider as directories.DirectoryProvider,
    enabled: row.enabled, status: row.status, email: row.email, groupsTracked: row.groupsTracked,
    lastSyncedAt: ts(row.lastSyncedAt),
    directoryEndpoint: scimBase(environmentUrl, row.id),
    totalUsers: stats.users, totalGroups: stats.groups,
    secrets: v.secrets.map(secretMessage),
    stats: { totalUsers: stats.users, totalGroups: stats.groups, userUpdatedAt: ts(stats.userUpdatedAt), groupUpdatedAt: ts(stats.groupUpdatedAt) },
    roleAssignments: roleAssignmentsMessage(row),
    attributeMappings: attributeMappingsMessage(row),
  });
}

export interface GroupView { row: GroupRow; members: Ref[] }
export interface UserView { row: UserRow; groups: (Ref & { row: GroupRow; totalUsers: number })[] }

export function directoryGroupMessage(g: GroupView, base: string, detail: boolean): directories.DirectoryGroup {
  return create(directories.DirectoryGroupSchema, {
    id: g.row.id, displayName: g.row.displayName, totalUsers: g.members.length, updatedAt: ts(g.row.updateTime),
    groupDetail: detail ? (groupJson(g.row, g.members, base) as PbJson) : undefined,
  });
}

export function directoryUserMessage(u: UserView, base: string, detail: boolean): directories.DirectoryUser {
  const emails = getAttr(u.row.resource, "emails");
  return create(directories.DirectoryUserSchema, {
    id: u.row.id, email: u.row.email, preferredUsername: u.row.userName, givenName: u.row.givenName, familyName: u.row.familyName,
    updatedAt: ts(u.row.updateTime),
    emails: Array.isArray(emails) ? emails.map((e) => getAttr(e, "value")).filter((x): x is string => typeof x === "string") : [],
    groups: u.groups.map((g) => create(directories.DirectoryGroupSchema, { id: g.id, displayName: g.display, totalUsers: g.totalUsers, updatedAt: ts(g.row.updateTime) })),
    userDetail: detail ? (userJson(u.row, u.groups, base) as PbJson) : undefined,
  });
}

// ---- webhook event data (the spec's `webhooks` examples) ----

export function directoryEventData(row: DirectoryRow): JsonObject {
  return {
    id: row.id, organization_id: row.organizationId,
    directory_type: directories.DirectoryType[row.directoryType] ?? "DIRECTORY_TYPE_UNSPECIFIED",
    provider: directories.DirectoryProvider[row.directoryProvider] ?? "DIRECTORY_PROVIDER_UNSPECIFIED",
    enabled: row.enabled, updated_at: row.updateTime.toISOString(),
  };
}

const text = (v: unknown): string | undefined => (typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined);

function pick(list: unknown): JsonObject | undefined {
  if (!Array.isArray(list)) return undefined;
  const objs = list.filter(isObject);
  return objs.find((e) => getAttr(e, "primary") === true || getAttr(e, "primary") === "True") ?? objs[0];
}

/** Scalekit's DirUser: the SCIM user flattened, its groups, the roles its groups carry and mapped custom attributes. */
export function directoryUserEventData(dir: DirectoryRow, row: UserRow, groups: Ref[]): JsonObject {
  const r = row.resource as JsonObject;
  const name = getAttr(r, "name");
  const ent = getAttr(r, ENTERPRISE_USER_SCHEMA);
  const address = pick(getAttr(r, "addresses"));
  const groupIds = new Set(groups.map((g) => g.id));
  const custom: Record<string, string> = {};
  for (const m of mappingsOf(dir)) {
    // keys are at most 32 characters (the descriptor's rule), so enterprise attributes are named without their URN
    const v = valueAt(r, m.key, USER_SCHEMA) ?? valueAt(r, `${ENTERPRISE_USER_SCHEMA}:${m.key}`, USER_SCHEMA);
    if (text(v) !== undefined) custom[m.map_to] = text(v)!;
  }
  const data: JsonObject = {
    id: row.id, organization_id: row.organizationId, dp_id: row.externalId, email: row.email,
    preferred_username: row.userName, active: row.active,
    name: text(getAttr(r, "displayName")) ?? text(getAttr(name, "formatted")) ?? [row.givenName, row.familyName].filter(Boolean).join(" "),
    given_name: row.givenName, family_name: row.familyName,
    nickname: text(getAttr(r, "nickName")), picture: text(getAttr(pick(getAttr(r, "photos")), "value")),
    phone_number: text(getAttr(pick(getAttr(r, "phoneNumbers")), "value")),
    address: address ? {
      formatted: text(getAttr(address, "formatted")), street_address: text(getAttr(address, "streetAddress")),
      locality: text(getAttr(address, "locality")), region: text(getAttr(address, "region")),
      postal_code: text(getAttr(address, "postalCode")), country: text(getAttr(address, "country")),
    } : undefined,
    groups: groups.map((g) => ({ id: g.id, name: g.display })),
    roles: assignmentsOf(dir).filter((a) => groupIds.has(a.group_id)).map((a) => ({ role_name: a.role_name })),
    custom_attributes: custom,
    cost_center: text(getAttr(ent, "costCenter")), department: text(getAttr(ent, "department")),
    division: text(getAttr(ent, "division")), employee_id: text(getAttr(ent, "employeeNumber")),
    organization: text(getAttr(ent, "organization")), title: text(getAttr(r, "title")),
    user_type: text(getAttr(r, "userType")), locale: text(getAttr(r, "locale")),
    language: text(getAttr(r, "preferredLanguage")), zoneinfo: text(getAttr(r, "timezone")),
    profile: text(getAttr(r, "profileUrl")),
    raw_attributes: r,
  };
  for (const k of Object.keys(data)) if (data[k] === undefined) delete data[k];
  return data;
}

export function directoryUserDeletedData(row: UserRow): JsonObject {
  return { id: row.id, organization_id: row.organizationId, dp_id: row.externalId, email: row.email };
}

export function directoryGroupEventData(row: GroupRow, deleted = false): JsonObject {
  return {
    id: row.id, directory_id: row.directoryId, organization_id: row.organizationId, display_name: row.displayName,
    external_id: row.externalId, raw_attributes: row.resource as JsonObject,
    ...(deleted ? { dp_id: row.externalId } : {}),
  };
}
