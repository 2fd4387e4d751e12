// Scalekit-style ids: prefix + 18 decimal digits, time-ordered. The number is milliseconds since 2020-01-01
// shifted left 20 bits plus a random start and a per-process sequence, so ids sort by creation time
// (keyset pagination relies on it), stay fixed-width until 2050, and replicas practically never collide
// (the primary key would refuse it if they did).
import { randomInt } from "node:crypto";

const EPOCH_MS = 1_577_836_800_000n; // 2020-01-01T00:00:00Z
let last = 0n;

export function newIdNumber(now = Date.now()): bigint {
  let n = ((BigInt(now) - EPOCH_MS) << 20n) + BigInt(randomInt(0, 1 << 19));
  if (n <= last) n = last + 1n;
  last = n;
  return n;
}

export function newId(prefix: string): string {
  return `${prefix}_${newIdNumber().toString().padStart(18, "0")}`;
}

/** True for ids this server could have issued with the given prefix (cheap pre-check before a lookup). */
export function looksLikeId(prefix: string, value: string): boolean {
  return value.startsWith(`${prefix}_`) && /^[0-9]{18}$/.test(value.slice(prefix.length + 1));
}
