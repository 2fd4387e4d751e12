// The connection's attribute mapping: what the IdP sent (SAML attributes, OIDC claims) -> the SsoProfile the login
// flow provisions. A mapping entry is "<profile field>": "<IdP attribute or claim name>"; a field without an entry
// is looked up under the names the common IdPs use (Okta, Entra ID, Google Workspace, Keycloak, ADFS); any other
// mapped key becomes a custom attribute. Every value is bounded so an IdP cannot grow a user row without limit.
import type { SsoProfile } from "./adapter.js";
import { SsoFailure } from "./failure.js";

const MS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims";
const DEFAULT_NAMES: Record<string, string[]> = {
  email: ["email", "mail", "emailAddress", "Email", "user.email", `${MS}/emailaddress`, "urn:oid:0.9.2342.19200300.100.1.3", "upn", `${MS}/upn`],
  given_name: ["given_name", "firstName", "givenName", "first_name", "FirstName", "user.firstName", `${MS}/givenname`, "urn:oid:2.5.4.42"],
  family_name: ["family_name", "lastName", "surname", "sn", "last_name", "LastName", "user.lastName", `${MS}/surname`, "urn:oid:2.5.4.4"],
  name: ["name", "displayName", "display_name", "cn", `${MS}/name`, "http://schemas.microsoft.com/identity/claims/displayname", "urn:oid:2.16.840.1.113730.3.1.241"],
  groups: ["groups", "memberOf", "Groups", "group", "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups", "http://schemas.xmlsoap.org/claims/Group"],
  email_verified: ["email_verified"],
};
/** keys a mapping may use for the standard fields */
const ALIASES: Record<string, string> = { first_name: "given_name", firstname: "given_name", last_name: "family_name", lastname: "family_name", display_name: "name", group: "groups" };
const STANDARD = new Set(Object.keys(DEFAULT_NAMES));

const MAX_VALUE = 1024;
const MAX_GROUPS = 200;
const MAX_RAW = 100;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

function firstString(v: unknown): string | undefined {
  if (Array.isArray(v)) return v.map(firstString).find((x) => x !== undefined);
  if (typeof v === "string") return v.trim() ? v.trim().slice(0, MAX_VALUE) : undefined;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

function strings(v: unknown): string[] {
  const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  return list.map(firstString).filter((x): x is string => x !== undefined).slice(0, MAX_GROUPS);
}

/** The raw attributes, bounded (count and value size), for the test result and the profile. */
export function boundedRaw(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw).slice(0, MAX_RAW)) {
    if (typeof v === "string") out[k] = v.slice(0, MAX_VALUE);
    else if (Array.isArray(v)) out[k] = v.slice(0, MAX_GROUPS).map((x) => (typeof x === "string" ? x.slice(0, MAX_VALUE) : x));
    else if (typeof v === "number" || typeof v === "boolean" || v === null) out[k] = v;
    else out[k] = JSON.stringify(v).slice(0, MAX_VALUE);
  }
  return out;
}

export interface MappingInput {
  /** attributes / claims as the IdP sent them (name -> value or values) */
  raw: Record<string, unknown>;
  mapping: Record<string, string>;
  /** NameID / sub */
  subject: string;
  /** the subject is an email address (NameID format emailAddress) */
  subjectIsEmail?: boolean;
  /** email_verified when the IdP does not say (SAML: the IdP vouches for the address it asserts) */
  emailVerifiedDefault: boolean;
  /** what the person configuring the IdP should add when the email is missing ("attribute" / "claim") */
  kind: "attribute" | "claim";
}

export function mapProfile(m: MappingInput): SsoProfile {
  const mapped = new Map<string, string>();
  const custom: Record<string, unknown> = {};
  for (const [key, source] of Object.entries(m.mapping)) {
    const field = ALIASES[key.toLowerCase()] ?? key;
    if (STANDARD.has(field)) mapped.set(field, source);
    else if (source in m.raw) custom[key] = Array.isArray(m.raw[source]) && (m.raw[source] as unknown[]).length > 1 ? strings(m.raw[source]) : firstString(m.raw[source]);
  }
  const lookup = (field: string): unknown => {
    const explicit = mapped.get(field);
    if (explicit !== undefined) return m.raw[explicit];
    for (const name of DEFAULT_NAMES[field]) if (name in m.raw) return m.raw[name];
    return undefined;
  };

  let email = firstString(lookup("email"));
  if (!email && (m.subjectIsEmail || EMAIL.test(m.subject))) email = m.subject;
  if (!email || !EMAIL.test(email)) {
    const source = mapped.get("email");
    const received = Object.keys(m.raw).slice(0, 20).join(", ") || "none";
    throw new SsoFailure("mandatory_attribute_missing",
      email ? `the identity provider sent "${email.slice(0, 100)}" as the email, which is not an email address` : "the identity provider did not send the user's email",
      source
        ? `the attribute mapping takes email from the ${m.kind} "${source}", which the identity provider did not send (received: ${received})`
        : `no ${m.kind} named email was received (received: ${received}); send the user's email as the ${m.kind} "email", or map the connection's "email" to the ${m.kind} that carries it`);
  }
  const verified = firstString(lookup("email_verified"));
  const givenName = firstString(lookup("given_name"));
  const familyName = firstString(lookup("family_name"));
  return {
    subject: m.subject.slice(0, MAX_VALUE),
    email,
    emailVerified: verified === undefined ? m.emailVerifiedDefault : verified === "true",
    givenName,
    familyName,
    name: firstString(lookup("name")) ?? ([givenName, familyName].filter(Boolean).join(" ") || undefined),
    groups: strings(lookup("groups")),
    customAttributes: custom,
    rawAttributes: boundedRaw(m.raw),
  };
}
