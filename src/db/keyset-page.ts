// Keyset pagination over time-ordered ids: a page is "ids after X" or "ids before X", so inserts and deletes
// between requests never shift a page (no duplicates, no gaps), unlike offsets.
import { decodePageToken, encodePageToken } from "../protocol/page-token.js";

export interface IdRange { gt?: string; lt?: string }

export interface KeysetSource<T extends { id: string }> {
  /** all matches, regardless of pagination */
  count(): Promise<number>;
  /** up to `take` matches inside `range`, ordered by id in `order` */
  rows(range: IdRange, order: "asc" | "desc", take: number): Promise<T[]>;
}

export interface Page<T> { items: T[]; totalSize: number; nextPageToken: string; prevPageToken: string }

export async function keysetPage<T extends { id: string }>(src: KeysetSource<T>, pageSize: number, pageToken: string): Promise<Page<T>> {
  const cursor = decodePageToken(pageToken);
  const exists = async (range: IdRange) => (await src.rows(range, range.gt ? "asc" : "desc", 1)).length > 0;
  const total = src.count(); // independent of the page: runs alongside it on PostgreSQL
  total.catch(() => {}); // awaited below; this only keeps an early failure of the page query from leaving it unhandled

  let items: T[];
  let hasNext: boolean;
  let hasPrev: boolean;
  if (cursor && "before" in cursor) {
    const rows = await src.rows({ lt: cursor.before }, "desc", pageSize + 1);
    items = rows.slice(0, pageSize).reverse();
    hasPrev = rows.length > pageSize;
    hasNext = items.length > 0 && await exists({ gt: items[items.length - 1].id });
  } else {
    const rows = await src.rows(cursor ? { gt: cursor.after } : {}, "asc", pageSize + 1);
    items = rows.slice(0, pageSize);
    hasNext = rows.length > pageSize;
    // a page reached by "after" is the first one only if nothing precedes it any more
    hasPrev = !!cursor && items.length > 0 && await exists({ lt: items[0].id });
  }
  return {
    items, totalSize: await total,
    nextPageToken: hasNext ? encodePageToken({ after: items[items.length - 1].id }) : "",
    prevPageToken: hasPrev ? encodePageToken({ before: items[0].id }) : "",
  };
}

/** What keyset paging needs of a Prisma model (`db.user`, `tx.webhookDelivery`, ...); the row type is inferred. */
export interface KeysetModel<T> {
  count(args: { where: any }): PromiseLike<number>;
  findMany(args: { where: any; orderBy: { id: "asc" | "desc" }; take: number }): PromiseLike<T[]>;
}

/**
 * The keyset source of one Prisma model: rows matching `where`, in id order, e.g.
 * `keysetPage(prismaKeyset(db.user, where), size, token)`. With `include`/`select` the row type changes, so the
 * caller names it: `prismaKeyset<ClientWithSecrets>(db.apiClient, where, { include: { secrets: true } })`.
 */
export function prismaKeyset<T extends { id: string }>(model: KeysetModel<T>, where?: object): KeysetSource<T>;
export function prismaKeyset<T extends { id: string }>(model: KeysetModel<unknown>, where: object, args: { include?: object; select?: object }): KeysetSource<T>;
export function prismaKeyset<T extends { id: string }>(model: KeysetModel<unknown>, where: object = {}, args: object = {}): KeysetSource<T> {
  return {
    count: () => Promise.resolve(model.count({ where })),
    rows: async (range, order, take) =>
      (await model.findMany({ ...args, where: { AND: [where, { id: range }] }, orderBy: { id: order }, take })) as T[],
  };
}
