// Per-type connection configuration: which member of the Connection.settings oneof a type uses, its defaults,
// how a PATCH merges into it, what the server fills in itself (callback URLs), and when a connection counts as
// configured (status). Stored as protojson of the response-side message, so every field the contract defines
// round-trips; SAML is the one case whose request message differs (one idp_certificate in, a list out).
import { X509Certificate } from "node:crypto";
import { create, fromJson, toJson, type DescMessage, type JsonObject, type Message } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { connections } from "../../protocol/descriptors.js";
import { invalidArgument } from "../../protocol/errors.js";
import { newId } from "../../protocol/ids.js";

const T = connections.ConnectionType;
export type SettingsCase = "oidcConfig" | "samlConfig" | "oauthConfig" | "passwordlessConfig" | "staticConfig" | "webauthnConfig" | "googleDwdConfig";

/** The stored (response-side) message of each oneof member, and its proto field name for errors. */
const CASES: Record<SettingsCase, { schema: DescMessage; field: string }> = {
  oidcConfig: { schema: connections.OIDCConnectionConfigSchema, field: "oidc_config" },
  samlConfig: { schema: connections.SAMLConnectionConfigResponseSchema, field: "saml_config" },
  oauthConfig: { schema: connections.OAuthConnectionConfigSchema, field: "oauth_config" },
  passwordlessConfig: { schema: connections.PasswordLessConfigSchema, field: "passwordless_config" },
  staticConfig: { schema: connections.StaticAuthConfigSchema, field: "static_config" },
  webauthnConfig: { schema: connections.WebAuthConfigurationSchema, field: "webauthn_config" },
  googleDwdConfig: { schema: connections.GoogleDWDConfigSchema, field: "google_dwd_config" },
};

/** The configuration a connection type carries ("Present only when type is …"); PASSWORD has none. */
export function settingsCaseOf(type: connections.ConnectionType): SettingsCase | undefined {
  switch (type) {
    case T.OIDC: return "oidcConfig";
    case T.SAML: return "samlConfig";
    case T.OAUTH: return "oauthConfig";
    case T.PASSWORDLESS: return "passwordlessConfig";
    case T.BASIC: case T.BEARER: case T.API_KEY: return "staticConfig";
    case T.WEBAUTHN: return "webauthnConfig";
    default: return undefined;
  }
}

/** Google domain-wide delegation is an OAuth app's alternative configuration. */
function caseFitsType(c: SettingsCase, type: connections.ConnectionType): boolean {
  return settingsCaseOf(type) === c || (c === "googleDwdConfig" && type === T.OAUTH);
}

/** What a new connection of the type starts with: the documented defaults where there are any. */
export function initialSettings(type: connections.ConnectionType): { case: SettingsCase; json: JsonObject } | undefined {
  const c = settingsCaseOf(type);
  if (!c) return undefined;
  if (c === "passwordlessConfig") {
    return { case: c, json: {
      type: "LINK_OTP", frequency: 1, validity: 600, enforce_same_browser_origin: false, code_challenge_length: 6,
      code_challenge_type: "NUMERIC", regenerate_passwordless_credentials_on_resend: true,
    } };
  }
  if (c === "oidcConfig") return { case: c, json: { scopes: ["openid", "profile", "email"], token_auth_type: "URL_PARAMS", pkce_enabled: false } };
  if (c === "samlConfig") return { case: c, json: {
    idp_name_id_format: "EMAIL", idp_sso_request_binding: "HTTP_POST", idp_slo_request_binding: "HTTP_POST",
    // IdP-initiated responses only hand the application an idp_initiated_login token to start an SP-initiated login
    // with, and the request message has no field to turn them off: on, as in the cloud
    saml_signing_option: "SAML_ONLY_RESPONSE_SIGNING", allow_idp_initiated_login: true, force_authn: false,
    // the SP key pair (src/sso/saml/sp-certificate.ts) is generated under this id when it is first needed
    certificate_id: newId("cer"),
  } };
  return { case: c, json: {} };
}

/** Fields the server computes; a value sent for them is ignored. */
const READ_ONLY: Partial<Record<SettingsCase, string[]>> = {
  oidcConfig: ["redirect_uri", "post_logout_redirect_uri", "backchannel_logout_redirect_uri"],
  samlConfig: ["sp_metadata_url", "sp_slo_url", "idp_certificates", "sp_assertion_url", "certificate_id"],
  oauthConfig: ["redirect_uri"],
};

const SECRET_FIELDS = ["client_secret", "service_account_json"];

/** A stored secret as responses show it: enough to recognise, never the value. */
export function maskSecret(secret: string): string {
  return secret.length <= 4 ? "****" : `****${secret.slice(-4)}`;
}

