// What makes an endpoint definition valid, shared by start-up configuration and the local API so both refuse
// the same things with the same words.
import { webhookSecretProblem } from "./signing.js";

export const MAX_URL_LENGTH = 2048;
export const MAX_FILTER_ITEMS = 100;

/** The problem with a receiver URL, or undefined. Only http(s): the worker must never speak another protocol. */
export function urlProblem(raw: string): string | undefined {
  if (!raw) return "is required";
  if (raw.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  let u: URL;
  try { u = new URL(raw); } catch { return "must be an absolute http:// or https:// URL"; }
  if (u.protocol !== "http:" && u.protocol !== "https:") return "must use http or https";
  if (!u.hostname) return "must name a host";
  return undefined;
}

const EVENT_TYPE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

export function eventTypesProblem(types: unknown): string | undefined {
  if (!Array.isArray(types)) return "must be an array of event types";
  if (types.length > MAX_FILTER_ITEMS) return `must have at most ${MAX_FILTER_ITEMS} entries`;
  const bad = types.find((t) => typeof t !== "string" || !EVENT_TYPE.test(t));
  return bad === undefined ? undefined : `"${String(bad)}" is not an event type such as organization.created`;
}

export function organizationIdsProblem(ids: unknown): string | undefined {
  if (!Array.isArray(ids)) return "must be an array of organization ids";
  if (ids.length > MAX_FILTER_ITEMS) return `must have at most ${MAX_FILTER_ITEMS} entries`;
  const bad = ids.find((t) => typeof t !== "string" || !/^org_[A-Za-z0-9]{1,28}$/.test(t));
  return bad === undefined ? undefined : `"${String(bad)}" is not an organization id`;
}

export function secretProblem(secret: unknown): string | undefined {
  if (typeof secret !== "string") return "must be a string";
  return webhookSecretProblem(secret);
}

/** "0,5s,5m,30m,2h" -> milliseconds; a bare number is seconds. */
export function parseDurations(raw: string): number[] | undefined {
  const parts = raw.split(",").map((p) => p.trim());
  const out: number[] = [];
  for (const p of parts) {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(p);
    if (!m) return undefined;
    const n = Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const)[(m[2] ?? "s") as "ms" | "s" | "m" | "h"];
    out.push(Math.round(n));
  }
  return out;
}
