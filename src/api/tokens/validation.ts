// Input rules of API tokens beyond what checkRules reads from the descriptors (description ≤255, list page_size
// 0–30, organization_id ≤32 with the org_ prefix). The map rule on custom_claims (≤20 pairs, keys 1–30, values
// 1–256 characters) is a buf.validate map rule, which checkRules does not read, so it is applied here.
import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import { invalidArgument } from "../../protocol/errors.js";

const MAX_CLAIMS = 20;
const chars = (s: string) => [...s].length;

export function requireOrganizationId(field: string, value: string): string {
  if (!value) throw invalidArgument(field, "is required");
  return value;
}

export function checkClaims(field: string, claims: Record<string, string>): Record<string, string> {
  const entries = Object.entries(claims);
  if (entries.length > MAX_CLAIMS) throw invalidArgument(field, `must have at most ${MAX_CLAIMS} entries`);
  for (const [k, v] of entries) {
    if (chars(k) < 1 || chars(k) > 30) throw invalidArgument(field, `key "${k}" must be 1 to 30 characters`);
    if (chars(v) < 1 || chars(v) > 256) throw invalidArgument(`${field}.${k}`, "must be 1 to 256 characters");
  }
  return claims;
}

/** An expiry is a moment in the future; none means the token does not expire. */
export function checkExpiry(ts: Timestamp | undefined, now = new Date()): Date | undefined {
  if (!ts) return undefined;
  const d = timestampDate(ts);
  if (Number.isNaN(d.getTime())) throw invalidArgument("token.expiry", "is not a valid timestamp");
  if (d <= now) throw invalidArgument("token.expiry", "must be in the future");
  return d;
}

/** The `token` of Validate/Invalidate/UpdateToken: the opaque token or its id. */
export function requireTokenRef(value: string): string {
  if (!value) throw invalidArgument("token", "is required");
  if (chars(value) > 512) throw invalidArgument("token", "must be at most 512 characters");
  return value;
}
