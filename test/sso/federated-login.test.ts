// Full logins through real identity providers, over HTTP: the application (the real @scalekit-sdk/node) builds the
// authorization URL, the hosted login sends the browser to the in-process SAML IdP or OIDC provider, the IdP's
// answer comes back to the callback/ACS, the user is provisioned into the connection's organization, and the SDK
// exchanges the code. Also IdP-initiated SAML, an IdP-side failure reaching the app as error + error_description,
// and the test-connection flow read back with GetConnectionTestResult.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startTestServer, type TestServer } from "../helpers/server.js";
import { sdkClient } from "../helpers/sdk.js";
import { formFields, keyPair, TestSamlIdp } from "../helpers/saml-idp.js";
import { TestOidcIdp } from "../helpers/oidc-idp.js";
import { appParams, CookieBrowser, type Hop } from "../login/browser.js";
import { oidcConnection, samlConnection } from "./fixtures.js";
import { rpcClient } from "../helpers/grpc.js";
import { connections } from "../../src/protocol/descriptors.js";

const APP = "http://localhost:3998";
const REDIRECT = `${APP}/auth/callback`;

let s: TestServer;
let idp: TestSamlIdp;
beforeAll(async () => {
  [s, idp] = await Promise.all([startTestServer({ env: { INITIATE_LOGIN_URI: `${APP}/login/initiate` } }), TestSamlIdp.start()]);
});
afterAll(async () => { await s?.close(); await idp?.close(); });

/** The IdP's page (its auto-post form) for the redirect the hosted login sent the browser to, posted to our ACS. */
async function throughSamlIdp(b: CookieBrowser, toIdp: Hop): Promise<Hop> {
  expect(toIdp.location?.startsWith(idp.ssoUrl), `to the IdP, got ${toIdp.status} ${toIdp.location} ${toIdp.body.slice(0, 300)}`).toBe(true);
  const form = formFields(await (await fetch(toIdp.location!)).text());
  return b.follow(await b.post(form.action, { SAMLResponse: form.SAMLResponse, ...(form.RelayState ? { RelayState: form.RelayState } : {}) }));
}

const saml = (extra: Record<string, unknown> = {}) => samlConnection(s, {
  idp_metadata_url: idp.metadataUrl, idp_sso_request_binding: "HTTP_REDIRECT", saml_signing_option: "SAML_RESPONSE_ASSERTION_SIGNING", ...extra,
});

describe("SAML login end to end", () => {
  it("SP-initiated: /oauth/authorize -> IdP -> ACS -> code -> authenticateWithCode; the user joins the connection's organization", async () => {
    const { org, id } = await saml();
    idp.user = { nameId: "ada@saml.example", attributes: { email: "ada@saml.example", firstName: "Ada", lastName: "Lovelace", groups: ["eng"] } };
    idp.answer = {};
    const sdk = sdkClient(s);
    const b = new CookieBrowser(s.url);
    const first = await b.open(sdk.getAuthorizationUrl(REDIRECT, { connectionId: id, state: "st-saml", nonce: "n-saml" }));
    const back = await throughSamlIdp(b, first);
    const params = appParams(back, APP);
    expect(params.get("state")).toBe("st-saml");
    const result = await sdk.authenticateWithCode(params.get("code")!, REDIRECT);
    expect(result.user).toMatchObject({ email: "ada@saml.example", givenName: "Ada", familyName: "Lovelace" });
    const claims: any = await sdk.validateToken(result.idToken);
    expect(claims).toMatchObject({ nonce: "n-saml", oid: org, amr: [id], email: "ada@saml.example" });
    const user = await s.db.user.findUniqueOrThrow({ where: { emailKey: "ada@saml.example" } });
    expect(user.groups).toEqual(["eng"]);
    const m = await s.db.membership.findUniqueOrThrow({ where: { organizationId_userId: { organizationId: org, userId: user.id } } });
    expect(m.status).toBe(1);
  });

  it("IdP-initiated: the ACS sends the app an idp_initiated_login token the SDK accepts", async () => {
    const { org, id } = await saml();
    idp.user = { nameId: "ida@saml.example", attributes: { email: "ida@saml.example" } };
    const b = new CookieBrowser(s.url);
    const page = await (await fetch(`${idp.url}/idp-initiated?acs=${encodeURIComponent(`${s.url}/sso/v1/saml/${id}/callback`)}&audience=${encodeURIComponent(`${s.url}/sso/v1/saml/${id}`)}&relay_state=rs-1`)).text();
    const form = formFields(page);
    const back = await b.post(form.action, { SAMLResponse: form.SAMLResponse, RelayState: form.RelayState! });
    expect(back.location?.startsWith(`${APP}/login/initiate?`), `${back.status} ${back.location} ${back.body.slice(0, 300)}`).toBe(true);
    const token = new URL(back.location!).searchParams.get("idp_initiated_login")!;
    const sdk = sdkClient(s);
    const claims = await sdk.getIdpInitiatedLoginClaims(token);
    expect(claims).toMatchObject({ connection_id: id, organization_id: org, login_hint: "ida@saml.example", relay_state: "rs-1" });
    // the app then starts an SP-initiated login for that connection, which completes at the IdP
    const first = await b.open(sdk.getAuthorizationUrl(REDIRECT, { connectionId: claims.connection_id, loginHint: claims.login_hint, state: claims.relay_state }));
    const done = appParams(await throughSamlIdp(b, first), APP);
    expect(done.get("state")).toBe("rs-1");
    expect((await sdk.authenticateWithCode(done.get("code")!, REDIRECT)).user.email).toBe("ida@saml.example");
  });

  it("an expired assertion reaches the application as error=assertion_expired with a description", async () => {
    const { id } = await saml();
    idp.answer = { notBefore: new Date(Date.now() - 3_600_000), notOnOrAfter: new Date(Date.now() - 1_800_000) };
    try {
      const sdk = sdkClient(s);
      const b = new CookieBrowser(s.url);
      const back = await throughSamlIdp(b, await b.open(sdk.getAuthorizationUrl(REDIRECT, { connectionId: id, state: "st-exp" })));
      const p = appParams(back, APP);
      expect([p.get("error"), p.get("state"), p.get("code")]).toEqual(["assertion_expired", "st-exp", null]);
      expect(p.get("error_description")).toMatch(/expired|validity/);
    } finally { idp.answer = {}; }
  });
});

