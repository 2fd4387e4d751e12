// Input rules of the Users API that the descriptors' buf.validate rules do not already carry (those run first, see
// service.ts): the contract's prose limits on emails, profile fields and metadata maps.
import { invalidArgument } from "../../protocol/errors.js";
import { checkExternalId } from "../organizations/validation.js";
import { checkedPageSize, clampedPageSize, type PageBounds } from "../../protocol/page-size.js";

export { checkExternalId, checkSearchQuery } from "../organizations/validation.js";

const chars = (s: string) => [...s].length;
// Deliberately loose (RFC 5322 allows far more than any pattern checks well): one @, no spaces, a dotted domain.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;

export function checkEmail(value: string): string {
  const email = value.trim();
  if (!email) throw invalidArgument("email", "is required");
  if (chars(email) > 320 || !EMAIL.test(email)) throw invalidArgument("email", "must be a valid email address");
  return email;
}

/** metadata-style maps: keys 3–25, values 1–256 characters, at most `max` pairs. */
export function checkMap(field: string, map: Record<string, string>, max: number): Record<string, string> {
  const entries = Object.entries(map);
  if (entries.length > max) throw invalidArgument(field, `at most ${max} key-value pairs are allowed`);
  for (const [k, v] of entries) {
    if (chars(k) < 3 || chars(k) > 25) throw invalidArgument(field, `key "${k}" must be between 3 and 25 characters`);
    if (chars(v) < 1 || chars(v) > 256) throw invalidArgument(field, `value of "${k}" must be between 1 and 256 characters`);
  }
  return map;
}

export function checkText(field: string, value: string, max: number): string {
  if (chars(value) > max) throw invalidArgument(field, `must be at most ${max} characters`);
  return value;
}

export function checkGroups(groups: string[]): string[] {
  if (groups.length > 50) throw invalidArgument("user_profile.groups", "at most 50 groups are allowed");
  if (new Set(groups).size !== groups.length) throw invalidArgument("user_profile.groups", "must be unique within the list");
  for (const g of groups) if (chars(g) < 1 || chars(g) > 250) throw invalidArgument("user_profile.groups", "each group must be between 1 and 250 characters");
  return groups;
}

export function optionalExternalId(value: string | undefined): string | null {
  return value ? checkExternalId(value) : null;
}

export const LIST_PAGE: PageBounds = { min: 1, max: 100, default: 10 };
export const SEARCH_PAGE: PageBounds = { min: 1, max: 30, default: 10 };

export const listPageSize = (requested: number) => clampedPageSize(requested, LIST_PAGE);
export const searchPageSize = (requested: number) => checkedPageSize(requested, SEARCH_PAGE);
