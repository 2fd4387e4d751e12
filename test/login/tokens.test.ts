// /oauth/token for user logins: authorization_code (confidential client with its secret, public client with
// PKCE S256 and plain), refresh_token rotation and reuse detection, code replay, logout and session revocation,
// prompt values, and what the real Node SDK does with the tokens.
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, TEST_CLIENT_ID, TEST_CLIENT_SECRET, type TestServer } from "../helpers/server.js";
import { sdkClient } from "../helpers/sdk.js";
import { appParams, CookieBrowser } from "./browser.js";
import { APP, authorizeUrl, REDIRECT, testCodeLogin, tokenRequest } from "./flows.js";

let s: TestServer;
let spaId: string;
beforeAll(async () => {
  s = await startTestServer();
  const spa = await s.rest("POST", "/api/v1/clients", { name: "SPA", client_type: "SPA", post_login_uris: [REDIRECT] });
  expect([200, 201]).toContain(spa.status);
  spaId = spa.body.client.id;
});
afterAll(async () => { await s?.close(); });

const verifier = () => randomBytes(48).toString("base64url");
const s256 = (v: string) => createHash("sha256").update(v).digest("base64url");

describe("authorization_code", () => {
  it("confidential client: the secret is required, the code is bound to client and redirect_uri, single-use", async () => {
    const b = new CookieBrowser(s.url);
    const p = await testCodeLogin(s, b, "conf+sktest@tokens.test", { client_id: TEST_CLIENT_ID, state: "a" });
    const code = p.get("code")!;
    const base = { grant_type: "authorization_code", code, redirect_uri: REDIRECT, client_id: TEST_CLIENT_ID };
    expect((await tokenRequest(s, base)).body.error).toBe("invalid_client");
    expect((await tokenRequest(s, { ...base, client_secret: "test_wrong" })).status).toBe(401);
    const wrongUri = await tokenRequest(s, { ...base, client_secret: TEST_CLIENT_SECRET, redirect_uri: `${APP}/other` });
    expect(wrongUri).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    const ok = await tokenRequest(s, { ...base, client_secret: TEST_CLIENT_SECRET });
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.body).sort()).toEqual(["access_token", "expires_in", "id_token", "refresh_token", "refresh_token_expires_in", "scope", "token_type"]);
    expect(ok.body).toMatchObject({ token_type: "Bearer", expires_in: 299 });
    const header = JSON.parse(Buffer.from(ok.body.access_token.split(".")[0], "base64url").toString());
    expect(header).toMatchObject({ alg: "RS256", typ: "JWT" });
    expect(header.kid).toMatch(/^snk_/);
    // replay: invalid_grant, and the refresh token it issued stops working
    expect((await tokenRequest(s, { ...base, client_secret: TEST_CLIENT_SECRET })).body.error).toBe("invalid_grant");
    const refreshed = await tokenRequest(s, { grant_type: "refresh_token", refresh_token: ok.body.refresh_token, client_id: TEST_CLIENT_ID, client_secret: TEST_CLIENT_SECRET });
    expect(refreshed).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    // codes and refresh tokens are stored hashed
    const dump = JSON.stringify([await s.db.authorizationCode.findMany(), await s.db.refreshToken.findMany()]);
    expect(dump).not.toContain(code);
    expect(dump).not.toContain(ok.body.refresh_token);
  });

  it("public client with PKCE S256: client_id + code_verifier alone; a wrong verifier fails and changes nothing", async () => {
    const v = verifier();
    const b = new CookieBrowser(s.url);
    // a public client must use PKCE
    const noPkce = await b.get(authorizeUrl(s, { client_id: spaId, state: "np" }));
    expect(appParams(noPkce, APP).get("error")).toBe("invalid_request");
    const p = await testCodeLogin(s, b, "spa+sktest@tokens.test", { client_id: spaId, code_challenge: s256(v), code_challenge_method: "S256" });
    const base = { grant_type: "authorization_code", code: p.get("code")!, redirect_uri: REDIRECT, client_id: spaId };
    expect((await tokenRequest(s, { ...base, code_verifier: verifier() })).body.error).toBe("invalid_grant");
    expect((await tokenRequest(s, base)).body.error).toBe("invalid_grant");
    const ok = await tokenRequest(s, { ...base, code_verifier: v });
    expect(ok.status).toBe(200);
    expect(ok.body.id_token).toBeTruthy();
  });

  it("PKCE plain", async () => {
    const v = verifier();
    const b = new CookieBrowser(s.url);
    const p = await testCodeLogin(s, b, "plain+sktest@tokens.test", { client_id: spaId, code_challenge: v, code_challenge_method: "plain" });
    const ok = await tokenRequest(s, { grant_type: "authorization_code", code: p.get("code")!, redirect_uri: REDIRECT, client_id: spaId, code_verifier: v });
    expect(ok.status).toBe(200);
  });
});

