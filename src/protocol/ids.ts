// Scalekit-style ids: prefix + 18 decimal digits, time-ordered. The number is milliseconds since 2020-01-01
// shifted left 20 bits plus a random start and a per-process sequence, so ids sort by creation time
// (keyset pagination relies on it), stay fixed-width until 2050, and replicas practically never collide
// (the primary key would refuse it if they did).
import { AsyncLocalStorage } from "node:async_hooks";
import { randomInt } from "node:crypto";

const EPOCH_MS = 1_577_836_800_000n; // 2020-01-01T00:00:00Z
let last = 0n;

export function newIdNumber(now = Date.now()): bigint {
  let n = ((BigInt(now) - EPOCH_MS) << 20n) + BigInt(randomInt(0, 1 << 19));
  if (n <= last) n = last + 1n;
  last = n;
  return n;
}

/** ids a caller fixed in advance (a seed file's `id:`), consumed by the next newId() of their prefix in that call */
const fixed = new AsyncLocalStorage<Map<string, string>>();

export function withFixedIds<T>(ids: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const m = new Map<string, string>();
  for (const [prefix, id] of Object.entries(ids)) if (id) m.set(prefix, id);
  return fixed.run(m, fn);
}

export function newId(prefix: string): string {
  const m = fixed.getStore();
  const given = m?.get(prefix);
  if (given !== undefined) { m!.delete(prefix); return given; }
  return `${prefix}_${newIdNumber().toString().padStart(18, "0")}`;
}

/** True for ids this server could have issued with the given prefix (cheap pre-check before a lookup). */
export function looksLikeId(prefix: string, value: string): boolean {
  return value.startsWith(`${prefix}_`) && /^[0-9]{18}$/.test(value.slice(prefix.length + 1));
}
