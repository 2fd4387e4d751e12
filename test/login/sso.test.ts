// SP-initiated SSO through the SSO simulator, end to end over plain HTTP: the real @scalekit-sdk/node builds the
// authorization URL and exchanges the code; the browser is a cookie jar following redirects by hand.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, TEST_CLIENT_ID, type TestServer } from "../helpers/server.js";
import { sdkClient } from "../helpers/sdk.js";
import { testOrganizationId } from "../../src/environment/test-organization.js";
import { appParams, CookieBrowser } from "./browser.js";

const APP = "http://localhost:3999";
const REDIRECT = `${APP}/auth/callback`;

let s: TestServer;
let orgId: string;
beforeAll(async () => {
  s = await startTestServer({ env: { INITIATE_LOGIN_URI: `${APP}/login/initiate` } });
  orgId = (await testOrganizationId(s.db))!;
});
afterAll(async () => { await s?.close(); });

describe("SP-initiated SSO via the simulator", () => {
  it("logs a Test Organization user in; the SDK exchanges the code and accepts the tokens", async () => {
    const sdk = sdkClient(s);
    const url = sdk.getAuthorizationUrl(REDIRECT, { state: "st-1", nonce: "n-1", loginHint: "jane@example.com", scopes: ["openid", "profile", "email", "offline_access"] });
    const b = new CookieBrowser(s.url);
    const sim = await b.open(url);
    expect(sim.status).toBe(200);
    expect(sim.body).toContain("IdP Simulator");
    expect(sim.headers.get("content-security-policy")).toContain(`form-action 'self' ${APP}`);
    const conn = await s.db.connection.findFirstOrThrow({ where: { organizationId: orgId } });
    const back = await b.submit(sim, `/sso/v1/simulator/${conn.id}`, {
      scenario: "sso_login", email: "jane@example.com", first_name: "Jane", last_name: "Doe", groups: "eng, admins", custom_attributes: '{"department":"R&D"}',
    });
    const params = appParams(back, APP);
    expect(params.get("state")).toBe("st-1");
    const code = params.get("code")!;
    expect(code).toBeTruthy();

    const result = await sdk.authenticateWithCode(code, REDIRECT);
    expect(result.user.email).toBe("jane@example.com");
    expect(result.user.givenName).toBe("Jane");
    expect(result.refreshToken).toBeTruthy();
    expect(await sdk.validateAccessToken(result.accessToken)).toBe(true);
    const claims: any = await sdk.validateToken(result.accessToken, { issuer: s.url, audience: [TEST_CLIENT_ID] });
    expect(claims).toMatchObject({ iss: s.url, aud: [TEST_CLIENT_ID], oid: orgId, client_id: TEST_CLIENT_ID });
    expect(claims.sub).toMatch(/^usr_/);
    expect(claims.sid).toMatch(/^ses_/);
    expect(claims.scopes).toEqual(["openid", "profile", "email", "offline_access"]);
    expect(claims.scope).toBe("openid profile email offline_access");
    expect(sdk.verifyScopes(result.accessToken, ["openid"])).toBe(true);
    const id: any = await sdk.validateToken(result.idToken, { issuer: s.url, audience: [TEST_CLIENT_ID] });
    expect(id).toMatchObject({ nonce: "n-1", email: "jane@example.com", email_verified: true, amr: [conn.id], oid: orgId, given_name: "Jane" });
    expect(typeof id.updated_at).toBe("string");

    const user = await s.db.user.findUniqueOrThrow({ where: { emailKey: "jane@example.com" } });
    expect(user.groups).toEqual(["eng", "admins"]);
    expect(user.customAttributes).toEqual({ department: "R&D" });
    const m = await s.db.membership.findUniqueOrThrow({ where: { organizationId_userId: { organizationId: orgId, userId: user.id } } });
    expect(m.status).toBe(1);
    const session = await s.rest("GET", `/api/v1/sessions/${claims.sid}`);
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({ status: "active", user_id: user.id, organization_id: orgId, authenticated_clients: [{ client_id: TEST_CLIENT_ID, organization_id: orgId }] });
    expect(session.body.device.browser).toBe("Chrome");
    const events = await s.db.event.findMany({ where: { type: { in: ["user.login", "user.organization_membership_created"] } } });
    expect(events.map((e) => e.type).sort()).toEqual(["user.login", "user.organization_membership_created"]);

    // a second login in the same browser reuses the simulator's IdP session and the login session: no form
    const again = await b.open(sdk.getAuthorizationUrl(REDIRECT, { state: "st-2", loginHint: "jane@example.com" }));
    const p2 = appParams(again, APP);
    expect(p2.get("state")).toBe("st-2");
    const r2 = await sdk.authenticateWithCode(p2.get("code")!, REDIRECT);
    expect(((await sdk.validateToken(r2.accessToken)) as any).sid).toBe(claims.sid);
    // a code is single-use
    await expect(sdk.authenticateWithCode(p2.get("code")!, REDIRECT)).rejects.toThrow();
  });
});

