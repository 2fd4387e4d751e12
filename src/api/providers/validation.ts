// The rules of a custom provider's fields, as the Python SDK documents them: a display name of letters, digits
// and spaces; an http(s) proxy URL; auth patterns as a list of objects each naming its `type`; string metadata.
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { invalidArgument } from "../../protocol/errors.js";

const DISPLAY_NAME = /^[A-Za-z0-9 ]{1,100}$/;
export const AUTH_TYPES = new Set(["OAUTH", "BEARER", "API_KEY", "BASIC", "NO_AUTH", "GOOGLE_DWD", "CUSTOM"]);

export function checkDisplayName(v: JsonValue | undefined, field: string): string {
  const s = typeof v === "string" ? v.trim() : "";
  if (!s) throw invalidArgument(field, "is required");
  if (!DISPLAY_NAME.test(s)) throw invalidArgument(field, "must be 1-100 letters, digits and spaces");
  return s;
}

/** "Test OAuth MCP Provider 42" -> "test_oauth_mcp_provider_42": stable, usable as a connection's provider_key. */
export function identifierFor(displayName: string): string {
  return displayName.toLowerCase().split(/\s+/).filter(Boolean).join("_");
}

export function checkProxyUrl(v: JsonValue | undefined, field: string): string {
  const s = typeof v === "string" ? v.trim() : "";
  if (!s) throw invalidArgument(field, "is required");
  let u: URL;
  try { u = new URL(s); } catch { throw invalidArgument(field, "must be an absolute http(s) URL"); }
  if (u.protocol !== "https:" && u.protocol !== "http:") throw invalidArgument(field, "must be an absolute http(s) URL");
  return s;
}

export function checkAuthPatterns(v: JsonValue | undefined, field: string): JsonValue[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalidArgument(field, "must be a list of auth patterns");
  if (v.length > 10) throw invalidArgument(field, "must have at most 10 auth patterns");
  v.forEach((p, i) => {
    if (!p || typeof p !== "object" || Array.isArray(p)) throw invalidArgument(`${field}[${i}]`, "must be an object");
    const type = (p as JsonObject).type;
    if (typeof type !== "string" || !AUTH_TYPES.has(type)) throw invalidArgument(`${field}[${i}].type`, `must be one of ${[...AUTH_TYPES].join(", ")}`);
  });
  return v;
}

export function checkMetadata(v: JsonValue | undefined, field: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  const entries = Object.entries(v as JsonObject);
  if (entries.length > 20) throw invalidArgument(field, "must have at most 20 entries");
  for (const [k, val] of entries) {
    if (!k || k.length > 100) throw invalidArgument(field, `key "${k}" must be 1-100 characters`);
    if (typeof val !== "string" || val.length > 1000) throw invalidArgument(`${field}.${k}`, "must be a string of at most 1000 characters");
  }
  return Object.fromEntries(entries) as Record<string, string>;
}
