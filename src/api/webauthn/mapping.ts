// Passkey credential rows <-> WebAuthnCredential messages. Raw credential ids travel as bytes in the credential
// (standard base64 in REST JSON, as protojson writes bytes) and as base64url strings in the options a browser
// passes to PublicKeyCredential.signalAllAcceptedCredentials / signalUnknownCredential, the encoding WebAuthn uses.
import { create, toJson, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { PasskeyCredential as CredentialRow } from "../../generated/prisma/client.js";
import { webauthn } from "../../protocol/descriptors.js";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const str = (o: Obj, k: string) => (typeof o[k] === "string" ? (o[k] as string) : "");

export const base64url = (b: Uint8Array) => Buffer.from(b).toString("base64url");

export function credentialMessage(row: CredentialRow): MessageInitShape<typeof webauthn.WebAuthnCredentialSchema> {
  const a = obj(row.authenticator), ua = obj(row.userAgent), ci = obj(row.clientInfo);
  return {
    id: row.id, userId: row.userId, credentialId: new Uint8Array(row.credentialId), attestationType: row.attestationType,
    transports: row.transports,
    authenticator: { aaguid: str(a, "aaguid"), name: str(a, "name"), attachment: str(a, "attachment"), iconLight: str(a, "icon_light"), iconDark: str(a, "icon_dark") },
    authenticatorFlags: { userPresent: row.userPresent, userVerified: row.userVerified, backupEligible: row.backupEligible, backupState: row.backupState },
    createdAt: timestampFromDate(row.createdAt), updatedAt: timestampFromDate(row.updatedAt),
    userAgent: {
      raw: str(ua, "raw"), url: str(ua, "url"), browser: str(ua, "browser"), browserVersion: str(ua, "browser_version"), os: str(ua, "os"),
      osVersion: str(ua, "os_version"), deviceType: str(ua, "device_type"), deviceModel: str(ua, "device_model"),
    },
    clientInfo: { ip: str(ci, "ip"), region: str(ci, "region"), regionSubdivision: str(ci, "region_subdivision"), city: str(ci, "city") },
    displayName: row.displayName ?? undefined,
  };
}

/** The credential as GET /api/v1/webauthn/credentials writes it, for the local API. */
export function credentialJson(row: CredentialRow): unknown {
  return toJson(webauthn.WebAuthnCredentialSchema, create(webauthn.WebAuthnCredentialSchema, credentialMessage(row)), { useProtoFieldName: true, alwaysEmitImplicit: true });
}

export function allAcceptedOptions(rpId: string, userId: string, rows: CredentialRow[]): MessageInitShape<typeof webauthn.AllAcceptedCredentialsOptionsSchema> {
  return { rpId, userId, allAcceptedCredentialIds: rows.map((r) => base64url(r.credentialId)) };
}
