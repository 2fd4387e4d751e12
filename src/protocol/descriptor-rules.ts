// Request validation from the buf.validate rules the SDK's descriptors carry (field option 1159), so the limits
// are the contract's own (role names `^[a-zA-Z0-9_]{1,64}$`, 100 permissions per role, description ≤ 2000, …)
// rather than copies that could drift. The SDK ships buf/validate/validate.proto as an empty stub, so the option
// bytes are decoded here; only the rule kinds the contract uses are understood: required; string min_len,
// max_len, pattern, prefix, in; repeated min_items, max_items, items; integer gt, gte, lt, lte; and CEL of the
// form `this.matches('…')`. Anything else in a rule is ignored rather than guessed at.
//
// One deliberate leniency: a rule applies to a field that is set. A field that is not set fails only when it is
// `required`. (protovalidate would also apply min_len to an empty implicit-presence string; the only such
// fields here are path variables, always present over REST, and the deprecated `default_creator.id`, which a
// caller naming the role by `name` leaves empty.)
import { isFieldSet, type DescField, type DescMessage, type DescMethod, type DescService, type Message } from "@bufbuild/protobuf";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { invalidArgument } from "./errors.js";
import { implement, type RpcHandler, type ServiceImplementation } from "./rpc.js";

const VALIDATE_FIELD_OPTION = 1159;

interface StringRules { minLen?: number; maxLen?: number; pattern?: RegExp; prefix?: string; in: string[] }
interface NumberRules { gt?: number; gte?: number; lt?: number; lte?: number }
interface FieldRules {
  required: boolean;
  string?: StringRules;
  number?: NumberRules;
  repeated?: { minItems?: number; maxItems?: number; items?: FieldRules };
  /** CEL `this.matches(re)` rules with their messages */
  matches: { re: RegExp; message: string }[];
}

type Fields = [no: number, wire: WireType, value: bigint | Uint8Array][];

function fieldsOf(bytes: Uint8Array): Fields {
  const r = new BinaryReader(bytes);
  const out: Fields = [];
  while (r.pos < r.len) {
    const [no, wire] = r.tag();
    if (wire === WireType.Varint) out.push([no, wire, BigInt(r.uint64())]);
    else if (wire === WireType.LengthDelimited) out.push([no, wire, r.bytes()]);
    else r.skip(wire, no);
  }
  return out;
}

const text = (b: bigint | Uint8Array) => new TextDecoder().decode(b as Uint8Array);
const num = (b: bigint | Uint8Array) => Number(b as bigint);

function stringRules(bytes: Uint8Array): StringRules {
  const s: StringRules = { in: [] };
  for (const [no, , v] of fieldsOf(bytes)) {
    if (no === 2) s.minLen = num(v);
    else if (no === 3) s.maxLen = num(v);
    else if (no === 6) s.pattern = new RegExp(text(v), "u");
    else if (no === 7) s.prefix = text(v);
    else if (no === 10) s.in.push(text(v));
  }
  return s;
}

function numberRules(bytes: Uint8Array): NumberRules {
  const n: NumberRules = {};
  for (const [no, , v] of fieldsOf(bytes)) {
    if (no === 2) n.lt = num(v);
    else if (no === 3) n.lte = num(v);
    else if (no === 4) n.gt = num(v);
    else if (no === 5) n.gte = num(v);
  }
  return n;
}

function celMatches(bytes: Uint8Array): { re: RegExp; message: string } | undefined {
  let message = "";
  let expression = "";
  for (const [no, , v] of fieldsOf(bytes)) {
    if (no === 2) message = text(v);
    else if (no === 3) expression = text(v);
  }
  const m = /^this\.matches\('((?:[^'\\]|\\.)*)'\)$/.exec(expression.trim());
  return m ? { re: new RegExp(m[1].replace(/\\(.)/g, "$1"), "u"), message } : undefined;
}

function parseRules(bytes: Uint8Array): FieldRules {
  const rules: FieldRules = { required: false, matches: [] };
  for (const [no, , v] of fieldsOf(bytes)) {
    if (no === 25) rules.required = v === 1n;
    else if (no === 14) rules.string = stringRules(v as Uint8Array);
    else if (no >= 3 && no <= 6) rules.number = numberRules(v as Uint8Array); // int32, int64, uint32, uint64
    else if (no === 18) {
      const rep: NonNullable<FieldRules["repeated"]> = {};
      for (const [rno, , rv] of fieldsOf(v as Uint8Array)) {
        if (rno === 1) rep.minItems = num(rv);
        else if (rno === 2) rep.maxItems = num(rv);
        else if (rno === 4) rep.items = parseRules(rv as Uint8Array);
      }
      rules.repeated = rep;
    } else if (no === 23) {
      const cel = celMatches(v as Uint8Array);
      if (cel) rules.matches.push(cel);
    }
  }
  return rules;
}

const cache = new Map<DescField, FieldRules | null>();

