// The SCIM representation of directory users and groups: what a client's body becomes when stored (server-owned
// attributes dropped, the columns used by filters and listings extracted) and what is sent back (id, groups or
// members, meta). The same rendering is the raw payload of ListDirectoryUsers/Groups' user_detail/group_detail.
import type { DirectoryGroup as GroupRow, DirectoryUser as UserRow } from "../generated/prisma/client.js";
import { badRequest } from "./errors.js";
import { GROUP_SCHEMA, USER_SCHEMA, deleteAttr, getAttr, isObject, type JsonObject } from "./paths.js";

export interface UserColumns {
  userName: string; userNameKey: string; externalId: string | null; active: boolean;
  email: string; givenName: string; familyName: string;
}

/** A reference to a group or member: {value, display, $ref}. */
export interface Ref { id: string; display: string }

const SERVER_OWNED = ["id", "meta"];

function stripped(body: unknown, extra: string[]): JsonObject {
  if (!isObject(body)) throw badRequest("invalidSyntax", "the body must be a JSON object");
  const out = structuredClone(body);
  for (const k of [...SERVER_OWNED, ...extra]) deleteAttr(out, k);
  return out;
}

/** Azure sends booleans as "True"/"False" strings. */
function bool(v: unknown, fallback: boolean): boolean {
  if (typeof v === "boolean") return v;
  if (typeof v === "string" && /^(true|false)$/i.test(v)) return v.toLowerCase() === "true";
  if (v === undefined || v === null) return fallback;
  throw badRequest("invalidValue", "active must be a boolean");
}

function optionalString(v: unknown, name: string): string | null {
  if (v === undefined || v === null || v === "") return null;
  if (typeof v !== "string") throw badRequest("invalidValue", `${name} must be a string`);
  return v;
}

/** The stored form of a User body and its extracted columns; userName is required (RFC 7643 §4.1). */
export function userFromBody(body: unknown): { resource: JsonObject; columns: UserColumns } {
  // password is writeOnly and returned never (RFC 7643 §4.1.1): this server does not keep it at all
  const resource = stripped(body, ["groups", "password"]);
  const userName = getAttr(resource, "userName");
  if (typeof userName !== "string" || !userName.trim()) throw badRequest("invalidValue", "userName is required");
  if (userName.length > 512) throw badRequest("invalidValue", "userName must be at most 512 characters");
  const schemas = getAttr(resource, "schemas");
  const list = Array.isArray(schemas) ? schemas.filter((s) => typeof s === "string") : [];
  if (!list.includes(USER_SCHEMA)) list.unshift(USER_SCHEMA);
  resource[Object.keys(resource).find((k) => k.toLowerCase() === "schemas") ?? "schemas"] = list;
  const active = bool(getAttr(resource, "active"), true);
  if (getAttr(resource, "active") !== undefined) resource[Object.keys(resource).find((k) => k.toLowerCase() === "active")!] = active;
  const emails = getAttr(resource, "emails");
  const emailList = Array.isArray(emails) ? emails.filter(isObject) : [];
  const primary = emailList.find((e) => bool(getAttr(e, "primary"), false)) ?? emailList[0];
  const emailValue = typeof getAttr(primary, "value") === "string" ? getAttr(primary, "value") : userName.includes("@") ? userName : "";
  const name = getAttr(resource, "name");
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  return {
    resource,
    columns: {
      userName, userNameKey: userName.toLowerCase(), externalId: optionalString(getAttr(resource, "externalId"), "externalId"),
      active, email: emailValue, givenName: str(getAttr(name, "givenName")), familyName: str(getAttr(name, "familyName")),
    },
  };
}

/** The stored form of a Group body, with the member ids it names (validated by the caller). */
export function groupFromBody(body: unknown): { resource: JsonObject; displayName: string; externalId: string | null; memberIds: string[] | undefined } {
  const raw = isObject(body) ? getAttr(body, "members") : undefined;
  const resource = stripped(body, ["members"]);
  const displayName = getAttr(resource, "displayName");
  if (typeof displayName !== "string" || !displayName.trim()) throw badRequest("invalidValue", "displayName is required");
  if (displayName.length > 512) throw badRequest("invalidValue", "displayName must be at most 512 characters");
  const schemas = getAttr(resource, "schemas");
  const list = Array.isArray(schemas) ? schemas.filter((s) => typeof s === "string") : [];
  if (!list.includes(GROUP_SCHEMA)) list.unshift(GROUP_SCHEMA);
  resource[Object.keys(resource).find((k) => k.toLowerCase() === "schemas") ?? "schemas"] = list;
  let memberIds: string[] | undefined;
  if (raw !== undefined && raw !== null) {
    if (!Array.isArray(raw)) throw badRequest("invalidValue", "members must be an array");
    memberIds = [...new Set(raw.map((m) => {
      const v = getAttr(m, "value");
      if (typeof v !== "string" || !v) throw badRequest("invalidValue", "every member needs a value (the user's id)");
      return v;
    }))];
  }
  return { resource, displayName, externalId: optionalString(getAttr(resource, "externalId"), "externalId"), memberIds };
}

const version = (n: number) => `W/"${n}"`;

export function userJson(row: UserRow, groups: Ref[], base: string): JsonObject {
  const resource = row.resource as JsonObject;
  return {
    ...resource,
    id: row.id,
    groups: groups.map((g) => ({ value: g.id, display: g.display, $ref: `${base}/Groups/${g.id}`, type: "direct" })),
    meta: { resourceType: "User", created: row.createTime.toISOString(), lastModified: row.updateTime.toISOString(), location: `${base}/Users/${row.id}`, version: version(row.version) },
  };
}

export function groupJson(row: GroupRow, members: Ref[], base: string): JsonObject {
  const resource = row.resource as JsonObject;
  return {
    ...resource,
    id: row.id,
    members: members.map((m) => ({ value: m.id, display: m.display, $ref: `${base}/Users/${m.id}`, type: "User" })),
    meta: { resourceType: "Group", created: row.createTime.toISOString(), lastModified: row.updateTime.toISOString(), location: `${base}/Groups/${row.id}`, version: version(row.version) },
  };
}

export function etag(row: { version: number }): string {
  return version(row.version);
}
