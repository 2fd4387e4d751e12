// The SAML 2.0 service provider behind every SAML connection (@node-saml/node-saml does the XML signature and
// decryption work). start: an AuthnRequest (HTTP-Redirect, or HTTP-POST when the connection says so; signed with
// the connection's SP key when want_request_signed). finish: the IdP's Response posted to the ACS, checked for
// signature (response and/or assertion, per saml_signing_option), issuer, audience, destination, recipient,
// validity window with a 2-minute skew, InResponseTo of a request this connection sent (or, when
// allow_idp_initiated_login, none), and a replay of an assertion id already accepted.
import { SAML, ValidateInResponseTo, type CacheProvider } from "@node-saml/node-saml";
import type { SsoAdapter, SsoConnection, SsoFinishContext, SsoFinishResult } from "../adapter.js";
import { connections } from "../../protocol/descriptors.js";
import type { Db } from "../../db/client.js";
import type { SsoRequest } from "../../generated/prisma/client.js";
import { mapProfile } from "../attributes.js";
import { SsoFailure } from "../failure.js";
import { findRequest, newRequestId, openRequest, SSO_REQUEST_TTL_MS, takeRequest } from "../requests.js";
import { samlFailure } from "./errors.js";
import { idpConfig, type IdpConfig } from "./idp-config.js";
import { CLOCK_SKEW_MS, EMAIL_NAME_ID, flag, nameIdFormat, requiredSignatures, samlSettings, spEntityId } from "./settings.js";
import { ensureSpCertificate } from "./sp-certificate.js";
import { directChildren, MAX_SAML_XML_BYTES, parseXml, SAML_NS } from "./xml.js";

export const isSaml = (c: SsoConnection) => c.type === connections.ConnectionType.SAML && c.provider !== connections.ConnectionProvider.IDP_SIMULATOR;

export interface SamlDeps { db: Db; environmentUrl: string }

/** One node-saml SP for one connection and one ACS; `request` is the pending request an InResponseTo may name. */
async function serviceProvider(deps: SamlDeps, c: SsoConnection, idp: IdpConfig, acs: string, o: { requestId?: string; request?: SsoRequest; forceAuthn?: boolean }) {
  const entityId = spEntityId(deps.environmentUrl, c);
  const sp = await ensureSpCertificate(deps.db, c.id, entityId);
  const signatures = requiredSignatures(c);
  // InResponseTo is looked up by this adapter before node-saml runs (it must also find the login to continue), so
  // node-saml's cache only answers for that one request; the request is taken (deleted) once the answer is accepted
  const cacheProvider: CacheProvider = {
    saveAsync: async () => null,
    getAsync: async (key) => (o.request && key === o.request.id ? o.request.createdAt.toISOString() : null),
    removeAsync: async () => null,
  };
  return {
    sp,
    saml: new SAML({
      callbackUrl: acs, entryPoint: idp.ssoUrl, issuer: entityId, audience: entityId, idpIssuer: idp.entityId, idpCert: idp.certificates,
      privateKey: flag(c, "want_request_signed") ? sp.privateKey : undefined, decryptionPvk: sp.privateKey, publicCert: sp.certificate,
      signatureAlgorithm: "sha256", digestAlgorithm: "sha256", identifierFormat: nameIdFormat(c),
      wantAuthnResponseSigned: signatures.response, wantAssertionsSigned: signatures.assertion,
      acceptedClockSkewMs: CLOCK_SKEW_MS, validateInResponseTo: ValidateInResponseTo.ifPresent, requestIdExpirationPeriodMs: SSO_REQUEST_TTL_MS,
      cacheProvider, generateUniqueId: () => o.requestId ?? newRequestId(), forceAuthn: o.forceAuthn || flag(c, "force_authn"),
      disableRequestedAuthnContext: true, authnRequestBinding: idp.binding === "post" ? "HTTP-POST" : "HTTP-Redirect",
      skipRequestCompression: idp.binding === "post", // the POST binding carries the XML base64, not deflated
    }),
  };
}

