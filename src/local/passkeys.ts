// POST /local/v1/users/{user_id}/passkeys: gives a user a passkey credential record, standing in for the WebAuthn
// registration ceremony until it exists. Every field is optional; the answer is {credential} exactly as
// GET /api/v1/webauthn/credentials lists it.
import type { FastifyInstance } from "fastify";
import { Type } from "@sinclair/typebox";
import type { ServiceDeps } from "../api/deps.js";
import { credentialJson } from "../api/webauthn/mapping.js";
import { createPasskey } from "../api/webauthn/store.js";
import { route } from "../http/route.js";
import { invalidArgument } from "../protocol/errors.js";

const ATTESTATION_TYPES = ["none", "indirect", "direct", "enterprise"];
const TRANSPORTS = ["usb", "nfc", "ble", "smart-card", "hybrid", "internal"];
const ATTACHMENTS = ["platform", "cross-platform"];

const Text = Type.Optional(Type.String({ maxLength: 1000 }));
/** An object of only the named string fields, so what is stored is exactly what the credential message can show. */
const Strings = (names: string[], extra: Record<string, ReturnType<typeof Type.String>> = {}) =>
  Type.Optional(Type.Object({ ...Object.fromEntries(names.map((n) => [n, Text])), ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, Type.Optional(v)])) }, { additionalProperties: false }));
const Base64 = Type.Optional(Type.String({ maxLength: 4096, pattern: "^[A-Za-z0-9+/_-]*={0,2}$", errorMessage: "must be base64url (or base64)" }));
const Flag = Type.Optional(Type.Boolean());

const NewPasskey = Type.Object({
  display_name: Type.Optional(Type.String({ maxLength: 120 })),
  attestation_type: Type.Optional(Type.String({ enum: ATTESTATION_TYPES })),
  transports: Type.Optional(Type.Array(
    Type.String({ enum: TRANSPORTS, errorMessage: `must be a list of ${TRANSPORTS.join(", ")}` }),
    { errorMessage: `must be a list of ${TRANSPORTS.join(", ")}` },
  )),
  authenticator: Strings(["aaguid", "name", "icon_light", "icon_dark"], { attachment: Type.String({ enum: ATTACHMENTS }) }),
  authenticator_flags: Type.Optional(Type.Object({ user_present: Flag, user_verified: Flag, backup_eligible: Flag, backup_state: Flag })),
  credential_id: Base64,
  public_key: Base64,
  user_agent: Strings(["raw", "url", "browser", "browser_version", "os", "os_version", "device_type", "device_model"]),
  client_info: Strings(["ip", "region", "region_subdivision", "city"]),
});

/** base64url or standard base64, padded or not, of a length in bytes within bounds. */
function bytes(field: string, v: string | undefined, min: number, max: number): Uint8Array | undefined {
  if (v === undefined) return undefined;
  const out = Buffer.from(v.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  if (out.length < min || out.length > max) throw invalidArgument(field, `must decode to between ${min} and ${max} bytes`);
  return out;
}

export async function passkeyLocalRoutes(scope: FastifyInstance, deps: ServiceDeps): Promise<void> {
  route(scope, {
    method: "POST", url: "/users/:user_id/passkeys", params: Type.Object({ user_id: Type.String() }), body: NewPasskey,
    handler: async (req, reply) => {
      const b = req.body;
      if (b.display_name !== undefined && !b.display_name.trim()) throw invalidArgument("display_name", "must not be blank");
      const f = b.authenticator_flags ?? {};
      const row = await createPasskey(deps.db, {
        userId: req.params.user_id, displayName: b.display_name?.trim(), attestationType: b.attestation_type, transports: b.transports,
        // WebAuthn: credential ids are at least 16 and at most 1023 bytes
        credentialId: bytes("credential_id", b.credential_id, 16, 1023), publicKey: bytes("public_key", b.public_key, 1, 2048),
        authenticator: b.authenticator as Record<string, string> | undefined,
        flags: { userPresent: f.user_present, userVerified: f.user_verified, backupEligible: f.backup_eligible, backupState: f.backup_state },
        userAgent: b.user_agent as Record<string, string> | undefined, clientInfo: b.client_info as Record<string, string> | undefined,
      });
      return reply.code(201).send({ credential: credentialJson(row) });
    },
  });
}