describe("OIDC login end to end", () => {
  it("SP-initiated through node-oidc-provider; the SDK exchanges the code", async () => {
    const port = await freePort();
    const { org, id } = await oidcConnection(s, { issuer: `http://127.0.0.1:${port}`, client_id: "rp", client_secret: "rp-secret-0123456789abcdef", scopes: ["openid", "email", "profile"] });
    const op = await TestOidcIdp.start({ clientId: "rp", clientSecret: "rp-secret-0123456789abcdef", redirectUris: [`${s.url}/sso/v1/oidc/${id}/callback`] }, { port });
    try {
      op.accounts.set("grace", { email: "grace@oidc.example", email_verified: true, given_name: "Grace", family_name: "Hopper" });
      const sdk = sdkClient(s);
      const b = new CookieBrowser(s.url);
      const first = await b.open(sdk.getAuthorizationUrl(REDIRECT, { connectionId: id, state: "st-oidc" }));
      expect(first.location?.startsWith(op.issuer)).toBe(true);
      const back = await op.login(first.location!, "grace", `${s.url}/sso/v1/oidc/${id}/callback`);
      const p = appParams(await b.open(back), APP);
      expect(p.get("state")).toBe("st-oidc");
      const result = await sdk.authenticateWithCode(p.get("code")!, REDIRECT);
      expect(result.user).toMatchObject({ email: "grace@oidc.example", givenName: "Grace", familyName: "Hopper" });
      expect(((await sdk.validateToken(result.accessToken)) as any).oid).toBe(org);
    } finally { await op.close(); }
  });
});

describe("test connection", () => {
  it("a successful test shows what the IdP sent; GetConnectionTestResult returns it", async () => {
    const { id } = await saml();
    idp.user = { nameId: "tess@saml.example", attributes: { email: "tess@saml.example", firstName: "Tess" } };
    const b = new CookieBrowser(s.url);
    const start = await b.get(`${s.url}/sso/v1/connections/${id}/test`);
    const ctr = start.headers.get("x-test-request-id")!;
    expect(ctr).toMatch(/^test_\d{18}$/);
    // PENDING is the enum's zero value, which proto JSON leaves out
    const pending = await s.rest("GET", `/api/v1/connections/${id}/test-requests/${ctr}`);
    expect([pending.status, pending.body.status ?? "PENDING"]).toEqual([200, "PENDING"]);
    const page = await throughSamlIdp(b, start);
    expect(page.status).toBe(200);
    expect(page.body).toContain("Success");
    expect(page.body).toContain("tess@saml.example");
    expect(page.body).toContain(ctr);
    const res = await s.rest("GET", `/api/v1/connections/${id}/test-requests/${ctr}`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("SUCCESS");
    expect(JSON.parse(res.body.user_info)).toMatchObject({ email: "tess@saml.example", given_name: "Tess", raw_attributes: { firstName: "Tess" } });
    // the same over gRPC (the SDKs' transport)
    const grpc = rpcClient(s.url, connections.ConnectionService, "grpc", await s.token());
    const viaGrpc = await grpc.getConnectionTestResult({ connectionId: id, testRequestId: ctr });
    expect(viaGrpc.status).toBe(connections.TestResultStatus.SUCCESS);
    expect(JSON.parse(viaGrpc.userInfo!).email).toBe("tess@saml.example");
    // nobody was signed in
    expect(await s.db.user.findUnique({ where: { emailKey: "tess@saml.example" } })).toBeNull();
  });

  it("a failing test (wrong certificate) explains what to fix", async () => {
    const { id } = await saml();
    idp.answer = { signWith: await keyPair("Other IdP") };
    try {
      const b = new CookieBrowser(s.url);
      const start = await b.get(`${s.url}/sso/v1/connections/${id}/test`);
      const ctr = start.headers.get("x-test-request-id")!;
      const page = await throughSamlIdp(b, start);
      expect(page.body).toContain("Failed");
      const res = await s.rest("GET", `/api/v1/connections/${id}/test-requests/${ctr}`);
      expect(res.body).toMatchObject({ status: "FAILURE", error: "signature_validation_failed" });
      expect(res.body.error_details).toMatch(/certificate/);
    } finally { idp.answer = {}; }
  });

  it("GetConnectionTestResult: unknown ids are 404", async () => {
    const { id } = await saml();
    const res = await s.rest("GET", `/api/v1/connections/${id}/test-requests/test_000000000000000000`);
    expect(res.status, JSON.stringify(res.body)).toBe(404);
  });
});