/** The SP metadata of a connection (entity id, ACS, signing + encryption certificate, NameID format). */
export async function spMetadata(deps: SamlDeps, c: SsoConnection, acs: string): Promise<string> {
  const entityId = spEntityId(deps.environmentUrl, c);
  const sp = await ensureSpCertificate(deps.db, c.id, entityId);
  // the encryption certificate always (an IdP may encrypt at will); the signing one when requests are signed, since
  // listing it tells the IdP to expect signed AuthnRequests (AuthnRequestsSigned="true")
  const saml = new SAML({
    callbackUrl: acs, issuer: entityId, idpCert: "unused-for-metadata", identifierFormat: nameIdFormat(c),
    wantAssertionsSigned: requiredSignatures(c).assertion, privateKey: flag(c, "want_request_signed") ? sp.privateKey : undefined,
    decryptionPvk: sp.privateKey,
  });
  return saml.generateServiceProviderMetadata(sp.certificate, sp.certificate);
}

const text = (el: Element | undefined) => (el?.textContent ?? "").trim();

/** The parts of the verified assertion node-saml does not check: issuer, recipient, and its id and lifetime. */
function assertionFacts(assertionXml: string) {
  const a = parseXml(assertionXml, "SAML assertion").documentElement;
  const subject = directChildren(a, SAML_NS.saml, "Subject")[0];
  const confirmations = subject ? directChildren(subject, SAML_NS.saml, "SubjectConfirmation") : [];
  const data = confirmations.flatMap((s) => directChildren(s, SAML_NS.saml, "SubjectConfirmationData"));
  const conditions = directChildren(a, SAML_NS.saml, "Conditions")[0];
  const ends = [conditions?.getAttribute("NotOnOrAfter"), ...data.map((d) => d.getAttribute("NotOnOrAfter"))].filter((x): x is string => !!x).map((x) => Date.parse(x)).filter((x) => !Number.isNaN(x));
  return {
    id: a.getAttribute("ID") ?? "",
    issuer: text(directChildren(a, SAML_NS.saml, "Issuer")[0]),
    recipients: data.map((d) => d.getAttribute("Recipient")).filter((x): x is string => !!x),
    expiresAt: new Date(ends.length ? Math.max(...ends) + CLOCK_SKEW_MS : Date.now() + 24 * 3600_000),
  };
}

async function refuseReplay(db: Db, connectionId: string, assertionId: string, expiresAt: Date) {
  await db.samlAssertionUse.deleteMany({ where: { expiresAt: { lt: new Date() } } });
  const { count } = await db.samlAssertionUse.createMany({ data: [{ connectionId, assertionId, expiresAt }], skipDuplicates: true });
  if (count !== 1) throw new SsoFailure("invalid_saml_response", "this SAML assertion was already used", `the assertion ${assertionId.slice(0, 100)} was accepted before; an assertion signs a user in once (a replayed or resubmitted response)`);
}