function rulesOf(field: DescField): FieldRules | null {
  let rules = cache.get(field);
  if (rules === undefined) {
    const raw = (field.proto.options as { $unknown?: { no: number; data: Uint8Array }[] } | undefined)?.$unknown
      ?.filter((u) => u.no === VALIDATE_FIELD_OPTION);
    // an unknown length-delimited field keeps its length prefix
    rules = raw?.length ? parseRules(new BinaryReader(raw[raw.length - 1].data).bytes()) : null;
    cache.set(field, rules);
  }
  return rules;
}

const chars = (s: string) => [...s].length;

function checkString(path: string, value: string, s: StringRules | undefined, matches: FieldRules["matches"]) {
  if (s) {
    if (s.minLen !== undefined && chars(value) < s.minLen) throw invalidArgument(path, s.minLen === 1 ? "must not be empty" : `must be at least ${s.minLen} characters`);
    if (s.maxLen !== undefined && chars(value) > s.maxLen) throw invalidArgument(path, `must be at most ${s.maxLen} characters`);
    if (s.prefix !== undefined && !value.startsWith(s.prefix)) throw invalidArgument(path, `must start with "${s.prefix}"`);
    if (s.pattern && !s.pattern.test(value)) throw invalidArgument(path, `"${value}" does not match the pattern ${s.pattern.source}`);
    if (s.in.length && !s.in.includes(value)) throw invalidArgument(path, `must be one of ${s.in.map((x) => JSON.stringify(x)).join(", ")}`);
  }
  for (const m of matches) if (!m.re.test(value)) throw invalidArgument(path, m.message || `does not match ${m.re.source}`);
}

function checkNumber(path: string, value: number, n: NumberRules | undefined) {
  if (!n) return;
  const lower = n.gte !== undefined ? `at least ${n.gte}` : n.gt !== undefined ? `greater than ${n.gt}` : undefined;
  const upper = n.lte !== undefined ? `at most ${n.lte}` : n.lt !== undefined ? `less than ${n.lt}` : undefined;
  const ok = (n.gte === undefined || value >= n.gte) && (n.gt === undefined || value > n.gt)
    && (n.lte === undefined || value <= n.lte) && (n.lt === undefined || value < n.lt);
  if (!ok) throw invalidArgument(path, `must be ${[lower, upper].filter(Boolean).join(" and ")}`);
}

function checkValue(path: string, value: unknown, rules: FieldRules) {
  if (typeof value === "string") checkString(path, value, rules.string, rules.matches);
  else if (typeof value === "number" || typeof value === "bigint") checkNumber(path, Number(value), rules.number);
}

/**
 * Throws INVALID_ARGUMENT naming the first field (dotted proto path, e.g. `role.permissions[3]`) that breaks
 * its rules. `notRequired` lists paths whose `required` is waived because the method treats them as optional.
 */
export function checkRules(schema: DescMessage, message: Message, notRequired: readonly string[] = [], prefix = ""): void {
  for (const field of schema.fields) {
    const path = prefix + field.name;
    const rules = rulesOf(field);
    const set = isFieldSet(message, field);
    const holder = message as unknown as Record<string, any>;
    const value = field.oneof ? holder[field.oneof.localName]?.value : holder[field.localName];
    if (!set) {
      if (rules?.required && !notRequired.includes(path)) throw invalidArgument(path, "is required");
      continue;
    }
    if (field.fieldKind === "message") {
      checkRules(field.message, value as Message, notRequired, `${path}.`);
    } else if (field.fieldKind === "list") {
      const list = value as unknown[];
      const rep = rules?.repeated;
      if (rep?.minItems !== undefined && list.length < rep.minItems) throw invalidArgument(path, `must have at least ${rep.minItems} item${rep.minItems === 1 ? "" : "s"}`);
      if (rep?.maxItems !== undefined && list.length > rep.maxItems) throw invalidArgument(path, `must have at most ${rep.maxItems} items`);
      list.forEach((item, i) => {
        if (field.listKind === "message") checkRules(field.message, item as Message, notRequired, `${path}[${i}].`);
        else if (rep?.items) checkValue(`${path}[${i}]`, item, rep.items);
      });
    } else if (rules && field.fieldKind === "scalar") {
      checkValue(path, value, rules);
    }
  }
}

/**
 * `implement`, with every request checked against its method's rules before the method runs. `waived` names, per
 * method, fields whose `required` rule that method does not enforce.
 */
export function implementChecked<S extends DescService>(
  service: S,
  methods: ServiceImplementation<S>["methods"],
  waived: { [K in keyof S["method"]]?: readonly string[] } = {},
): ServiceImplementation<S> {
  const checked: Record<string, RpcHandler> = {};
  for (const [name, fn] of Object.entries(methods) as [string, RpcHandler][]) {
    const input = service.methods.find((m: DescMethod) => m.localName === name)!.input;
    const notRequired = (waived as Record<string, readonly string[] | undefined>)[name] ?? [];
    checked[name] = (req, ctx) => {
      checkRules(input, req, notRequired);
      return fn(req, ctx);
    };
  }
  return implement(service, checked as ServiceImplementation<S>["methods"]);
}
