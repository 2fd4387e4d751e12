// Input rules of organization M2M clients beyond the buf.validate rules checkRules already applies (name ≤128,
// description ≤512, custom claim key 1–128, org_/m2morg_ prefixes). The contract gives no limits for scopes,
// audience or expiry; the bounds below keep a token well-formed and bounded: the scope list becomes the
// space-separated `scope` of the token response, so a scope cannot contain whitespace, and the lifetime has
// the same range as the environment client's (TOKEN_TTL_SECONDS, 60 s to one year).
import { invalidArgument } from "../../protocol/errors.js";
import type { clients } from "../../protocol/descriptors.js";

export const DEFAULT_EXPIRY_SECONDS = 3600;
export const MIN_EXPIRY_SECONDS = 60;
export const MAX_EXPIRY_SECONDS = 31_536_000;
const MAX_LIST_ITEMS = 100;
const MAX_ITEM_CHARS = 512;
const MAX_CLAIMS = 50;

/** Claims the token endpoint sets itself; a custom claim may not pose as one of them. */
// custom_claims: the token carries the custom claims nested under it too (the Python SDK reads them there)
export const RESERVED_CLAIMS = new Set(["iss", "sub", "aud", "exp", "iat", "nbf", "jti", "client_id", "scopes", "oid", "custom_claims"]);

export function checkName(value: string, field = "client.name"): string {
  if (!value.trim()) throw invalidArgument(field, "is required and must not be blank");
  // the create messages' rule (≤128), applied to updates too, whose message carries none
  if ([...value].length > 128) throw invalidArgument(field, "must be at most 128 characters");
  return value;
}

/** Non-empty, whitespace-free entries; duplicates are dropped (first occurrence kept). */
export function checkTokenList(field: "client.scopes" | "client.audience", values: string[]): string[] {
  if (values.length > MAX_LIST_ITEMS) throw invalidArgument(field, `must have at most ${MAX_LIST_ITEMS} items`);
  values.forEach((v, i) => {
    if (!v) throw invalidArgument(`${field}[${i}]`, "must not be empty");
    if (/\s/.test(v)) throw invalidArgument(`${field}[${i}]`, "must not contain whitespace");
    if ([...v].length > MAX_ITEM_CHARS) throw invalidArgument(`${field}[${i}]`, `must be at most ${MAX_ITEM_CHARS} characters`);
  });
  return [...new Set(values)];
}

export function checkCustomClaims(claims: clients.CustomClaim[]): Record<string, string> {
  if (claims.length > MAX_CLAIMS) throw invalidArgument("client.custom_claims", `must have at most ${MAX_CLAIMS} items`);
  const out: Record<string, string> = {};
  claims.forEach((c, i) => {
    const field = `client.custom_claims[${i}].key`;
    // checkRules skips an empty (unset) string, but a claim needs a name
    if (!c.key) throw invalidArgument(field, "must not be empty");
    if (RESERVED_CLAIMS.has(c.key)) throw invalidArgument(field, `"${c.key}" is a registered claim set by the server`);
    if (Object.hasOwn(out, c.key)) throw invalidArgument(field, `duplicate key "${c.key}"`);
    out[c.key] = c.value;
  });
  return out;
}

/** 0 means "not given"; otherwise whole seconds in range. */
export function checkExpiry(value: bigint): number | undefined {
  if (value === 0n) return undefined;
  if (value < BigInt(MIN_EXPIRY_SECONDS) || value > BigInt(MAX_EXPIRY_SECONDS))
    throw invalidArgument("client.expiry", `must be between ${MIN_EXPIRY_SECONDS} and ${MAX_EXPIRY_SECONDS} seconds`);
  return Number(value);
}

// ---- environment-level clients (CreateClient / UpdateClient) ----

/** Client.access_token_expiry: the user access tokens' lifetime; default 300 s as in Scalekit's FSA */
export const DEFAULT_ACCESS_TOKEN_EXPIRY = 300;
export const MIN_ACCESS_TOKEN_EXPIRY = 60;
export const MAX_ACCESS_TOKEN_EXPIRY = 86_400;
export const GRANT_TYPES = ["authorization_code", "refresh_token", "client_credentials"] as const;

export function checkClientType(value: string): "WEB_APP" | "SPA" | "NTV" {
  if (value === "WEB_APP" || value === "SPA" || value === "NTV") return value;
  throw invalidArgument("client.client_type", `must be WEB_APP, SPA or NTV, got "${value}"`);
}

/** A URI list under `problemOf` (redirect-uris.ts), unique as the descriptors' `repeated.unique` requires. */
export function checkUriList(field: string, values: string[], max: number, problemOf: (uri: string) => string | undefined): string[] {
  if (values.length > max) throw invalidArgument(field, `must have at most ${max} items`);
  const seen = new Set<string>();
  values.forEach((v, i) => {
    const problem = problemOf(v);
    if (problem) throw invalidArgument(`${field}[${i}]`, problem);
    if (seen.has(v)) throw invalidArgument(`${field}[${i}]`, `duplicate URI "${v}"`);
    seen.add(v);
  });
  return values;
}

/** 0 means "not given". */
export function checkAccessTokenExpiry(value: bigint): number | undefined {
  if (value === 0n) return undefined;
  if (value < BigInt(MIN_ACCESS_TOKEN_EXPIRY) || value > BigInt(MAX_ACCESS_TOKEN_EXPIRY))
    throw invalidArgument("client.access_token_expiry", `must be between ${MIN_ACCESS_TOKEN_EXPIRY} and ${MAX_ACCESS_TOKEN_EXPIRY} seconds`);
  return Number(value);
}

export function checkGrantTypes(values: string[]): string[] {
  values.forEach((v, i) => {
    if (!(GRANT_TYPES as readonly string[]).includes(v)) throw invalidArgument(`client.grant_types[${i}]`, `must be one of ${GRANT_TYPES.join(", ")}`);
  });
  return [...new Set(values)];
}