export function samlAdapter(deps: SamlDeps): SsoAdapter & { finishSaml(ctx: SsoFinishContext): Promise<SsoFinishResult> } {
  async function finishSaml(ctx: SsoFinishContext): Promise<SsoFinishResult> {
    const c = ctx.connection;
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const encoded = body.SAMLResponse;
    const relayState = typeof body.RelayState === "string" && body.RelayState.length <= 1024 ? body.RelayState : undefined;
    let request: SsoRequest | undefined;
    try {
      if (ctx.request.method !== "POST" || typeof encoded !== "string" || !encoded)
        throw new SsoFailure("invalid_saml_response", "no SAML response was posted", "the ACS expects an HTTP-POST with a SAMLResponse form field (HTTP-POST binding)");
      if (encoded.length > (MAX_SAML_XML_BYTES * 4) / 3 + 4)
        throw new SsoFailure("invalid_saml_response", "the SAML response is too large", `the SAMLResponse field is larger than ${MAX_SAML_XML_BYTES} bytes once decoded`);
      const xml = Buffer.from(encoded, "base64").toString("utf8");
      const root = parseXml(xml, "SAML response").documentElement;
      if (root.namespaceURI !== SAML_NS.samlp || root.localName !== "Response")
        throw new SsoFailure("invalid_saml_response", "the posted message is not a SAML Response", `expected a samlp:Response, received ${root.localName}`);
      const inResponseTo = root.getAttribute("InResponseTo");
      if (inResponseTo) {
        request = await findRequest(deps.db, c.id, inResponseTo);
        if (!request) throw new SsoFailure("invalid_saml_response", "the SAML response does not answer a login request of this connection",
          `InResponseTo="${inResponseTo.slice(0, 100)}" names no pending request of this connection: it expired (10 minutes), was already answered, or was sent by another connection`);
      } else if (samlSettings(c).allow_idp_initiated_login === false) {
        throw new SsoFailure("invalid_saml_response", "IdP-initiated login is not enabled for this connection",
          "the response answers no AuthnRequest (no InResponseTo): an IdP-initiated login. this connection's allow_idp_initiated_login is false");
      }
      const destination = root.getAttribute("Destination");
      if (destination && destination !== ctx.callbackUrl)
        throw new SsoFailure("invalid_saml_response", "the SAML response was sent to another address", `Destination is "${destination.slice(0, 300)}"; this connection's ACS URL is ${ctx.callbackUrl}`);

      const idp = await idpConfig(deps.db, c.id, samlSettings(c));
      const { saml } = await serviceProvider(deps, c, idp, ctx.callbackUrl, { request });
      let result;
      try { result = await saml.validatePostResponseAsync({ SAMLResponse: encoded }); } catch (e) { throw samlFailure(e, { idpSource: idp.source }); }
      const p = result.profile;
      if (!p) throw new SsoFailure("authentication_not_completed", "the identity provider did not sign the user in", "the response carries no authenticated subject (NoPassive or a logout response)");
      const facts = assertionFacts(p.getAssertionXml!());
      if (facts.issuer !== idp.entityId)
        throw new SsoFailure("invalid_saml_response", "the SAML assertion comes from another identity provider", `the assertion's Issuer is "${facts.issuer.slice(0, 300)}"; ${idp.source} names ${idp.entityId}`);
      const wrongRecipient = facts.recipients.find((r) => r !== ctx.callbackUrl);
      if (wrongRecipient)
        throw new SsoFailure("invalid_saml_response", "the SAML assertion is meant for another address", `the SubjectConfirmationData Recipient is "${wrongRecipient.slice(0, 300)}"; this connection's ACS URL is ${ctx.callbackUrl}`);
      if (!facts.id) throw new SsoFailure("invalid_saml_response", "the SAML assertion has no ID", "an assertion must carry an ID attribute");
      const attributes = (p.attributes ?? {}) as Record<string, unknown>;
      const profile = mapProfile({
        raw: attributes, mapping: c.attributeMapping, subject: p.nameID ?? "", subjectIsEmail: p.nameIDFormat === EMAIL_NAME_ID,
        emailVerifiedDefault: true, kind: "attribute",
      });
      await refuseReplay(deps.db, c.id, facts.id, facts.expiresAt);
      if (request && !(await takeRequest(deps.db, request)))
        throw new SsoFailure("invalid_saml_response", "this login request was already answered", `the request ${request.id} was answered by another response`);
      return { kind: "profile", profile, loginId: request?.loginId ?? undefined, relayState, testRequestId: request?.testRequestId ?? undefined };
    } catch (e) {
      const f = samlFailure(e, { idpSource: "the connection's IdP settings" });
      ctx.request.log.warn({ connectionId: c.id, error: f.code, details: f.details }, `SAML login failed: ${f.description}`);
      return { kind: "error", error: f.code, errorDescription: f.description, errorDetails: f.details, loginId: request?.loginId ?? undefined, testRequestId: request?.testRequestId ?? undefined };
    }
  }

  return {
    handles: isSaml,
    async start(ctx) {
      const c = ctx.connection;
      const idp = await idpConfig(deps.db, c.id, samlSettings(c));
      const request = await openRequest(deps.db, { connectionId: c.id, loginId: ctx.testRequestId ? undefined : ctx.loginId, testRequestId: ctx.testRequestId });
      const { saml } = await serviceProvider(deps, c, idp, ctx.callbackUrl, { requestId: request.id, forceAuthn: ctx.forceAuthn });
      const options = ctx.loginHint ? { additionalParams: { login_hint: ctx.loginHint } } : {};
      if (idp.binding === "post") {
        const fields = await saml.getAuthorizeMessageAsync("", undefined, options as any);
        return { kind: "form", action: idp.ssoUrl, fields: Object.fromEntries(Object.entries(fields).filter(([k, v]) => typeof v === "string" && v !== "" && k !== "RelayState" || (k === "RelayState" && v))) as Record<string, string> };
      }
      return { kind: "redirect", url: await saml.getAuthorizeUrlAsync("", undefined, options as any) };
    },
    finish: finishSaml,
    finishSaml,
  };
}
