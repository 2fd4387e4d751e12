// What a SAML connection's stored configuration (SAMLConnectionConfigResponse as protojson) means for the SP.
import type { SsoConnection } from "../adapter.js";

export const CLOCK_SKEW_MS = 2 * 60 * 1000;

const NAME_ID_FORMATS: Record<string, string> = {
  EMAIL: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
  TRANSIENT: "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
  PERSISTENT: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
  UNSPECIFIED: "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
};
export const EMAIL_NAME_ID = NAME_ID_FORMATS.EMAIL;

export const samlSettings = (c: SsoConnection): Record<string, unknown> => (c.settingsCase === "samlConfig" && c.settings ? c.settings : {});

export function spEntityId(base: string, c: SsoConnection): string {
  const s = samlSettings(c).sp_entity_id;
  return typeof s === "string" && s.trim() ? s.trim() : `${base}/sso/v1/saml/${c.id}`;
}

export function nameIdFormat(c: SsoConnection): string {
  return NAME_ID_FORMATS[String(samlSettings(c).idp_name_id_format ?? "EMAIL")] ?? NAME_ID_FORMATS.EMAIL;
}

/** saml_signing_option -> which signatures are required. Nothing unsigned is ever accepted: at least one of the two. */
export function requiredSignatures(c: SsoConnection): { response: boolean; assertion: boolean } {
  switch (samlSettings(c).saml_signing_option) {
    case "SAML_ONLY_ASSERTION_SIGNING": return { response: false, assertion: true };
    case "SAML_RESPONSE_ASSERTION_SIGNING": return { response: true, assertion: true };
    case "SAML_ONLY_RESPONSE_SIGNING": return { response: true, assertion: false };
    default: return { response: false, assertion: false }; // NO_SIGNING, SAML_RESPONSE_OR_ASSERTION_SIGNING: either one
  }
}

export const flag = (c: SsoConnection, name: string) => samlSettings(c)[name] === true;
