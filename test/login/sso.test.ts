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
  s = await startTestServer();
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
