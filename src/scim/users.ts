// SCIM Users of one directory: every write and its webhook event commit in one transaction, and the directory's
// last_synced_at moves with it. userName is unique per directory case-insensitively, by index.
import type { Directory as DirectoryRow, DirectoryUser as UserRow, Prisma } from "../generated/prisma/client.js";
import { inTransaction, type Tx } from "../db/tx.js";
import type { Db } from "../db/client.js";
import { uniqueViolation } from "../db/unique.js";
import type { Outbox } from "../events/outbox.js";
import { newId } from "../protocol/ids.js";
import { directoryUserDeletedData, directoryUserEventData } from "../api/directories/mapping.js";
import { groupsOfUser } from "../api/directories/store.js";
import { ScimError, badRequest, scimNotFound } from "./errors.js";
import { applyPatch } from "./patch.js";
import { USER_SCHEMA, parseFilter, sameJson, type JsonObject } from "./paths.js";
import { userFromBody, userJson } from "./resources.js";

export interface ScimContext { db: Db; outbox: Outbox; dir: DirectoryRow; base: string }

export type UserEventType = "organization.directory.user_created" | "organization.directory.user_updated" | "organization.directory.user_deleted";

/** The directory saw a provisioning call: when it last synced, and that it is set up. */
export async function touchDirectory(tx: Tx, dir: DirectoryRow): Promise<void> {
  await tx.directory.update({ where: { id: dir.id }, data: { lastSyncedAt: new Date(), status: "COMPLETED" } });
}

/**
 * Users whose group memberships changed: their representation (groups) and their event data (groups, roles)
 * changed, so they get a new version and a user_updated event. Group events carry no members, so this is how a
 * webhook consumer learns who joined or left a group.
 */
export async function membershipsChanged(c: ScimContext, tx: Tx, userIds: string[]): Promise<void> {
  if (!userIds.length) return;
  await tx.directoryUser.updateMany({ where: { id: { in: userIds } }, data: { version: { increment: 1 }, updateTime: new Date() } });
  const rows = await tx.directoryUser.findMany({ where: { id: { in: userIds } }, orderBy: { id: "asc" } });
  for (const row of rows) await emitUser(c, tx, "organization.directory.user_updated", row);
}

async function emitUser(c: ScimContext, tx: Tx, type: UserEventType, row: UserRow): Promise<void> {
  const data = type === "organization.directory.user_deleted" ? directoryUserDeletedData(row) : directoryUserEventData(c.dir, row, await groupsOfUser(tx, row.id));
  await c.outbox.emit(tx, { type, object: "DirectoryUser", organizationId: row.organizationId, data });
}

function uniqueness(e: unknown, userName: string): unknown {
  return uniqueViolation(e) ? new ScimError(409, `a user with userName ${JSON.stringify(userName)} already exists in this directory`, "uniqueness") : e;
}

async function lockUser(tx: Tx, c: ScimContext, id: string): Promise<UserRow> {
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM directory_users WHERE id = ${id} AND directory_id = ${c.dir.id} FOR UPDATE`;
  if (!locked.length) throw scimNotFound("User", id);
  return tx.directoryUser.findUniqueOrThrow({ where: { id } });
}

export async function renderUser(db: Db | Tx, c: ScimContext, row: UserRow): Promise<JsonObject> {
  return userJson(row, await groupsOfUser(db, row.id), c.base);
}

export async function createUser(c: ScimContext, body: unknown): Promise<{ row: UserRow; json: JsonObject }> {
  const { resource, columns } = userFromBody(body);
  try {
    return await inTransaction(c.db, async (tx) => {
      const row = await tx.directoryUser.create({ data: { id: newId("diruser"), directoryId: c.dir.id, organizationId: c.dir.organizationId, resource, ...columns } });
      await touchDirectory(tx, c.dir);
      await emitUser(c, tx, "organization.directory.user_created", row);
      return { row, json: await renderUser(tx, c, row) };
    });
  } catch (e) {
    throw uniqueness(e, columns.userName);
  }
}

export async function getUser(c: ScimContext, id: string): Promise<{ row: UserRow; json: JsonObject }> {
  const row = await c.db.directoryUser.findFirst({ where: { id, directoryId: c.dir.id } });
  if (!row) throw scimNotFound("User", id);
  return { row, json: await renderUser(c.db, c, row) };
}

/** PUT (a full replacement) or PATCH (operations on the current representation); no change writes nothing. */
export async function changeUser(c: ScimContext, id: string, body: unknown, mode: "replace" | "patch"): Promise<{ row: UserRow; json: JsonObject }> {
  let userName = "";
  try {
    return await inTransaction(c.db, async (tx) => {
      const current = await lockUser(tx, c, id);
      const next = userFromBody(mode === "patch" ? applyPatch(current.resource as JsonObject, body, USER_SCHEMA) : body);
      userName = next.columns.userName;
      if (sameJson(next.resource, current.resource)) return { row: current, json: await renderUser(tx, c, current) };
      const row = await tx.directoryUser.update({
        where: { id }, data: { resource: next.resource, ...next.columns, version: { increment: 1 }, updateTime: new Date() },
      });
      await touchDirectory(tx, c.dir);
      await emitUser(c, tx, "organization.directory.user_updated", row);
      return { row, json: await renderUser(tx, c, row) };
    });
  } catch (e) {
    throw uniqueness(e, userName);
  }
}

export async function deleteUser(c: ScimContext, id: string): Promise<void> {
  await inTransaction(c.db, async (tx) => {
    const row = await lockUser(tx, c, id);
    await tx.directoryUser.delete({ where: { id } });
    await touchDirectory(tx, c.dir);
    await emitUser(c, tx, "organization.directory.user_deleted", row);
  });
}

/** Filters on userName (case-insensitive), externalId and id, joined by `and`. */
export function userFilter(text: string | undefined): Prisma.DirectoryUserWhereInput[] {
  if (!text) return [];
  return parseFilter(text).map(({ attr, value }) => {
    if (typeof value !== "string") throw badRequest("invalidFilter", `${attr} is compared with a string`);
    switch (attr.toLowerCase()) {
      case "username": return { userNameKey: value.toLowerCase() };
      case "externalid": return { externalId: value };
      case "id": return { id: value };
      case "emails.value": case "emails": return { email: { equals: value, mode: "insensitive" } };
      default: throw badRequest("invalidFilter", `filtering Users on ${attr} is not supported (userName, externalId, id, emails.value)`);
    }
  });
}

export async function listUsers(c: ScimContext, filter: string | undefined, startIndex: number, count: number) {
  const where: Prisma.DirectoryUserWhereInput = { AND: [{ directoryId: c.dir.id }, ...userFilter(filter)] };
  const [total, rows] = await Promise.all([
    c.db.directoryUser.count({ where }),
    count ? c.db.directoryUser.findMany({ where, orderBy: { id: "asc" }, skip: startIndex - 1, take: count }) : Promise.resolve([]),
  ]);
  const groups = rows.length
    ? await c.db.directoryGroupMember.findMany({ where: { userId: { in: rows.map((r) => r.id) } }, include: { group: { select: { id: true, displayName: true } } }, orderBy: { groupId: "asc" } })
    : [];
  return { total, resources: rows.map((r) => userJson(r, groups.filter((g) => g.userId === r.id).map((g) => ({ id: g.group.id, display: g.group.displayName })), c.base)) };
}
