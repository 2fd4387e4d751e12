// A real SAML 2.0 identity provider for tests, in process: its own key pair and metadata, an SSO endpoint that
// reads the AuthnRequest (HTTP-Redirect: inflated, its ID and ACS taken, its signature checked when present) and
// answers with a form posting a Response, signed with xml-crypto (response, assertion or both) and optionally
// encrypted with xml-encryption to the SP's certificate. Every field is overridable, so negative tests can send
// exactly the wrong thing (expired, other audience, wrapped signature, ...).
import { createVerify, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { inflateRawSync } from "node:zlib";
import { SignedXml } from "xml-crypto";
import xmlenc from "xml-encryption";
import { generate } from "selfsigned";

export interface SamlUser { nameId: string; attributes: Record<string, string | string[]> }

export interface ResponseOptions {
  acs: string;
  audience: string;
  inResponseTo?: string;
  user?: SamlUser;
  issuer?: string;
  sign?: "response" | "assertion" | "both" | "none";
  /** the SP certificate (PEM) to encrypt the assertion to */
  encryptTo?: string;
  destination?: string | null;
  recipient?: string;
  notBefore?: Date;
  notOnOrAfter?: Date;
  assertionId?: string;
  nameIdFormat?: string;
  /** another key pair's signature (a wrong certificate) */
  signWith?: { key: string; cert: string };
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const certBody = (pem: string) => pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, "");

export async function keyPair(cn = "Test SAML IdP"): Promise<{ key: string; cert: string }> {
  const now = new Date();
  const p = await generate([{ name: "commonName", value: cn }], { keySize: 2048, algorithm: "sha256", notBeforeDate: now, notAfterDate: new Date(now.getTime() + 365 * 86_400_000) });
  return { key: p.private, cert: p.cert };
}

function sign(xml: string, ref: "Response" | "Assertion", k: { key: string; cert: string }): string {
  const sig = new SignedXml({
    privateKey: k.key, publicCert: k.cert,
    signatureAlgorithm: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", canonicalizationAlgorithm: "http://www.w3.org/2001/10/xml-exc-c14n#",
  });
  const xpath = ref === "Response" ? "/*[local-name(.)='Response']" : "//*[local-name(.)='Assertion']";
  sig.addReference({ xpath, digestAlgorithm: "http://www.w3.org/2001/04/xmlenc#sha256", transforms: ["http://www.w3.org/2000/09/xmldsig#enveloped-signature", "http://www.w3.org/2001/10/xml-exc-c14n#"] });
  sig.computeSignature(xml, { location: { reference: `${xpath}/*[local-name(.)='Issuer']`, action: "after" } });
  return sig.getSignedXml();
}

function encrypt(xml: string, cert: string): Promise<string> {
  return new Promise((resolve, reject) => xmlenc.encrypt(xml, {
    rsa_pub: cert, pem: cert, encryptionAlgorithm: "http://www.w3.org/2009/xmlenc11#aes256-gcm", keyEncryptionAlgorithm: "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
  }, (err: Error | null, out: string) => (err ? reject(err) : resolve(out))));
}

export class TestSamlIdp {
  server!: http.Server;
  url = "";
  entityId = "";
  keys!: { key: string; cert: string };
  /** the user the SSO endpoint signs in */
  user: SamlUser = { nameId: "ada@idp.example", attributes: { email: "ada@idp.example", firstName: "Ada", lastName: "Lovelace", groups: ["admins", "engineers"] } };
  /** overrides for the answers of the SSO endpoint */
  answer: Partial<ResponseOptions> = {};
  /** the SP certificate to encrypt to (set to test encrypted assertions) */
  encryptTo?: string;
  lastRequest?: { id: string; acs: string; issuer: string; signed: boolean; signatureValid?: boolean; forceAuthn: boolean; xml: string };
  /** the SP's certificate, to check signed AuthnRequests */
  spCert?: string;

  static async start(): Promise<TestSamlIdp> {
    const idp = new TestSamlIdp();
    idp.keys = await keyPair();
    idp.server = http.createServer((req, res) => idp.handle(req, res).catch((e) => { res.statusCode = 500; res.end(String(e)); }));
    await new Promise<void>((r) => idp.server.listen(0, "127.0.0.1", r));
    idp.url = `http://127.0.0.1:${(idp.server.address() as AddressInfo).port}`;
    idp.entityId = `${idp.url}/entity`;
    return idp;
  }

  close() { return new Promise<void>((r) => this.server.close(() => r())); }

  get ssoUrl() { return `${this.url}/sso`; }
  get metadataUrl() { return `${this.url}/metadata`; }

  metadata(): string {
    return `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${esc(this.entityId)}">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${certBody(this.keys.cert)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${esc(this.ssoUrl)}"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${esc(this.ssoUrl)}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
  }

  /** The unsigned Response XML (assertion inside), before signing and encryption. */
  responseXml(o: ResponseOptions): { xml: string; assertionId: string } {
    const now = new Date();
    const user = o.user ?? this.user;
    const issuer = o.issuer ?? this.entityId;
    const assertionId = o.assertionId ?? `_a${randomBytes(12).toString("hex")}`;
    const notBefore = o.notBefore ?? new Date(now.getTime() - 60_000);
    const notOnOrAfter = o.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000);
    const irt = o.inResponseTo ? ` InResponseTo="${esc(o.inResponseTo)}"` : "";
    const destination = o.destination === null ? "" : ` Destination="${esc(o.destination ?? o.acs)}"`;
    const attrs = Object.entries(user.attributes).map(([name, v]) =>
      `<saml:Attribute Name="${esc(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${(Array.isArray(v) ? v : [v]).map((x) => `<saml:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">${esc(x)}</saml:AttributeValue>`).join("")}</saml:Attribute>`).join("");
    const assertion = `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${assertionId}" Version="2.0" IssueInstant="${iso(now)}"><saml:Issuer>${esc(issuer)}</saml:Issuer><saml:Subject><saml:NameID Format="${esc(o.nameIdFormat ?? "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress")}">${esc(user.nameId)}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${iso(notOnOrAfter)}" Recipient="${esc(o.recipient ?? o.acs)}"${irt}/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="${iso(notBefore)}" NotOnOrAfter="${iso(notOnOrAfter)}"><saml:AudienceRestriction><saml:Audience>${esc(o.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="${iso(now)}" SessionIndex="_s${randomBytes(8).toString("hex")}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement>${attrs}</saml:AttributeStatement></saml:Assertion>`;
    const xml = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r${randomBytes(12).toString("hex")}" Version="2.0" IssueInstant="${iso(now)}"${destination}${irt}><saml:Issuer>${esc(issuer)}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>${assertion}</samlp:Response>`;
    return { xml, assertionId };
  }

  /** A signed (and optionally encrypted) Response, base64 as the SAMLResponse form field. */
  async response(o: ResponseOptions): Promise<string> {
    const k = o.signWith ?? this.keys;
    const mode = o.sign ?? "both";
    let { xml } = this.responseXml(o);
    if (mode === "assertion" || mode === "both") xml = sign(xml, "Assertion", k);
    const encryptTo = o.encryptTo ?? this.encryptTo;
    if (encryptTo) {
      const start = xml.indexOf("<saml:Assertion"), end = xml.indexOf("</saml:Assertion>") + "</saml:Assertion>".length;
      const encrypted = await encrypt(xml.slice(start, end), encryptTo);
      xml = `${xml.slice(0, start)}<saml:EncryptedAssertion>${encrypted}</saml:EncryptedAssertion>${xml.slice(end)}`;
    }
    if (mode === "response" || mode === "both") xml = sign(xml, "Response", k);
    return Buffer.from(xml).toString("base64");
  }

  /** Reads an HTTP-Redirect AuthnRequest URL (as the SP sent the browser). */
  readRequest(url: string) {
    const u = new URL(url);
    const xml = inflateRawSync(Buffer.from(u.searchParams.get("SAMLRequest") ?? "", "base64")).toString("utf8");
    const attr = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(xml)?.[1] ?? "";
    const signature = u.searchParams.get("Signature");
    let signatureValid: boolean | undefined;
    if (signature && this.spCert) {
      // the redirect binding signs the raw query "SAMLRequest=…&RelayState=…&SigAlg=…" in that order
      const raw = u.search.slice(1).split("&");
      const pick = (k: string) => raw.find((p) => p.startsWith(`${k}=`));
      const signed = ["SAMLRequest", "RelayState", "SigAlg"].map(pick).filter(Boolean).join("&");
      signatureValid = createVerify("RSA-SHA256").update(signed).verify(this.spCert, signature, "base64");
    }
    this.lastRequest = {
      id: attr("ID"), acs: attr("AssertionConsumerServiceURL"), issuer: /<saml:Issuer[^>]*>([^<]*)</.exec(xml)?.[1] ?? "",
      signed: !!signature, signatureValid, forceAuthn: attr("ForceAuthn") === "true", xml,
    };
    return { ...this.lastRequest, relayState: u.searchParams.get("RelayState") ?? undefined };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const u = new URL(req.url ?? "/", this.url);
    if (u.pathname === "/metadata") { res.setHeader("content-type", "application/samlmetadata+xml"); return void res.end(this.metadata()); }
    if (u.pathname === "/sso" && req.method === "GET") {
      const r = this.readRequest(u.href);
      const SAMLResponse = await this.response({ acs: r.acs, audience: r.issuer, inResponseTo: r.id, ...this.answer });
      return void this.sendForm(res, r.acs, SAMLResponse, r.relayState);
    }
    if (u.pathname === "/idp-initiated") {
      // an IdP-initiated login: a Response answering no request, to the ACS given
      const acs = u.searchParams.get("acs") ?? "", audience = u.searchParams.get("audience") ?? "";
      const SAMLResponse = await this.response({ acs, audience, ...this.answer });
      return void this.sendForm(res, acs, SAMLResponse, u.searchParams.get("relay_state") ?? undefined);
    }
    res.statusCode = 404; res.end("not found");
  }

  private sendForm(res: http.ServerResponse, acs: string, SAMLResponse: string, relayState?: string) {
    res.setHeader("content-type", "text/html; charset=utf-8");
    res.end(`<!doctype html><html><body><h1>Test SAML IdP</h1><p>Signed in as ${esc(this.user.nameId)}</p>
<form method="post" action="${esc(acs)}"><input type="hidden" name="SAMLResponse" value="${SAMLResponse}">${relayState ? `<input type="hidden" name="RelayState" value="${esc(relayState)}">` : ""}<button type="submit">Continue</button></form></body></html>`);
  }
}

/** The SAMLResponse and RelayState of the IdP's auto-post form page. */
export function formFields(page: string): { action: string; SAMLResponse: string; RelayState?: string } {
  const action = /action="([^"]*)"/.exec(page)?.[1] ?? "";
  const value = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(page)?.[1];
  return { action: action.replace(/&amp;/g, "&"), SAMLResponse: value("SAMLResponse") ?? "", RelayState: value("RelayState")?.replace(/&amp;/g, "&") };
}
