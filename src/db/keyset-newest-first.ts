// Newest-first keyset pages (Scalekit's cloud lists organizations this way): the same keysetPage over a source
// whose "ascending" is descending by id. Swapping the range bounds and the direction keeps every property of
// keyset paging (no duplicates or gaps across inserts and deletes, prev/next tokens) in the new order.
import type { IdRange, KeysetSource } from "./keyset-page.js";

export function newestFirst<T extends { id: string }>(src: KeysetSource<T>): KeysetSource<T> {
  return {
    count: () => src.count(),
    rows: (range: IdRange, order, take) =>
      src.rows({ ...(range.gt ? { lt: range.gt } : {}), ...(range.lt ? { gt: range.lt } : {}) }, order === "asc" ? "desc" : "asc", take),
  };
}
