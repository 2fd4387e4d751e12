// PATCH (RFC 7644 §3.5.2) applied to a resource as plain JSON. Groups use the same code: their members are put
// in as [{value}] before and read back after, so `members` add/remove, `members[value eq "…"]` and Azure's
// path-less or value-list removals need no separate handling. Clients are matched as they really behave:
// operation names in any case, path-less add/replace whose keys are themselves paths, and a replace of
// `emails[type eq "work"].value` creating that element when it does not exist yet.
import { badRequest } from "./errors.js";
import { ENTERPRISE_USER_SCHEMA, deleteAttr, getAttr, isObject, matches, parsePath, setAttr, type AttrPath, type JsonObject, PATCH_OP_SCHEMA } from "./paths.js";

type Op = "add" | "replace" | "remove";
const EXTENSIONS = [ENTERPRISE_USER_SCHEMA];

export function patchOperations(body: unknown): { op: Op; path?: string; value?: unknown }[] {
  if (!isObject(body)) throw badRequest("invalidSyntax", "the body must be a PatchOp object");
  const schemas = getAttr(body, "schemas");
  if (Array.isArray(schemas) && !schemas.includes(PATCH_OP_SCHEMA)) throw badRequest("invalidSyntax", `schemas must contain ${PATCH_OP_SCHEMA}`);
  const ops = getAttr(body, "Operations");
  if (!Array.isArray(ops) || !ops.length) throw badRequest("invalidSyntax", "Operations must be a non-empty array");
  return ops.map((o, i) => {
    if (!isObject(o)) throw badRequest("invalidSyntax", `Operations[${i}] must be an object`);
    const op = String(getAttr(o, "op") ?? "").toLowerCase();
    if (op !== "add" && op !== "replace" && op !== "remove") throw badRequest("invalidSyntax", `Operations[${i}].op must be add, replace or remove`);
    const path = getAttr(o, "path");
    if (path !== undefined && (typeof path !== "string" || !path.trim())) throw badRequest("invalidPath", `Operations[${i}].path must be a non-empty string`);
    if (op === "remove" && path === undefined) throw badRequest("noTarget", `Operations[${i}]: remove needs a path`);
    if (op !== "remove" && getAttr(o, "value") === undefined) throw badRequest("invalidValue", `Operations[${i}]: ${op} needs a value`);
    return { op, path, value: getAttr(o, "value") };
  });
}

export function applyPatch(resource: JsonObject, body: unknown, coreSchema: string): JsonObject {
  const out = structuredClone(resource);
  for (const { op, path, value } of patchOperations(body)) apply(out, op, path, value, coreSchema);
  return out;
}

function apply(resource: JsonObject, op: Op, path: string | undefined, value: unknown, coreSchema: string): void {
  if (path === undefined) {
    if (!isObject(value)) throw badRequest("invalidValue", `${op} without a path needs an object value`);
    for (const [k, v] of Object.entries(value)) {
      const ext = EXTENSIONS.find((e) => e.toLowerCase() === k.toLowerCase());
      if (ext && isObject(v)) for (const [sk, sv] of Object.entries(v)) apply(resource, op, `${ext}:${sk}`, sv, coreSchema);
      else apply(resource, op, k, v, coreSchema);
    }
    return;
  }
  const ext = EXTENSIONS.find((e) => e.toLowerCase() === path.trim().toLowerCase());
  if (ext) {
    // the whole extension object as the target
    if (op === "remove") return deleteAttr(resource, ext);
    if (!isObject(value)) throw badRequest("invalidValue", `${ext} needs an object value`);
    const current = getAttr(resource, ext);
    setAttr(resource, ext, op === "add" || isObject(current) ? { ...(isObject(current) ? current : {}), ...value } : value);
    return;
  }
  const p = parsePath(path, coreSchema);
  let container: JsonObject = resource;
  if (p.extension) {
    let c = getAttr(resource, p.extension);
    if (!isObject(c)) {
      if (op === "remove") return;
      c = {};
      setAttr(resource, p.extension, c);
    }
    container = c;
  }
  if (p.filter) return applyFiltered(container, op, p, value);
  const current = getAttr(container, p.attr);
  if (p.sub) {
    if (op === "remove") {
      if (Array.isArray(current)) current.forEach((e) => isObject(e) && deleteAttr(e, p.sub!));
      else if (isObject(current)) deleteAttr(current, p.sub);
      return;
    }
    if (Array.isArray(current)) { current.forEach((e) => isObject(e) && setAttr(e, p.sub!, value)); return; }
    const target = isObject(current) ? current : {};
    setAttr(target, p.sub, op === "add" ? merged(getAttr(target, p.sub), value) : value);
    setAttr(container, p.attr, target);
    return;
  }
  if (op === "remove") {
    if (value !== undefined && Array.isArray(current)) {
      // Azure: {op: remove, path: members, value: [{value: id}]} removes just those elements
      const gone = (Array.isArray(value) ? value : [value]);
      setAttr(container, p.attr, current.filter((e) => !gone.some((g) => sameElement(e, g))));
    } else deleteAttr(container, p.attr);
    return;
  }
  if (op === "add") setAttr(container, p.attr, merged(current, value));
  else setAttr(container, p.attr, isObject(current) && isObject(value) ? { ...current, ...value } : value);
}

function applyFiltered(container: JsonObject, op: Op, p: AttrPath, value: unknown): void {
  const current = getAttr(container, p.attr);
  const list: unknown[] = Array.isArray(current) ? current : [];
  const hit = (e: unknown) => matches(e, p.filter!);
  if (op === "remove") {
    if (!p.sub) setAttr(container, p.attr, list.filter((e) => !hit(e)));
    else list.forEach((e) => hit(e) && isObject(e) && deleteAttr(e, p.sub!));
    return;
  }
  const hits = list.filter(hit);
  if (!hits.length) {
    // the element the filter names does not exist yet: create it from the filter's own equalities
    const element: JsonObject = {};
    for (const c of p.filter!) if (!c.attr.includes(".")) element[c.attr] = c.value;
    if (p.sub) element[p.sub] = value;
    else if (isObject(value)) Object.assign(element, value);
    else throw badRequest("invalidValue", `${p.attr}[…] needs an object value`);
    setAttr(container, p.attr, [...list, element]);
    return;
  }
  for (const e of hits) {
    if (!isObject(e)) continue;
    if (p.sub) setAttr(e, p.sub, value);
    else if (isObject(value)) Object.assign(e, value);
    else throw badRequest("invalidValue", `${p.attr}[…] needs an object value`);
  }
}

/** add: multi-valued attributes gain the new elements (no duplicates), complex ones merge, simple ones are set. */
function merged(current: unknown, value: unknown): unknown {
  if (Array.isArray(current) || Array.isArray(value)) {
    const base = Array.isArray(current) ? [...current] : current === undefined ? [] : [current];
    for (const v of Array.isArray(value) ? value : [value]) if (!base.some((e) => sameElement(e, v))) base.push(v);
    return base;
  }
  if (isObject(current) && isObject(value)) return { ...current, ...value };
  return value;
}

/** Elements with a `value` are the same when their values are; others when they are equal as JSON. */
function sameElement(a: unknown, b: unknown): boolean {
  const av = getAttr(a, "value"), bv = getAttr(b, "value");
  if (av !== undefined && bv !== undefined) return String(av) === String(bv);
  return JSON.stringify(a) === JSON.stringify(b);
}