/** Every enum value (including inside lists and nested messages) must be one the contract defines. */
function checkEnums(schema: DescMessage, msg: Message, prefix: string) {
  for (const f of schema.fields) {
    const v = (msg as any)[f.localName];
    const path = prefix + f.name;
    if (f.fieldKind === "enum" && v !== undefined && !f.enum.values.some((x) => x.number === v))
      throw invalidArgument(path, `unknown value ${v}`);
    if (f.fieldKind === "list" && f.listKind === "enum")
      for (const x of v as number[]) if (!f.enum.values.some((e) => e.number === x)) throw invalidArgument(path, `unknown value ${x}`);
    if (f.fieldKind === "message" && v && !f.message.typeName.startsWith("google.protobuf.")) checkEnums(f.message, v, `${path}.`);
  }
}

const URL_FIELDS = new Set([
  "issuer", "discovery_endpoint", "authorize_uri", "token_uri", "user_info_uri", "jwks_uri", "idp_metadata_url",
  "idp_sso_url", "idp_slo_url", "default_redirect_uri",
]);

function checkUrl(path: string, value: string, allowHttp: boolean) {
  let u: URL;
  try { u = new URL(value); } catch { throw invalidArgument(path, `"${value}" is not an absolute URL`); }
  if (u.protocol === "https:") return;
  if (u.protocol === "http:" && allowHttp) return;
  throw invalidArgument(path, u.protocol === "http:" ? "must be an https URL (set debug_enabled to allow http endpoints)" : "must be an https URL");
}

export interface MergeInput {
  type: connections.ConnectionType;
  debugEnabled: boolean;
  current: { case: SettingsCase; json: JsonObject } | undefined;
  patch: { case: SettingsCase | undefined; value?: Message };
  /** proto path of the request's connection message, for error fields ("connection") */
  prefix: string;
}

/**
 * The configuration after a PATCH: only the fields the request sets change ("Only specified fields will be
 * modified"); nested messages and lists are replaced whole. A masked secret echoed back from a GET is ignored.
 */
export function mergeSettings(m: MergeInput): { case: SettingsCase; json: JsonObject } | undefined {
  const { patch, current } = m;
  if (!patch.case || !patch.value) return current;
  const info = CASES[patch.case];
  const path = `${m.prefix}.${info.field}`;
  if (!caseFitsType(patch.case, m.type))
    throw invalidArgument(path, `does not apply to a ${connections.ConnectionType[m.type]} connection${settingsCaseOf(m.type) ? ` (use ${CASES[settingsCaseOf(m.type)!].field})` : ""}`);
  const requestSchema = patch.case === "samlConfig" ? connections.SAMLConnectionConfigRequestSchema : info.schema;
  checkEnums(requestSchema, patch.value, `${path}.`);
  const incoming = toJson(requestSchema, patch.value, { useProtoFieldName: true }) as JsonObject;
  const base: JsonObject = current?.case === patch.case ? { ...current.json } : {};
  for (const k of READ_ONLY[patch.case] ?? []) delete incoming[k];
  for (const k of SECRET_FIELDS) {
    const v = incoming[k];
    if (typeof v === "string" && typeof base[k] === "string" && v === maskSecret(base[k] as string)) delete incoming[k];
  }
  if (patch.case === "samlConfig" && typeof incoming.idp_certificate === "string") {
    base.idp_certificates = addCertificate(base.idp_certificates, incoming.idp_certificate, `${path}.idp_certificate`);
    delete incoming.idp_certificate;
  }
  const merged: JsonObject = { ...base, ...incoming };
  for (const [k, v] of Object.entries(merged)) {
    if (URL_FIELDS.has(k) && typeof v === "string" && v !== "") checkUrl(`${path}.${k}`, v, m.debugEnabled);
  }
  checkLimits(patch.case, merged, path);
  try {
    fromJson(info.schema, merged); // the stored form must stay a valid message
  } catch (e) {
    throw invalidArgument(path, (e as Error).message);
  }
  return { case: patch.case, json: merged };
}

function checkLimits(c: SettingsCase, json: JsonObject, path: string) {
  if (c !== "passwordlessConfig") return;
  const len = Number(json.code_challenge_length ?? 6);
  if (!Number.isInteger(len) || len < 4 || len > 10) throw invalidArgument(`${path}.code_challenge_length`, "must be between 4 and 10");
  const validity = Number(json.validity ?? 600);
  if (!Number.isInteger(validity) || validity < 60 || validity > 86_400) throw invalidArgument(`${path}.validity`, "must be between 60 and 86400 seconds");
  const frequency = Number(json.frequency ?? 1);
  if (!Number.isInteger(frequency) || frequency < 1 || frequency > 100) throw invalidArgument(`${path}.frequency`, "must be between 1 and 100");
}

