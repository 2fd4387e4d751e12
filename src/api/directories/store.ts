// Finding and locking directories, loading what their messages show (secrets and totals counted from the users
// and groups, in a fixed number of queries per page), and the events directory changes write.
import type { Directory as DirectoryRow, DirectoryGroup as GroupRow, DirectoryUser as UserRow } from "../../generated/prisma/client.js";
import type { Db } from "../../db/client.js";
import type { Tx } from "../../db/tx.js";
import type { Outbox } from "../../events/outbox.js";
import { invalidArgument, notFound } from "../../protocol/errors.js";
import type { Ref } from "../../scim/resources.js";
import { directoryEventData, type DirectoryView, type GroupView, type UserView } from "./mapping.js";

type Reader = Db | Tx;

export function checkIds(organizationId: string, directoryId: string, field = "id"): void {
  if (!organizationId) throw invalidArgument("organization_id", "is required");
  if (!directoryId) throw invalidArgument(field, "is required");
}

async function organizationMustExist(db: Reader, organizationId: string): Promise<void> {
  if (!(await db.organization.findUnique({ where: { id: organizationId }, select: { id: true } })))
    throw notFound("organization", organizationId);
}

/** The directory of that organization; 404 names the organization when it is the one missing. */
export async function findDirectory(db: Reader, organizationId: string, id: string, field = "id"): Promise<DirectoryRow> {
  checkIds(organizationId, id, field);
  const row = await db.directory.findUnique({ where: { id } });
  if (!row || row.organizationId !== organizationId) {
    await organizationMustExist(db, organizationId);
    throw notFound("directory", id);
  }
  return row;
}

/** The directory with a row lock held until the transaction ends, so changes to it apply one by one. */
export async function lockDirectory(tx: Tx, organizationId: string, id: string, field = "id"): Promise<DirectoryRow> {
  checkIds(organizationId, id, field);
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM directories WHERE id = ${id} AND organization_id = ${organizationId} FOR UPDATE`;
  if (!locked.length) {
    await organizationMustExist(tx, organizationId);
    throw notFound("directory", id);
  }
  return tx.directory.findUniqueOrThrow({ where: { id } });
}

export async function directoryViews(db: Reader, rows: DirectoryRow[]): Promise<DirectoryView[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const [secrets, users, groups] = await Promise.all([
    db.directorySecret.findMany({ where: { directoryId: { in: ids } }, orderBy: { id: "asc" } }),
    db.directoryUser.groupBy({ by: ["directoryId"], where: { directoryId: { in: ids } }, _count: { _all: true }, _max: { updateTime: true } }),
    db.directoryGroup.groupBy({ by: ["directoryId"], where: { directoryId: { in: ids } }, _count: { _all: true }, _max: { updateTime: true } }),
  ]);
  return rows.map((row) => {
    const u = users.find((x) => x.directoryId === row.id);
    const g = groups.find((x) => x.directoryId === row.id);
    return {
      row, secrets: secrets.filter((s) => s.directoryId === row.id),
      stats: { users: u?._count._all ?? 0, groups: g?._count._all ?? 0, userUpdatedAt: u?._max.updateTime ?? null, groupUpdatedAt: g?._max.updateTime ?? null },
    };
  });
}

export async function directoryView(db: Reader, row: DirectoryRow): Promise<DirectoryView> {
  return (await directoryViews(db, [row]))[0];
}

/** Groups with their members (as references), in two queries. */
export async function groupViews(db: Reader, rows: GroupRow[]): Promise<GroupView[]> {
  if (!rows.length) return [];
  const members = await db.directoryGroupMember.findMany({
    where: { groupId: { in: rows.map((r) => r.id) } }, include: { user: { select: { id: true, userName: true } } }, orderBy: { userId: "asc" },
  });
  return rows.map((row) => ({ row, members: members.filter((m) => m.groupId === row.id).map((m) => ({ id: m.user.id, display: m.user.userName })) }));
}

/** Users with the groups they belong to (and each group's member count), in three queries. */
export async function userViews(db: Reader, rows: UserRow[]): Promise<UserView[]> {
  if (!rows.length) return [];
  const memberships = await db.directoryGroupMember.findMany({
    where: { userId: { in: rows.map((r) => r.id) } }, include: { group: true }, orderBy: { groupId: "asc" },
  });
  const groupIds = [...new Set(memberships.map((m) => m.groupId))];
  const counts = groupIds.length
    ? await db.directoryGroupMember.groupBy({ by: ["groupId"], where: { groupId: { in: groupIds } }, _count: { _all: true } })
    : [];
  const countOf = (id: string) => counts.find((c) => c.groupId === id)?._count._all ?? 0;
  return rows.map((row) => ({
    row,
    groups: memberships.filter((m) => m.userId === row.id).map((m) => ({ id: m.group.id, display: m.group.displayName, row: m.group, totalUsers: countOf(m.groupId) })),
  }));
}

export async function groupsOfUser(db: Reader, userId: string): Promise<Ref[]> {
  const rows = await db.directoryGroupMember.findMany({ where: { userId }, include: { group: { select: { id: true, displayName: true } } }, orderBy: { groupId: "asc" } });
  return rows.map((r) => ({ id: r.group.id, display: r.group.displayName }));
}

export type DirectoryEventType = "organization.directory_enabled" | "organization.directory_disabled";

export function emitDirectoryEvent(outbox: Outbox, tx: Tx, type: DirectoryEventType, row: DirectoryRow) {
  return outbox.emit(tx, { type, object: "Directory", organizationId: row.organizationId, data: directoryEventData(row) });
}
