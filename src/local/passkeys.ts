// POST /local/v1/users/{user_id}/passkeys: gives a user a passkey credential record, standing in for the WebAuthn
// registration ceremony until it exists. Every field is optional; the answer is {credential} exactly as
// GET /api/v1/webauthn/credentials lists it.
import type { FastifyInstance } from "fastify";
import type { ServiceDeps } from "../api/deps.js";
import { credentialJson } from "../api/webauthn/mapping.js";
import { createPasskey } from "../api/webauthn/store.js";
import { invalidArgument } from "../protocol/errors.js";

type Json = Record<string, unknown>;

const ATTESTATION_TYPES = ["none", "indirect", "direct", "enterprise"];
const TRANSPORTS = ["usb", "nfc", "ble", "smart-card", "hybrid", "internal"];
const ATTACHMENTS = ["platform", "cross-platform"];

function str(b: Json, field: string, path = field, max = 1000): string | undefined {
  const v = b[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalidArgument(path, "must be a string");
  if ([...v].length > max) throw invalidArgument(path, `must be at most ${max} characters`);
  return v;
}

function object(b: Json, field: string): Json | undefined {
  const v = b[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v)) throw invalidArgument(field, "must be an object");
  return v as Json;
}

/** Only the named string fields, so what is stored is exactly what the credential message can show. */
function strings(b: Json, field: string, names: string[]): Record<string, string> | undefined {
  const o = object(b, field);
  if (!o) return undefined;
  const out: Record<string, string> = {};
  for (const k of Object.keys(o)) if (!names.includes(k)) throw invalidArgument(`${field}.${k}`, `is not a field of ${field} (${names.join(", ")})`);
  for (const n of names) { const v = str(o, n, `${field}.${n}`); if (v !== undefined) out[n] = v; }
  return out;
}

function bool(o: Json, field: string, path: string): boolean | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw invalidArgument(path, "must be true or false");
  return v;
}

/** base64url or standard base64, padded or not. */
function bytes(b: Json, field: string, min: number, max: number): Uint8Array | undefined {
  const v = str(b, field, field, 4096);
  if (v === undefined) return undefined;
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(v)) throw invalidArgument(field, "must be base64url (or base64)");
  const out = Buffer.from(v.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  if (out.length < min || out.length > max) throw invalidArgument(field, `must decode to between ${min} and ${max} bytes`);
  return out;
}

export async function passkeyLocalRoutes(scope: FastifyInstance, deps: ServiceDeps): Promise<void> {
  scope.post("/users/:user_id/passkeys", async (req, reply) => {
    const { user_id: userId } = req.params as { user_id: string };
    const raw = req.body ?? {};
    if (typeof raw !== "object" || Array.isArray(raw)) throw invalidArgument("body", "must be a JSON object");
    const b = raw as Json;

    const displayName = str(b, "display_name", "display_name", 120);
    if (displayName !== undefined && !displayName.trim()) throw invalidArgument("display_name", "must not be blank");
    const attestationType = str(b, "attestation_type");
    if (attestationType !== undefined && !ATTESTATION_TYPES.includes(attestationType))
      throw invalidArgument("attestation_type", `must be one of ${ATTESTATION_TYPES.join(", ")}`);
    const transports = b.transports;
    if (transports !== undefined && (!Array.isArray(transports) || transports.some((t) => !TRANSPORTS.includes(t))))
      throw invalidArgument("transports", `must be a list of ${TRANSPORTS.join(", ")}`);
    const authenticator = strings(b, "authenticator", ["aaguid", "name", "attachment", "icon_light", "icon_dark"]);
    if (authenticator?.attachment !== undefined && !ATTACHMENTS.includes(authenticator.attachment))
      throw invalidArgument("authenticator.attachment", `must be one of ${ATTACHMENTS.join(", ")}`);
    const f = object(b, "authenticator_flags") ?? {};
    const flags = {
      userPresent: bool(f, "user_present", "authenticator_flags.user_present"), userVerified: bool(f, "user_verified", "authenticator_flags.user_verified"),
      backupEligible: bool(f, "backup_eligible", "authenticator_flags.backup_eligible"), backupState: bool(f, "backup_state", "authenticator_flags.backup_state"),
    };

    const row = await createPasskey(deps.db, {
      userId, displayName: displayName?.trim(), attestationType, transports: transports as string[] | undefined,
      // WebAuthn: credential ids are at least 16 and at most 1023 bytes
      credentialId: bytes(b, "credential_id", 16, 1023), publicKey: bytes(b, "public_key", 1, 2048),
      authenticator, flags,
      userAgent: strings(b, "user_agent", ["raw", "url", "browser", "browser_version", "os", "os_version", "device_type", "device_model"]),
      clientInfo: strings(b, "client_info", ["ip", "region", "region_subdivision", "city"]),
    });
    return reply.code(201).send({ credential: credentialJson(row) });
  });
}
