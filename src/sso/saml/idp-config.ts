// The IdP side of a SAML connection, from its configuration: the metadata at idp_metadata_url (fetched with
// bounds, cached in the database for an hour, the cached copy used while the IdP is unreachable), or the entity
// id + SSO URL + certificates entered by hand. Values entered by hand win over the metadata's.
import type { Db } from "../../db/client.js";
import { fetchIdpText } from "../fetch.js";
import { SsoFailure } from "../failure.js";
import { SAML_NS, children, parseXml } from "./xml.js";

export const METADATA_TTL_MS = 60 * 60 * 1000;
const REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
const POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";

export interface IdpConfig {
  entityId: string;
  ssoUrl: string;
  /** HTTP-Redirect or HTTP-POST for the AuthnRequest */
  binding: "redirect" | "post";
  certificates: string[];
  /** where the configuration came from, for messages */
  source: string;
}

interface ParsedMetadata { entityId?: string; redirectUrl?: string; postUrl?: string; certificates: string[] }

export function parseIdpMetadata(xml: string): ParsedMetadata {
  const doc = parseXml(xml, "IdP metadata");
  const root = doc.documentElement;
  const entity = root.localName === "EntityDescriptor" ? root : children(doc, SAML_NS.md, "EntityDescriptor")[0];
  if (!entity) throw new SsoFailure("invalid_saml_response", "the IdP metadata has no EntityDescriptor", "the document at idp_metadata_url is XML but not SAML 2.0 metadata (no md:EntityDescriptor)");
  const idp = children(entity, SAML_NS.md, "IDPSSODescriptor")[0];
  if (!idp) throw new SsoFailure("invalid_saml_response", "the IdP metadata describes no identity provider", "the metadata has no md:IDPSSODescriptor (is it the metadata of a service provider?)");
  const sso = children(idp, SAML_NS.md, "SingleSignOnService");
  const certs = children(idp, SAML_NS.md, "KeyDescriptor")
    .filter((k) => !k.getAttribute("use") || k.getAttribute("use") === "signing")
    .flatMap((k) => children(k, SAML_NS.ds, "X509Certificate").map((c) => (c.textContent ?? "").replace(/\s+/g, "")))
    .filter(Boolean);
  return {
    entityId: entity.getAttribute("entityID") ?? undefined,
    redirectUrl: sso.find((s) => s.getAttribute("Binding") === REDIRECT)?.getAttribute("Location") ?? undefined,
    postUrl: sso.find((s) => s.getAttribute("Binding") === POST)?.getAttribute("Location") ?? undefined,
    certificates: [...new Set(certs)].map(toPem),
  };
}

export function toPem(text: string): string {
  if (text.includes("BEGIN CERTIFICATE")) return text.trim();
  return `-----BEGIN CERTIFICATE-----\n${text.replace(/\s+/g, "").replace(/(.{64})/g, "$1\n").trim()}\n-----END CERTIFICATE-----`;
}

async function metadataOf(db: Db, connectionId: string, url: string): Promise<ParsedMetadata> {
  const cached = await db.samlIdpMetadata.findUnique({ where: { connectionId } });
  const fresh = cached && cached.url === url && Date.now() - cached.fetchedAt.getTime() < METADATA_TTL_MS;
  if (cached && fresh) return parseIdpMetadata(cached.xml);
  try {
    const xml = await fetchIdpText(url, "SAML metadata");
    const parsed = parseIdpMetadata(xml);
    const data = { url, xml, fetchedAt: new Date() };
    await db.samlIdpMetadata.upsert({ where: { connectionId }, create: { connectionId, ...data }, update: data });
    return parsed;
  } catch (e) {
    if (cached && cached.url === url) return parseIdpMetadata(cached.xml); // the IdP is down: the last good copy
    throw e;
  }
}

const str = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : undefined);

export async function idpConfig(db: Db, connectionId: string, settings: Record<string, unknown>): Promise<IdpConfig> {
  const url = str(settings.idp_metadata_url);
  const meta: ParsedMetadata = url ? await metadataOf(db, connectionId, url) : { certificates: [] };
  const manualCerts = Array.isArray(settings.idp_certificates)
    ? (settings.idp_certificates as { certificate?: string }[]).map((c) => c.certificate).filter((c): c is string => !!c) : [];
  const wantPost = settings.idp_sso_request_binding === "HTTP_POST";
  const manualSso = str(settings.idp_sso_url);
  const ssoUrl = manualSso ?? (wantPost ? meta.postUrl ?? meta.redirectUrl : meta.redirectUrl ?? meta.postUrl);
  const binding: IdpConfig["binding"] = manualSso ? (wantPost ? "post" : "redirect")
    : wantPost && meta.postUrl ? "post" : meta.redirectUrl ? "redirect" : "post";
  const entityId = str(settings.idp_entity_id) ?? meta.entityId;
  const certificates = [...new Set([...manualCerts, ...meta.certificates])];
  const source = url ? `the IdP metadata at ${url}` : "the connection's IdP settings";
  const missing = [!entityId && "the IdP entity id (idp_entity_id)", !ssoUrl && "the IdP SSO URL (idp_sso_url)", !certificates.length && "the IdP signing certificate (idp_certificate)"].filter(Boolean);
  if (missing.length) throw new SsoFailure("connection_not_active", "the SAML connection is not fully configured", `${source} does not give ${missing.join(", ")}`);
  return { entityId: entityId!, ssoUrl: ssoUrl!, binding, certificates, source };
}