describe("IdP-initiated login via the simulator", () => {
  it("sends the browser to the initiate-login URI with a token getIdpInitiatedLoginClaims accepts; the app's login completes", async () => {
    const sdk = sdkClient(s);
    const conn = await s.db.connection.findFirstOrThrow({ where: { organizationId: orgId } });
    const b = new CookieBrowser(s.url);
    const sim = await b.open(`${s.url}/sso/v1/simulator/${conn.id}`);
    expect(sim.status).toBe(200);
    expect(sim.body).toContain("IdP-initiated login");
    const back = await b.submit(sim, `/sso/v1/simulator/${conn.id}`, { scenario: "idp_initiated", email: "idp.user@example.org", first_name: "Ida", last_name: "P" });
    expect(back.location?.startsWith(`${APP}/login/initiate?`)).toBe(true);
    const token = new URL(back.location!).searchParams.get("idp_initiated_login")!;
    const claims = await sdk.getIdpInitiatedLoginClaims(token);
    expect(claims).toMatchObject({ connection_id: conn.id, organization_id: orgId, login_hint: "idp.user@example.org" });
    const payload = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
    expect(payload.aud).toBeUndefined();
    expect(payload.sub).toBeUndefined();
    expect(payload.iss).toBe(s.url);

    // what the app does next: an SP-initiated login for that connection; the simulator's IdP session answers
    const url = sdk.getAuthorizationUrl(REDIRECT, { connectionId: claims.connection_id, organizationId: claims.organization_id, loginHint: claims.login_hint, state: "relay" });
    const done = appParams(await b.open(url), APP);
    expect(done.get("state")).toBe("relay");
    const tokens = await sdk.authenticateWithCode(done.get("code")!, REDIRECT);
    expect(tokens.user.email).toBe("idp.user@example.org");
  });
});

describe("the simulator's Error scenario", () => {
  it("returns error and error_description with state to the application", async () => {
    const sdk = sdkClient(s);
    const conn = await s.db.connection.findFirstOrThrow({ where: { organizationId: orgId } });
    const b = new CookieBrowser(s.url);
    const sim = await b.open(sdk.getAuthorizationUrl(REDIRECT, { connectionId: conn.id, state: "err-1" }));
    const back = await b.submit(sim, `/sso/v1/simulator/${conn.id}`, { scenario: "error", error_description: "Account disabled at the IdP" });
    const p = appParams(back, APP);
    expect([p.get("error"), p.get("error_description"), p.get("state"), p.get("code")]).toEqual(["access_denied", "Account disabled at the IdP", "err-1", null]);
  });

  it("refuses a forged callback (an unsigned answer) with an error, logging nobody in", async () => {
    const conn = await s.db.connection.findFirstOrThrow({ where: { organizationId: orgId } });
    const b = new CookieBrowser(s.url);
    const r = await b.get(`${s.url}/sso/v1/oidc/${conn.id}/callback?simulator_response=eyJhbGciOiJub25lIn0.eyJ4IjoxfQ.`);
    // without a pending login it is an IdP-initiated error: the initiate-login URI hears of it, with no token
    expect(r.status).toBe(302);
    const q = new URL(r.location!).searchParams;
    expect([q.get("error"), q.get("idp_initiated_login"), q.get("code")]).toEqual(["invalid_request", null, null]);
  });
});

