// SCIM Groups of one directory and their members. A PATCH runs on the group with its members as [{value}], so
// every member operation (add, remove by value list or by filter, replace) is the generic patch; the member set
// that results is then written as the difference to what was stored.
import type { DirectoryGroup as GroupRow, Prisma } from "../generated/prisma/client.js";
import { inTransaction, type Tx } from "../db/tx.js";
import { newId } from "../protocol/ids.js";
import { directoryGroupEventData } from "../api/directories/mapping.js";
import { badRequest, scimNotFound } from "./errors.js";
import { applyPatch } from "./patch.js";
import { GROUP_SCHEMA, parseFilter, sameJson, type JsonObject } from "./paths.js";
import { groupFromBody, groupJson, type Ref } from "./resources.js";
import { membershipsChanged, touchDirectory, type ScimContext } from "./users.js";

export type GroupEventType = "organization.directory.group_created" | "organization.directory.group_updated" | "organization.directory.group_deleted";

async function emitGroup(c: ScimContext, tx: Tx, type: GroupEventType, row: GroupRow): Promise<void> {
  await c.outbox.emit(tx, {
    type, object: "DirectoryGroup", organizationId: row.organizationId,
    data: directoryGroupEventData(row, type === "organization.directory.group_deleted"),
  });
}

async function membersOf(db: Tx | ScimContext["db"], groupId: string): Promise<Ref[]> {
  const rows = await db.directoryGroupMember.findMany({ where: { groupId }, include: { user: { select: { id: true, userName: true } } }, orderBy: { userId: "asc" } });
  return rows.map((r) => ({ id: r.user.id, display: r.user.userName }));
}

/** Every member must be a user of this directory (members naming groups are not supported). */
async function checkMembers(tx: Tx, c: ScimContext, ids: string[]): Promise<void> {
  if (!ids.length) return;
  const found = await tx.directoryUser.findMany({ where: { id: { in: ids }, directoryId: c.dir.id }, select: { id: true } });
  const missing = ids.filter((id) => !found.some((f) => f.id === id));
  if (missing.length) throw badRequest("invalidValue", `members must be users of this directory; unknown: ${missing.join(", ")}`);
}

/** Writes the member set as a difference; returns the users who joined or left (for their user_updated events). */
async function setMembers(tx: Tx, c: ScimContext, groupId: string, before: string[], after: string[]): Promise<string[]> {
  const added = after.filter((id) => !before.includes(id));
  const removed = before.filter((id) => !after.includes(id));
  await checkMembers(tx, c, added);
  if (added.length) await tx.directoryGroupMember.createMany({ data: added.map((userId) => ({ groupId, userId })), skipDuplicates: true });
  if (removed.length) await tx.directoryGroupMember.deleteMany({ where: { groupId, userId: { in: removed } } });
  return [...added, ...removed];
}

