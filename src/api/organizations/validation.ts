// Input rules of the Organizations API. The limits are the buf.validate rules carried in the SDK's descriptors
// (display_name 1–200, metadata ≤10 pairs with keys 3–25 and values 1–256, slug pattern, logo_url ≤1024,
// ids ≤32 with an org_/lnk_ prefix where the descriptor demands one, search query 3–100 and page_size ≤30).
// Where the contract only states a range in prose (list page_size "between 10 and 100") the value is clamped
// rather than rejected, because the real service carries no validation rule for it.
import { invalidArgument } from "../../protocol/errors.js";
import { checkedPageSize, clampedPageSize, type PageBounds } from "../../protocol/page-size.js";

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const FEATURE_NAME = /^[a-z][a-z0-9_]{0,63}$/;

/** Length in characters as a person counts them (code points), not UTF-16 units. */
const chars = (s: string) => [...s].length;

/** Requires an id with the given prefix, as the descriptors' `prefix` rules do. */
export function requirePrefixedId(field: string, value: string, prefix: "org_" | "lnk_"): string {
  if (!value) throw invalidArgument(field, "is required");
  if (value.length > 32) throw invalidArgument(field, "must be at most 32 characters");
  if (!value.startsWith(prefix)) throw invalidArgument(field, `must start with "${prefix}"`);
  return value;
}

export function checkDisplayName(value: string): string {
  const n = chars(value);
  if (n < 1 || value.trim() === "") throw invalidArgument("display_name", "is required and must not be blank");
  if (n > 200) throw invalidArgument("display_name", "must be between 1 and 200 characters");
  return value;
}

// Not limited by the contract; bounded so the unique index can always hold the value (a btree entry has a size
// limit, and exceeding it would be a server error instead of the client's mistake).
export function checkExternalId(value: string, field = "external_id"): string {
  if (chars(value) > 255) throw invalidArgument(field, "must be at most 255 characters");
  return value;
}

export function checkMetadata(map: Record<string, string>): Record<string, string> {
  const entries = Object.entries(map);
  if (entries.length > 10) throw invalidArgument("metadata", "at most 10 key-value pairs are allowed");
  for (const [k, v] of entries) {
    if (chars(k) < 3 || chars(k) > 25) throw invalidArgument("metadata", `key "${k}" must be between 3 and 25 characters`);
    if (chars(v) < 1 || chars(v) > 256) throw invalidArgument("metadata", `value of "${k}" must be between 1 and 256 characters`);
  }
  return map;
}

/** On update an empty slug clears it, as the descriptor says. */
export function checkSlug(value: string, allowEmpty: boolean): string {
  if (value === "" && allowEmpty) return value;
  if (value.length < 1 || value.length > 253 || !SLUG.test(value))
    throw invalidArgument("slug", "must be a lowercase DNS label or hostname (letters, digits, hyphens, dots), at most 253 characters");
  return value;
}

export function checkLogoUrl(value: string): string {
  if (value.length > 1024) throw invalidArgument("logo_url", "must be at most 1024 characters");
  let ok = false;
  try { ok = new URL(value).protocol === "https:" && value.startsWith("https://"); } catch { /* not a URL */ }
  if (!ok) throw invalidArgument("logo_url", "must be an https:// URL");
  return value;
}

export function checkFeatureName(name: string): string {
  if (!FEATURE_NAME.test(name))
    throw invalidArgument("settings.features.name", `"${name}" is not a feature name (lowercase letters, digits and underscores, e.g. sso, dir_sync)`);
  return name;
}

export const LIST_PAGE: PageBounds = { min: 10, max: 100, default: 10 };
export const SEARCH_PAGE: PageBounds = { min: 1, max: 30, default: 10 };

export const listPageSize = (requested: number) => clampedPageSize(requested, LIST_PAGE);
export const searchPageSize = (requested: number) => checkedPageSize(requested, SEARCH_PAGE);

export function checkSearchQuery(query: string): string {
  const q = query.trim();
  if (chars(q) < 3 || chars(q) > 100) throw invalidArgument("query", "must be between 3 and 100 characters");
  return q;
}
