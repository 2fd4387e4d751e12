// When the next attempt of a failed delivery happens: the configured schedule with jitter (so deliveries that
// failed together do not all come back in the same second), never sooner than the receiver's Retry-After.

/** A hostile or mistaken Retry-After must not park a delivery for ever. */
export const MAX_RETRY_AFTER_MS = 24 * 3_600_000;
const JITTER = 0.1;

/**
 * Milliseconds until the next attempt after `attemptsInSchedule` attempts (counted since the delivery last
 * (re)started), or undefined when the schedule is exhausted and the delivery has failed.
 */
export function nextDelay(schedule: number[], attemptsInSchedule: number, retryAfterMs?: number, random = Math.random): number | undefined {
  if (attemptsInSchedule >= schedule.length) return undefined;
  const base = schedule[attemptsInSchedule];
  const jittered = Math.round(base * (1 + (random() * 2 - 1) * JITTER));
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
}

/** Retry-After as delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