describe("refresh_token", () => {
  it("rotates on every use; the SDK's refreshAccessToken works; reuse revokes the family and the session", async () => {
    const sdk = sdkClient(s);
    const b = new CookieBrowser(s.url);
    const p = await testCodeLogin(s, b, "rot+sktest@tokens.test", { client_id: TEST_CLIENT_ID });
    const first = await sdk.authenticateWithCode(p.get("code")!, REDIRECT);
    const second = await sdk.refreshAccessToken(first.refreshToken!);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(await sdk.validateAccessToken(second.accessToken)).toBe(true);
    const sid = ((await sdk.validateToken(second.accessToken)) as any).sid;
    const third = await sdk.refreshAccessToken(second.refreshToken);
    // the first one again: reuse
    await expect(sdk.refreshAccessToken(first.refreshToken!)).rejects.toThrow();
    await expect(sdk.refreshAccessToken(third.refreshToken)).rejects.toThrow();
    const session = await s.rest("GET", `/api/v1/sessions/${sid}`);
    expect(session.body.status).toBe("revoked");
  });

  it("stops when the session is revoked through SessionService", async () => {
    const sdk = sdkClient(s);
    const p = await testCodeLogin(s, new CookieBrowser(s.url), "revoke+sktest@tokens.test", { client_id: TEST_CLIENT_ID });
    const t = await sdk.authenticateWithCode(p.get("code")!, REDIRECT);
    const sid = ((await sdk.validateToken(t.accessToken)) as any).sid;
    await sdk.session.revokeSession(sid);
    const r = await tokenRequest(s, { grant_type: "refresh_token", refresh_token: t.refreshToken!, client_id: TEST_CLIENT_ID, client_secret: TEST_CLIENT_SECRET });
    expect(r).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
  });

  it("without offline_access there is no refresh token", async () => {
    const p = await testCodeLogin(s, new CookieBrowser(s.url), "noofl+sktest@tokens.test", { client_id: TEST_CLIENT_ID, scope: "openid profile email" });
    const r = await tokenRequest(s, { grant_type: "authorization_code", code: p.get("code")!, redirect_uri: REDIRECT, client_id: TEST_CLIENT_ID, client_secret: TEST_CLIENT_SECRET });
    expect(r.status).toBe(200);
    expect(r.body.refresh_token).toBeUndefined();
  });
});

describe("logout", () => {
  it("ends the session (logout, logout_at), stops its refresh tokens, emits user.logout and redirects with state", async () => {
    const sdk = sdkClient(s);
    const b = new CookieBrowser(s.url);
    const p = await testCodeLogin(s, b, "bye+sktest@tokens.test", { client_id: TEST_CLIENT_ID });
    const t = await sdk.authenticateWithCode(p.get("code")!, REDIRECT);
    const sid = ((await sdk.validateToken(t.accessToken)) as any).sid;
    // not on the allow-list: a page, and nothing changes
    const refused = await b.get(`${s.url}/oidc/logout?post_logout_redirect_uri=${encodeURIComponent("https://evil.test/")}`);
    expect(refused.status).toBe(400);
    expect((await s.rest("GET", `/api/v1/sessions/${sid}`)).body.status).toBe("active");
    const url = sdk.getLogoutUrl({ idTokenHint: t.idToken, postLogoutRedirectUri: `${APP}/bye`, state: "lo" });
    const out = await b.get(url);
    expect(out.status).toBe(302);
    expect(out.location).toBe(`${APP}/bye?state=lo`);
    const session = await s.rest("GET", `/api/v1/sessions/${sid}`);
    expect(session.body.status).toBe("logout");
    expect(session.body.logout_at).toBeTruthy();
    expect(session.body.expired_at ?? null).toBeNull();
    expect(await s.db.event.count({ where: { type: "user.logout" } })).toBe(1);
    await expect(sdk.refreshAccessToken(t.refreshToken!)).rejects.toThrow();
    // the browser's next login needs the page again
    const again = await b.open(authorizeUrl(s, { client_id: TEST_CLIENT_ID, prompt: "none" }));
    expect(appParams(again, APP).get("error")).toBe("login_required");
  });
});

describe("prompt", () => {
  it("none without a session is login_required; with one it answers with a code; login asks again", async () => {
    const b = new CookieBrowser(s.url);
    const none = await b.get(authorizeUrl(s, { client_id: TEST_CLIENT_ID, prompt: "none", state: "pn" }));
    const e = appParams(none, APP);
    expect([e.get("error"), e.get("state")]).toEqual(["login_required", "pn"]);
    await testCodeLogin(s, b, "prompt+sktest@tokens.test", { client_id: TEST_CLIENT_ID });
    const silent = await b.open(authorizeUrl(s, { client_id: TEST_CLIENT_ID, prompt: "none" }));
    expect(appParams(silent, APP).get("code")).toBeTruthy();
    const login = await b.open(authorizeUrl(s, { client_id: TEST_CLIENT_ID, prompt: "login" }));
    expect(login.status).toBe(200);
    expect(login.body).toContain('name="email"');
    const create = await b.open(authorizeUrl(s, { client_id: TEST_CLIENT_ID, prompt: "create" }));
    expect(create.body).toContain("Create your account");
  });
});