/** A PEM (or bare base64 DER) X.509 certificate, parsed so its issuer and expiry are known; re-adding one is a no-op. */
function addCertificate(existing: unknown, text: string, path: string): JsonObject[] {
  const list = Array.isArray(existing) ? (existing as JsonObject[]) : [];
  const pem = text.includes("BEGIN CERTIFICATE") ? text.trim()
    : `-----BEGIN CERTIFICATE-----\n${text.replace(/\s+/g, "").replace(/(.{64})/g, "$1\n").trim()}\n-----END CERTIFICATE-----`;
  let cert: X509Certificate;
  try { cert = new X509Certificate(pem); } catch { throw invalidArgument(path, "is not a valid X.509 certificate (PEM or base64 DER)"); }
  if (list.some((c) => c.certificate === pem)) return list;
  const entry = toJson(connections.IDPCertificateSchema, create(connections.IDPCertificateSchema, {
    id: newId("cert"), certificate: pem, issuer: cert.issuer.replace(/\n/g, ", "),
    createTime: timestampFromDate(new Date()), expiryTime: timestampFromDate(new Date(cert.validTo)),
  }), { useProtoFieldName: true }) as JsonObject;
  return [...list, entry];
}

/** DRAFT: nothing configured yet; IN_PROGRESS: partly; COMPLETED: enough to sign users in. */
export function statusOf(type: connections.ConnectionType, settings: { case: SettingsCase; json: JsonObject } | undefined): connections.ConnectionStatus {
  const S = connections.ConnectionStatus;
  const j = settings?.json ?? {};
  const has = (k: string) => typeof j[k] === "string" ? (j[k] as string) !== "" : Array.isArray(j[k]) ? (j[k] as unknown[]).length > 0 : j[k] !== undefined && j[k] !== null;
  const touched = ["client_id", "client_secret", "issuer", "discovery_endpoint", "authorize_uri", "idp_metadata_url", "idp_sso_url", "idp_entity_id", "idp_certificates"].some(has);
  switch (type) {
    case T.OIDC:
      if (has("client_id") && has("client_secret") && (has("issuer") || has("discovery_endpoint") || (has("authorize_uri") && has("token_uri")))) return S.COMPLETED;
      return touched ? S.IN_PROGRESS : S.DRAFT;
    case T.SAML:
      if (has("idp_metadata_url") || (has("idp_sso_url") && has("idp_entity_id") && has("idp_certificates"))) return S.COMPLETED;
      return touched ? S.IN_PROGRESS : S.DRAFT;
    case T.OAUTH:
      if (j.use_platform_creds === true || (has("client_id") && has("client_secret"))) return S.COMPLETED;
      return touched ? S.IN_PROGRESS : S.DRAFT;
    default:
      return S.COMPLETED;
  }
}

export interface ServerUrls { base: string }

/** The stored configuration as a message, with secrets masked and the server's own endpoints filled in. */
export function settingsMessage(id: string, stored: { case: SettingsCase; json: JsonObject } | undefined, urls: ServerUrls): connections.Connection["settings"] {
  if (!stored) return { case: undefined };
  const json: JsonObject = { ...stored.json };
  for (const k of SECRET_FIELDS) if (typeof json[k] === "string" && json[k] !== "") json[k] = maskSecret(json[k] as string);
  const sso = `${urls.base}/sso/v1`;
  if (stored.case === "oidcConfig") {
    json.redirect_uri = `${sso}/oidc/${id}/callback`;
    json.post_logout_redirect_uri = `${sso}/oidc/${id}/logout/callback`;
    json.backchannel_logout_redirect_uri = `${sso}/oidc/${id}/backchannel-logout`;
  } else if (stored.case === "samlConfig") {
    json.sp_entity_id ||= `${sso}/saml/${id}`;
    json.sp_assertion_url = `${sso}/saml/${id}/callback`; // the ACS (HTTP-POST binding)
    json.sp_metadata_url = `${sso}/saml/${id}/metadata`;
    json.sp_slo_url = `${sso}/saml/${id}/slo/callback`;
  } else if (stored.case === "oauthConfig") {
    json.redirect_uri = `${sso}/oauth/${id}/callback`;
  }
  return { case: stored.case, value: fromJson(CASES[stored.case].schema, json, { ignoreUnknownFields: true }) } as connections.Connection["settings"];
}

export function storedSettings(row: { settingsCase: string | null; settings: unknown }): { case: SettingsCase; json: JsonObject } | undefined {
  if (!row.settingsCase || !(row.settingsCase in CASES)) return undefined;
  return { case: row.settingsCase as SettingsCase, json: (row.settings ?? {}) as JsonObject };
}