async function lockGroup(tx: Tx, c: ScimContext, id: string): Promise<GroupRow> {
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM directory_groups WHERE id = ${id} AND directory_id = ${c.dir.id} FOR UPDATE`;
  if (!locked.length) throw scimNotFound("Group", id);
  return tx.directoryGroup.findUniqueOrThrow({ where: { id } });
}

export async function createGroup(c: ScimContext, body: unknown): Promise<{ row: GroupRow; json: JsonObject }> {
  const g = groupFromBody(body);
  return inTransaction(c.db, async (tx) => {
    const row = await tx.directoryGroup.create({
      data: { id: newId("dirgroup"), directoryId: c.dir.id, organizationId: c.dir.organizationId, displayName: g.displayName, externalId: g.externalId, resource: g.resource },
    });
    const joined = await setMembers(tx, c, row.id, [], g.memberIds ?? []);
    await touchDirectory(tx, c.dir);
    await emitGroup(c, tx, "organization.directory.group_created", row);
    await membershipsChanged(c, tx, joined);
    return { row, json: groupJson(row, await membersOf(tx, row.id), c.base) };
  });
}

export async function getGroup(c: ScimContext, id: string): Promise<{ row: GroupRow; json: JsonObject }> {
  const row = await c.db.directoryGroup.findFirst({ where: { id, directoryId: c.dir.id } });
  if (!row) throw scimNotFound("Group", id);
  return { row, json: groupJson(row, await membersOf(c.db, row.id), c.base) };
}

/** PUT replaces attributes and members (absent members means none); PATCH applies operations to both. */
export async function changeGroup(c: ScimContext, id: string, body: unknown, mode: "replace" | "patch"): Promise<{ row: GroupRow; json: JsonObject }> {
  return inTransaction(c.db, async (tx) => {
    const current = await lockGroup(tx, c, id);
    const before = (await membersOf(tx, id)).map((m) => m.id);
    let next;
    if (mode === "patch") {
      const patched = applyPatch({ ...(current.resource as JsonObject), members: before.map((value) => ({ value })) }, body, GROUP_SCHEMA);
      next = groupFromBody(patched);
    } else next = groupFromBody(body);
    const moved = await setMembers(tx, c, id, before, next.memberIds ?? []);
    const resourceChanged = !sameJson(next.resource, current.resource);
    if (!moved.length && !resourceChanged) return { row: current, json: groupJson(current, await membersOf(tx, id), c.base) };
    const row = await tx.directoryGroup.update({
      where: { id }, data: { resource: next.resource, displayName: next.displayName, externalId: next.externalId, version: { increment: 1 }, updateTime: new Date() },
    });
    await touchDirectory(tx, c.dir);
    await emitGroup(c, tx, "organization.directory.group_updated", row);
    // a rename changes every member's groups too, not only the members who moved
    await membershipsChanged(c, tx, current.displayName !== next.displayName ? [...new Set([...moved, ...(next.memberIds ?? [])])] : moved);
    return { row, json: groupJson(row, await membersOf(tx, id), c.base) };
  });
}

export async function deleteGroup(c: ScimContext, id: string): Promise<void> {
  await inTransaction(c.db, async (tx) => {
    const row = await lockGroup(tx, c, id);
    const members = (await membersOf(tx, id)).map((m) => m.id);
    await tx.directoryGroup.delete({ where: { id } });
    await touchDirectory(tx, c.dir);
    await emitGroup(c, tx, "organization.directory.group_deleted", row);
    await membershipsChanged(c, tx, members);
  });
}

/** Filters on displayName (case-insensitive), externalId and id, joined by `and`. */
export function groupFilter(text: string | undefined): Prisma.DirectoryGroupWhereInput[] {
  if (!text) return [];
  return parseFilter(text).map(({ attr, value }) => {
    if (typeof value !== "string") throw badRequest("invalidFilter", `${attr} is compared with a string`);
    switch (attr.toLowerCase()) {
      case "displayname": return { displayName: { equals: value, mode: "insensitive" } };
      case "externalid": return { externalId: value };
      case "id": return { id: value };
      default: throw badRequest("invalidFilter", `filtering Groups on ${attr} is not supported (displayName, externalId, id)`);
    }
  });
}

export async function listGroups(c: ScimContext, filter: string | undefined, startIndex: number, count: number, withMembers: boolean) {
  const where: Prisma.DirectoryGroupWhereInput = { AND: [{ directoryId: c.dir.id }, ...groupFilter(filter)] };
  const [total, rows] = await Promise.all([
    c.db.directoryGroup.count({ where }),
    count ? c.db.directoryGroup.findMany({ where, orderBy: { id: "asc" }, skip: startIndex - 1, take: count }) : Promise.resolve([]),
  ]);
  const members = rows.length && withMembers
    ? await c.db.directoryGroupMember.findMany({ where: { groupId: { in: rows.map((r) => r.id) } }, include: { user: { select: { id: true, userName: true } } }, orderBy: { userId: "asc" } })
    : [];
  return { total, resources: rows.map((r) => groupJson(r, members.filter((m) => m.groupId === r.id).map((m) => ({ id: m.user.id, display: m.user.userName })), c.base)) };
}
