// "Write + outbox event" must commit or fail together: services run both inside inTransaction().
// Inside the callback use only `tx`: on the embedded database a query through the outer client would wait for
// this very transaction to end (PGlite runs one transaction at a time).
import type { Db } from "./client.js";

export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export function inTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.$transaction(fn, { maxWait: 10_000, timeout: 20_000 });
}
