// SCIM attribute paths and filters (RFC 7644 §3.4.2.2, §3.5.2): attribute names are case-insensitive, a path may
// start with a schema URN (the enterprise extension lives under its URN key), and a value filter selects elements
// of a multi-valued attribute. Only the `eq` operator (joined by `and`) is understood; anything else is refused
// with invalidFilter rather than half-evaluated.
import { badRequest } from "./errors.js";

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const ENTERPRISE_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const LIST_RESPONSE_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const PATCH_OP_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

export type Scalar = string | number | boolean | null;
export interface Condition { attr: string; value: Scalar }

export type JsonObject = Record<string, any>;
export const isObject = (v: unknown): v is JsonObject => !!v && typeof v === "object" && !Array.isArray(v);

/** The key of `obj` matching `name` case-insensitively, or undefined. */
export function keyOf(obj: JsonObject, name: string): string | undefined {
  if (name in obj) return name;
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}

export function getAttr(obj: unknown, name: string): any {
  if (!isObject(obj)) return undefined;
  const k = keyOf(obj, name);
  return k === undefined ? undefined : obj[k];
}

/** Sets `name` on obj, reusing an existing key that differs only in case. */
export function setAttr(obj: JsonObject, name: string, value: unknown): void {
  obj[keyOf(obj, name) ?? name] = value;
}

export function deleteAttr(obj: JsonObject, name: string): void {
  const k = keyOf(obj, name);
  if (k !== undefined) delete obj[k];
}

const TOKEN = /\s*(?:(\()|(\))|("(?:[^"\\]|\\.)*")|([^\s()"]+))/y;

/** `a eq "x" and b.c eq true` → conditions; other operators, `or`, `not` and grouping are invalidFilter. */
export function parseFilter(text: string): Condition[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  const src = text.trim();
  while (TOKEN.lastIndex < src.length && (m = TOKEN.exec(src))) tokens.push(m[0].trim());
  if (TOKEN.lastIndex < src.length || !tokens.length) throw badRequest("invalidFilter", `cannot parse the filter ${JSON.stringify(text)}`);
  const out: Condition[] = [];
  for (let i = 0; i < tokens.length; i += 4) {
    const [attr, op, raw, joiner] = tokens.slice(i, i + 4);
    if (!attr || !op || raw === undefined || !/^[A-Za-z][\w.:$-]*$/.test(attr))
      throw badRequest("invalidFilter", `cannot parse the filter ${JSON.stringify(text)}`);
    if (op.toLowerCase() !== "eq") throw badRequest("invalidFilter", `the operator "${op}" is not supported (only eq, joined by and)`);
    out.push({ attr, value: literal(raw, text) });
    if (joiner !== undefined && joiner.toLowerCase() !== "and") throw badRequest("invalidFilter", `"${joiner}" is not supported (only and)`);
    if (joiner !== undefined && i + 4 >= tokens.length) throw badRequest("invalidFilter", "the filter ends with \"and\"");
  }
  return out;
}

function literal(raw: string, text: string): Scalar {
  if (raw.startsWith("\"")) {
    try {
      return JSON.parse(raw) as string;
    } catch {
      throw badRequest("invalidFilter", `the string ${raw} in ${JSON.stringify(text)} is not a valid JSON string (control characters must be escaped)`);
    }
  }
  if (raw === "true") return true;
  if (raw === "false") return false;
  if (raw === "null") return null;
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  throw badRequest("invalidFilter", `cannot parse the value ${raw} in ${JSON.stringify(text)}`);
}

/** Does a value (an element of a multi-valued attribute) satisfy every condition? Strings compare case-insensitively. */
export function matches(element: unknown, conditions: Condition[]): boolean {
  return conditions.every((c) => {
    const v = c.attr.split(".").reduce<any>((o, part) => getAttr(o, part), element);
    if (typeof v === "string" && typeof c.value === "string") return v.toLowerCase() === c.value.toLowerCase();
    return v === c.value || (v === undefined && c.value === null);
  });
}

export interface AttrPath {
  /** extension schema URN whose object holds the attribute; undefined for core attributes */
  extension?: string;
  attr: string;
  filter?: Condition[];
  sub?: string;
}

/** Parses `[urn:…:]attr[[filter]][.sub]`; the resource's own core schema URN prefix is dropped. */
export function parsePath(path: string, coreSchema: string): AttrPath {
  let rest = path.trim();
  let extension: string | undefined;
  const bracket = rest.indexOf("[");
  const head = bracket < 0 ? rest : rest.slice(0, bracket);
  if (head.toLowerCase().startsWith("urn:")) {
    const colon = head.lastIndexOf(":");
    const urn = head.slice(0, colon);
    if (urn.toLowerCase() !== coreSchema.toLowerCase()) extension = urn;
    rest = rest.slice(colon + 1);
  }
  const m = /^([A-Za-z$][\w$-]*)(?:\[(.*)\])?(?:\.([A-Za-z$][\w$-]*))?$/s.exec(rest);
  if (!m) throw badRequest("invalidPath", `cannot parse the path ${JSON.stringify(path)}`);
  const [, attr, filter, sub] = m;
  let conditions: Condition[] | undefined;
  if (filter !== undefined) {
    try { conditions = parseFilter(filter); } catch { throw badRequest("invalidPath", `cannot parse the filter in the path ${JSON.stringify(path)}`); }
  }
  // "name.givenName" without a filter: the dot splits attribute and sub-attribute
  return { extension, attr, filter: conditions, sub };
}

/** The value at a simple path (`name.givenName`, `urn:…:User:department`), for attribute mappings. */
export function valueAt(resource: JsonObject, path: string, coreSchema: string): unknown {
  let p: AttrPath;
  try { p = parsePath(path, coreSchema); } catch { return undefined; }
  const container = p.extension ? getAttr(resource, p.extension) : resource;
  let v = getAttr(container, p.attr);
  if (p.filter && Array.isArray(v)) v = v.find((e) => matches(e, p.filter!));
  else if (Array.isArray(v)) v = v.find((e) => getAttr(e, "primary") === true) ?? v[0];
  return p.sub ? getAttr(v, p.sub) : v;
}

/** JSON equality regardless of key order (jsonb stores keys in its own order). */
export function sameJson(a: unknown, b: unknown): boolean {
  const canon = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canon) : isObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])])) : v;
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}
