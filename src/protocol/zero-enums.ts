// The OpenAPI contract was generated with enum zero values left out (every `*_UNSPECIFIED`, and the few enums
// whose zero is a real state such as a secret's ACTIVE): a field at its zero value is, in the contract's terms,
// unset. protobuf's JSON writer emits implicit fields with `alwaysEmitImplicit`, which we need for strings,
// numbers and booleans, so REST responses drop zero-valued enum fields afterwards. gRPC is unaffected.
import type { DescField, DescMessage } from "@bufbuild/protobuf";
import { FeatureSet_FieldPresence } from "@bufbuild/protobuf/wkt";

interface Plan { enums: { key: string; zero: string }[]; nested: { key: string; message: DescMessage; kind: "one" | "list" | "map" }[] }

const plans = new Map<DescMessage, Plan | null>();

function planFor(desc: DescMessage, visiting = new Set<DescMessage>()): Plan | null {
  if (plans.has(desc)) return plans.get(desc)!;
  if (visiting.has(desc)) return { enums: [], nested: [] }; // recursive types: resolved when the cycle unwinds
  visiting.add(desc);
  const plan: Plan = { enums: [], nested: [] };
  for (const f of desc.fields as DescField[]) {
    const key = f.name;
    if (f.fieldKind === "enum" && f.presence === FeatureSet_FieldPresence.IMPLICIT) {
      const zero = f.enum.values.find((v) => v.number === 0);
      if (zero) plan.enums.push({ key, zero: zero.name });
    }
    const message = f.fieldKind === "message" ? f.message
      : f.fieldKind === "list" && f.listKind === "message" ? f.message
      : f.fieldKind === "map" && f.mapKind === "message" ? f.message : undefined;
    if (!message || message.typeName.startsWith("google.protobuf.")) continue;
    if (planFor(message, visiting) === null) continue;
    plan.nested.push({ key, message, kind: f.fieldKind === "message" ? "one" : f.fieldKind === "list" ? "list" : "map" });
  }
  visiting.delete(desc);
  const result = plan.enums.length || plan.nested.length ? plan : null;
  plans.set(desc, result);
  return result;
}

/** Removes, in place, every implicit-presence enum field whose JSON value is the enum's zero name. */
export function dropZeroEnums(desc: DescMessage, json: unknown): void {
  if (!json || typeof json !== "object") return;
  const plan = planFor(desc);
  if (!plan) return;
  const obj = json as Record<string, unknown>;
  for (const e of plan.enums) if (obj[e.key] === e.zero) delete obj[e.key];
  for (const n of plan.nested) {
    const v = obj[n.key];
    if (v == null) continue;
    if (n.kind === "one") dropZeroEnums(n.message, v);
    else if (n.kind === "list" && Array.isArray(v)) for (const item of v) dropZeroEnums(n.message, item);
    else if (n.kind === "map") for (const item of Object.values(v as object)) dropZeroEnums(n.message, item);
  }
}
