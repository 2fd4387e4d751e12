// Input rules of SendPasswordlessEmail beyond what checkRules reads from the descriptor (required, string lengths):
// the email format, the enum, the magic-link URI, the expiry bounds and the template-variable map, whose limits
// (30 pairs, keys 2–25, values ≤ 256 characters) are decoded from the field's buf.validate map rules here because
// checkRules does not understand map rules.
import type { DescField } from "@bufbuild/protobuf";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { passwordless } from "../../protocol/descriptors.js";
import { invalidArgument } from "../../protocol/errors.js";

export { checkEmail } from "../users/validation.js";

/** The spec's default validity of a code or link. */
export const DEFAULT_EXPIRES_IN = 300;
/** The contract gives no bounds; a day is far beyond any sign-in flow and keeps a leaked link short-lived. */
export const MAX_EXPIRES_IN = 86_400;
/** Names the system fills in (the spec's list); a caller supplying one would shadow the code or the link. */
export const RESERVED_TEMPLATE_VARIABLES = ["otp", "expiry_time_relative", "link", "expire_time", "expiry_time"];

export function checkExpiresIn(value: number | undefined): number {
  if (value === undefined) return DEFAULT_EXPIRES_IN;
  if (!Number.isInteger(value) || value < 1 || value > MAX_EXPIRES_IN)
    throw invalidArgument("expires_in", `must be between 1 and ${MAX_EXPIRES_IN} seconds (default ${DEFAULT_EXPIRES_IN})`);
  return value;
}

export function checkTemplate(value: number | undefined): number | null {
  if (value === undefined || value === passwordless.TemplateType.UNSPECIFIED) return null;
  if (!(value in passwordless.TemplateType)) throw invalidArgument("template", "must be SIGNIN or SIGNUP");
  return value;
}

// Schemes a browser would run rather than navigate to; anything else (https, or an app's own scheme) is a callback.
const UNSAFE_SCHEMES = new Set(["javascript:", "data:", "vbscript:", "file:", "blob:"]);

export function checkMagicLinkUri(value: string | undefined): URL | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try { url = new URL(value); } catch { throw invalidArgument("magiclink_auth_uri", "must be an absolute URL such as https://yourapp.com/auth/passwordless/callback"); }
  if (UNSAFE_SCHEMES.has(url.protocol)) throw invalidArgument("magiclink_auth_uri", `must not use the ${url.protocol} scheme`);
  return url;
}

/** The callback URI with link_token added to whatever query string it already has. */
export function magicLink(uri: URL, token: string): string {
  const url = new URL(uri.href);
  url.searchParams.set("link_token", token);
  return url.href;
}

interface MapRules { maxPairs?: number; keyMin?: number; keyMax?: number; valueMax?: number }

function fields(bytes: Uint8Array): [number, bigint | Uint8Array][] {
  const r = new BinaryReader(bytes);
  const out: [number, bigint | Uint8Array][] = [];
  while (r.pos < r.len) {
    const [no, wire] = r.tag();
    if (wire === WireType.Varint) out.push([no, BigInt(r.uint64())]);
    else if (wire === WireType.LengthDelimited) out.push([no, r.bytes()]);
    else r.skip(wire, no);
  }
  return out;
}

/** buf.validate FieldRules.map (19): max_pairs (2), keys (4) and values (5) with their string rules (14). */
function mapRules(field: DescField): MapRules {
  const raw = (field.proto.options as { $unknown?: { no: number; data: Uint8Array }[] } | undefined)?.$unknown?.find((u) => u.no === 1159);
  const out: MapRules = {};
  if (!raw) return out;
  const stringLimits = (b: Uint8Array) => {
    const s = fields(b).find(([no]) => no === 14)?.[1] as Uint8Array | undefined;
    const l: { min?: number; max?: number } = {};
    for (const [no, v] of s ? fields(s) : []) { if (no === 2) l.min = Number(v); else if (no === 3) l.max = Number(v); }
    return l;
  };
  for (const [no, v] of fields(new BinaryReader(raw.data).bytes())) {
    if (no !== 19) continue;
    for (const [mno, mv] of fields(v as Uint8Array)) {
      if (mno === 2) out.maxPairs = Number(mv);
      else if (mno === 4) { const k = stringLimits(mv as Uint8Array); out.keyMin = k.min; out.keyMax = k.max; }
      else if (mno === 5) out.valueMax = stringLimits(mv as Uint8Array).max;
    }
  }
  return out;
}

const TEMPLATE_VARIABLES = mapRules(passwordless.SendPasswordlessRequestSchema.fields.find((f) => f.name === "template_variables")!);
const chars = (s: string) => [...s].length;

export function checkTemplateVariables(vars: Record<string, string>): Record<string, string> {
  const { maxPairs = 30, keyMin = 1, keyMax = Infinity, valueMax = Infinity } = TEMPLATE_VARIABLES;
  const entries = Object.entries(vars);
  if (entries.length > maxPairs) throw invalidArgument("template_variables", `at most ${maxPairs} key-value pairs are allowed, got ${entries.length}`);
  for (const [k, v] of entries) {
    if (RESERVED_TEMPLATE_VARIABLES.includes(k.toLowerCase()))
      throw invalidArgument("template_variables", `"${k}" is reserved (${RESERVED_TEMPLATE_VARIABLES.join(", ")} are filled in by the server)`);
    if (chars(k) < keyMin || chars(k) > keyMax) throw invalidArgument("template_variables", `key "${k}" must be between ${keyMin} and ${keyMax} characters`);
    if (chars(v) > valueMax) throw invalidArgument("template_variables", `value of "${k}" must be at most ${valueMax} characters`);
  }
  return vars;
}
