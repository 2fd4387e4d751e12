// The SAML 2.0 SP against a real in-process IdP (test/helpers/saml-idp.ts, signing with xml-crypto): SP metadata,
// SP-initiated login (HTTP-Redirect, signed requests, HTTP-POST), encrypted assertions, IdP-initiated login, and a
// refusal for each thing the standard makes the SP check, including XML signature wrapping and replay.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { keyPair, TestSamlIdp } from "../helpers/saml-idp.js";
import { samlAdapter } from "../../src/sso/saml/adapter.js";
import type { SsoAdapter, SsoFinishResult } from "../../src/sso/adapter.js";
import { fakeRequest, samlConnection, ssoConnectionOf, type LoggedWarning } from "./fixtures.js";
import { isSsoFailure } from "../../src/sso/failure.js";

describe("SAML service provider (adapter level)", () => {
  let s: TestServer;
  let idp: TestSamlIdp;
  let adapter: SsoAdapter;
  beforeAll(async () => {
    [s, idp] = await Promise.all([startTestServer(), TestSamlIdp.start()]);
    adapter = samlAdapter({ db: s.db, environmentUrl: s.url });
  });
  afterAll(async () => { await s?.close(); await idp?.close(); });

  const acsOf = (id: string) => `${s.url}/sso/v1/saml/${id}/callback`;
  const entityOf = (id: string) => `${s.url}/sso/v1/saml/${id}`;

  async function start(id: string, loginId = "lri_000000000000000001", extra: Record<string, unknown> = {}) {
    const connection = await ssoConnectionOf(s, id);
    return adapter.start({ connection, loginId, callbackUrl: acsOf(id), ...extra });
  }
  async function finish(id: string, SAMLResponse: string, warnings: LoggedWarning[] = [], RelayState?: string): Promise<SsoFinishResult> {
    const connection = await ssoConnectionOf(s, id);
    return adapter.finish({ connection, request: fakeRequest({ body: { SAMLResponse, RelayState } }, warnings), callbackUrl: acsOf(id), pendingLogin: async () => undefined });
  }
  /** start a login and return the IdP's view of the AuthnRequest */
  async function requested(id: string) {
    const started = await start(id);
    expect(started.kind).toBe("redirect");
    return idp.readRequest((started as { url: string }).url);
  }
  const metadataConnection = (extra: Record<string, unknown> = {}, o: { attributeMapping?: Record<string, string> } = {}) =>
    samlConnection(s, { idp_metadata_url: idp.metadataUrl, saml_signing_option: "SAML_RESPONSE_OR_ASSERTION_SIGNING", idp_sso_request_binding: "HTTP_REDIRECT", ...extra }, o);

  it("publishes SP metadata at sp_metadata_url and the entity id; the connection shows certificate_id and the ACS", async () => {
    const { id, connection } = await metadataConnection({ want_request_signed: true });
    const saml = connection.saml_config;
    expect(saml).toMatchObject({ sp_entity_id: entityOf(id), sp_assertion_url: acsOf(id), sp_metadata_url: `${entityOf(id)}/metadata` });
    expect(saml.certificate_id).toMatch(/^cer_\d{18}$/);
    for (const url of [saml.sp_metadata_url, entityOf(id)]) {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("application/samlmetadata+xml");
      const xml = await res.text();
      expect(xml).toContain(`entityID="${entityOf(id)}"`);
      expect(xml).toContain(`Location="${acsOf(id)}"`);
      expect(xml).toContain("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress");
      expect(xml).toMatch(/<KeyDescriptor use="signing">[\s\S]*<KeyDescriptor use="encryption">/);
      expect(xml).toContain('AuthnRequestsSigned="true"');
    }
    // requests not signed: only the encryption certificate, and no promise of signed requests
    const unsigned = await metadataConnection();
    const xml = await (await fetch(`${entityOf(unsigned.id)}/metadata`)).text();
    expect(xml).not.toContain('use="signing"');
    expect(xml).toContain('<KeyDescriptor use="encryption">');
    expect(xml).toContain('AuthnRequestsSigned="false"');
    const row = await s.db.samlSpCertificate.findUniqueOrThrow({ where: { connectionId: id } });
    expect(row.id).toBe(saml.certificate_id);
    expect(row.privateKey).not.toContain("PRIVATE KEY"); // sealed
    expect((await fetch(`${s.url}/sso/v1/saml/conn_000000000000000000/metadata`)).status).toBe(404);
  });

  it("SP-initiated: AuthnRequest by HTTP-Redirect, signed Response at the ACS -> mapped profile; the request is taken once", async () => {
    const { id } = await metadataConnection({}, { attributeMapping: { department: "dept" } });
    idp.user = { nameId: "ada@idp.example", attributes: { email: "ada@idp.example", firstName: "Ada", lastName: "Lovelace", groups: ["admins", "engineers"], dept: "R&D" } };
    const r = await requested(id);
    expect(r.acs).toBe(acsOf(id));
    expect(r.issuer).toBe(entityOf(id));
    expect(r.signed).toBe(false);
    expect(await s.db.ssoRequest.findUnique({ where: { id: r.id } })).toMatchObject({ connectionId: id, loginId: "lri_000000000000000001" });
    const response = await idp.response({ acs: r.acs, audience: r.issuer, inResponseTo: r.id });
    const result = await finish(id, response);
    expect(result).toMatchObject({
      kind: "profile", loginId: "lri_000000000000000001",
      profile: { subject: "ada@idp.example", email: "ada@idp.example", emailVerified: true, givenName: "Ada", familyName: "Lovelace", name: "Ada Lovelace", groups: ["admins", "engineers"], customAttributes: { department: "R&D" } },
    });
    expect((result as any).profile.rawAttributes).toMatchObject({ email: "ada@idp.example", dept: "R&D" });
    expect(await s.db.ssoRequest.findUnique({ where: { id: r.id } })).toBeNull();
    // the same response again: refused (replay), with the reason logged
    const warnings: LoggedWarning[] = [];
    const again = await finish(id, response, warnings);
    expect(again).toMatchObject({ kind: "error", error: "invalid_saml_response" });
    expect(warnings[0].obj).toMatchObject({ connectionId: id, error: "invalid_saml_response" });
  });

  it("signs the AuthnRequest when want_request_signed, with the key of the published certificate; ForceAuthn on prompt=login", async () => {
    const { id } = await metadataConnection({ want_request_signed: true });
    const xml = await (await fetch(`${entityOf(id)}/metadata`)).text();
    const body = /<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/.exec(xml)![1];
    idp.spCert = `-----BEGIN CERTIFICATE-----\n${body.replace(/\s+/g, "").replace(/(.{64})/g, "$1\n").trim()}\n-----END CERTIFICATE-----`;
    const started = await start(id, "lri_000000000000000002", { forceAuthn: true });
    const r = idp.readRequest((started as { url: string }).url);
    expect(r.signed).toBe(true);
    expect(r.signatureValid).toBe(true);
    expect(r.forceAuthn).toBe(true);
    idp.spCert = undefined;
  });

  it("HTTP-POST binding when the connection asks for it: a form to the IdP's POST location", async () => {
    const { id } = await metadataConnection({ idp_sso_request_binding: "HTTP_POST" });
    const started = await start(id);
    expect(started.kind).toBe("form");
    const form = started as { action: string; fields: Record<string, string> };
    expect(form.action).toBe(idp.ssoUrl);
    expect(Buffer.from(form.fields.SAMLRequest, "base64").toString()).toContain(`AssertionConsumerServiceURL="${acsOf(id)}"`);
  });

  it("decrypts an encrypted assertion (encrypted to the SP certificate)", async () => {
    const { id } = await metadataConnection({ assertion_encrypted: true });
    const r = await requested(id);
    const cert = (await s.db.samlSpCertificate.findUniqueOrThrow({ where: { connectionId: id } })).certificate;
    const response = await idp.response({ acs: r.acs, audience: r.issuer, inResponseTo: r.id, encryptTo: cert, sign: "both" });
    expect(Buffer.from(response, "base64").toString()).toContain("EncryptedAssertion");
    expect(await finish(id, response)).toMatchObject({ kind: "profile", profile: { email: "ada@idp.example" } });
  });

  it("works from entity id + SSO URL + certificate entered by hand", async () => {
    const { id } = await samlConnection(s, { idp_entity_id: idp.entityId, idp_sso_url: idp.ssoUrl, idp_certificate: idp.keys.cert, idp_sso_request_binding: "HTTP_REDIRECT", saml_signing_option: "SAML_ONLY_ASSERTION_SIGNING" });
    const r = await requested(id);
    expect(await finish(id, await idp.response({ acs: r.acs, audience: r.issuer, inResponseTo: r.id, sign: "assertion" }))).toMatchObject({ kind: "profile" });
    // assertion signing required: a response signed only at the top is refused
    const r2 = await requested(id);
    expect(await finish(id, await idp.response({ acs: r2.acs, audience: r2.issuer, inResponseTo: r2.id, sign: "response" }))).toMatchObject({ kind: "error", error: "signature_validation_failed" });
  });

  it("IdP-initiated: accepted without a login id, with the RelayState; refused where allow_idp_initiated_login is false", async () => {
    const off = await metadataConnection();
    const row = await s.db.connection.findUniqueOrThrow({ where: { id: off.id } });
    await s.db.connection.update({ where: { id: off.id }, data: { settings: { ...(row.settings as object), allow_idp_initiated_login: false } } });
    expect(await finish(off.id, await idp.response({ acs: acsOf(off.id), audience: entityOf(off.id) }))).toMatchObject({ kind: "error", error: "invalid_saml_response", errorDescription: expect.stringContaining("IdP-initiated") });
    const on = await metadataConnection();
    expect(on.connection.saml_config.allow_idp_initiated_login).toBe(true);
    const result = await finish(on.id, await idp.response({ acs: acsOf(on.id), audience: entityOf(on.id) }), [], "relay-123");
    expect(result).toMatchObject({ kind: "profile", relayState: "relay-123", profile: { email: "ada@idp.example" } });
    expect((result as any).loginId).toBeUndefined();
  });

  describe("refusals (each a clear error, never a throw)", () => {
    let id: string;
    beforeAll(async () => { ({ id } = await metadataConnection()); });

    /** beforeParse: refused before the response could be matched to its login (no loginId comes back) */
    async function refusedWith(mutate: (r: { acs: string; issuer: string; id: string }) => Promise<string> | string, error: string, detail?: RegExp, beforeParse = false) {
      const r = await requested(id);
      const warnings: LoggedWarning[] = [];
      const result = await finish(id, await mutate(r), warnings);
      expect(result, JSON.stringify(result)).toMatchObject({ kind: "error", error, ...(beforeParse ? {} : { loginId: "lri_000000000000000001" }) });
      if (detail) expect((result as any).errorDetails ?? (result as any).errorDescription).toMatch(detail);
      expect(warnings).toHaveLength(1);
      // a refused answer does not use up the request: the real answer can still come
      expect(await s.db.ssoRequest.findUnique({ where: { id: r.id } })).not.toBeNull();
      return result;
    }

    it("an unsigned response", () => refusedWith((r) => idp.response({ acs: r.acs, audience: r.issuer, inResponseTo: r.id, sign: "none" }), "signature_validation_failed"));

    it("a response signed with another certificate", async () => {
      const other = await keyPair("Other IdP");
      await refusedWith((r) => idp.response({ acs: r.acs, audience: r.issuer, inResponseTo: r.id, signWith: other }), "signature_validation_failed", /certificate/);
    });

    it("a signed assertion altered after signing", () => refusedWith(async (r) => {
      const xml = Buffer.from(await idp.response({ acs: r.acs, audience: r.issuer, inResponseTo: r.id, sign: "assertion" }), "base64").toString();
      return Buffer.from(xml.replaceAll("ada@idp.example", "mallory@idp.example")).toString("base64");
    }, "signature_validation_failed"));

    it("XML signature wrapping: the signed assertion moved aside, a forged one in its place", () => refusedWith(async (r) => {
      const xml = Buffer.from(await idp.response({ acs: r.acs, audience: r.issuer, inResponseTo: r.id, sign: "assertion" }), "base64").toString();
      const start = xml.indexOf("<saml:Assertion"), end = xml.indexOf("</saml:Assertion>") + "</saml:Assertion>".length;
      const signed = xml.slice(start, end);
      const forged = signed.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, "").replaceAll("ada@idp.example", "mallory@idp.example");
      // the genuine signed assertion hidden in Extensions, the forged one (same ID) where the SP reads
      const wrapped = `${xml.slice(0, start).replace("<samlp:Status>", `<samlp:Extensions>${signed}</samlp:Extensions><samlp:Status>`)}${forged}${xml.slice(end)}`;
      return Buffer.from(wrapped).toString("base64");
    }, "signature_validation_failed"));

    it("XML signature wrapping: a forged assertion next to the signed one", () => refusedWith(async (r) => {
      const xml = Buffer.from(await idp.response({ acs: r.acs, audience: r.issuer, inResponseTo: r.id, sign: "assertion" }), "base64").toString();
      const start = xml.indexOf("<saml:Assertion"), end = xml.indexOf("</saml:Assertion>") + "</saml:Assertion>".length;
      const forged = xml.slice(start, end).replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, "").replaceAll("ada@idp.example", "mallory@idp.example").replace(/ID="[^"]+"/, 'ID="_forged"');
      return Buffer.from(`${xml.slice(0, start)}${forged}${xml.slice(start)}`).toString("base64");
    }, "signature_validation_failed"));

    it("malformed XML", () => refusedWith(() => Buffer.from("<samlp:Response xmlns:samlp='urn:oasis:names:tc:SAML:2.0:protocol'><unclosed attr=>").toString("base64"), "invalid_saml_response", undefined, true));

    it("a DOCTYPE with an external entity (XXE): refused, nothing fetched", async () => {
      let fetched = false;
      idp.server.prependListener("request", (req) => { if (req.url?.startsWith("/xxe")) fetched = true; });
      await refusedWith(async (r) => {
        const xml = Buffer.from(await idp.response({ acs: r.acs, audience: r.issuer, inResponseTo: r.id })).toString();
        const decoded = Buffer.from(xml, "base64").toString();
        return Buffer.from(`<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "${idp.url}/xxe">]>${decoded.replace("ada@idp.example</saml:NameID>", "&x;</saml:NameID>")}`).toString("base64");
      }, "invalid_saml_response", /DOCTYPE/, true);
      expect(fetched).toBe(false);
    });

    it("another issuer", () => refusedWith((r) => idp.response({ acs: r.acs, audience: r.issuer, inResponseTo: r.id, issuer: "https://evil.example/idp" }), "invalid_saml_response", /Issuer/));

    it("an expired assertion (beyond the 2-minute skew)", () => refusedWith((r) => idp.response({
      acs: r.acs, audience: r.issuer, inResponseTo: r.id, notBefore: new Date(Date.now() - 20 * 60_000), notOnOrAfter: new Date(Date.now() - 10 * 60_000),
    }), "assertion_expired", /clocks/));

    it("an assertion not valid yet", () => refusedWith((r) => idp.response({
      acs: r.acs, audience: r.issuer, inResponseTo: r.id, notBefore: new Date(Date.now() + 10 * 60_000), notOnOrAfter: new Date(Date.now() + 20 * 60_000),
    }), "assertion_expired"));

    it("within the clock skew: accepted", async () => {
      const r = await requested(id);
      const result = await finish(id, await idp.response({ acs: r.acs, audience: r.issuer, inResponseTo: r.id, notBefore: new Date(Date.now() + 60_000) }));
      expect(result.kind).toBe("profile");
    });

    it("another audience", () => refusedWith((r) => idp.response({ acs: r.acs, audience: "https://other-sp.example", inResponseTo: r.id }), "invalid_saml_response", /Audience|audience/));

    it("another destination", () => refusedWith((r) => idp.response({ acs: r.acs, audience: r.issuer, inResponseTo: r.id, destination: "https://other-sp.example/acs" }), "invalid_saml_response", /Destination/));

    it("another recipient", () => refusedWith((r) => idp.response({ acs: r.acs, audience: r.issuer, inResponseTo: r.id, recipient: "https://other-sp.example/acs" }), "invalid_saml_response", /Recipient/));

    it("an InResponseTo this connection never sent", async () => {
      const r = await requested(id);
      const result = await finish(id, await idp.response({ acs: r.acs, audience: r.issuer, inResponseTo: "_0123456789abcdef0123456789abcdef" }));
      expect(result).toMatchObject({ kind: "error", error: "invalid_saml_response", errorDetails: expect.stringContaining("InResponseTo") });
    });

    it("no email in the assertion", () => refusedWith((r) => idp.response({
      acs: r.acs, audience: r.issuer, inResponseTo: r.id, nameIdFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
      user: { nameId: "u-123", attributes: { firstName: "Ada" } },
    }), "mandatory_attribute_missing", /email/));

    it("an oversized or missing SAMLResponse", async () => {
      expect(await finish(id, "A".repeat(800_000))).toMatchObject({ kind: "error", error: "invalid_saml_response", errorDescription: expect.stringContaining("too large") });
      expect(await finish(id, "")).toMatchObject({ kind: "error", error: "invalid_saml_response" });
    });
  });

  it("an unreachable metadata URL: start fails with a clear server_error naming the URL", async () => {
    const { id } = await samlConnection(s, { idp_metadata_url: "http://127.0.0.1:1/metadata" });
    const e = await start(id).catch((x) => x);
    expect(isSsoFailure(e)).toBe(true);
    expect(e).toMatchObject({ code: "server_error", details: expect.stringContaining("http://127.0.0.1:1/metadata") });
  });
});
