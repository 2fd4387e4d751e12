// The OpenID Connect RP against a real in-process provider (node-oidc-provider): discovery, code flow with PKCE
// and nonce, both client authentications, ID token checks, userinfo, attribute mapping; and a clear error for a
// refused login, a forged or replayed callback, a wrong secret, an unreachable IdP and a bad discovery document.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { TestOidcIdp } from "../helpers/oidc-idp.js";
import { oidcAdapter } from "../../src/sso/oidc/adapter.js";
import type { SsoAdapter, SsoFinishResult } from "../../src/sso/adapter.js";
import { fakeRequest, oidcConnection, ssoConnectionOf, type LoggedWarning } from "./fixtures.js";
import { connectionsOf } from "../connections/fixtures.js";

describe("OIDC relying party (adapter level)", () => {
  let s: TestServer;
  let idp: TestOidcIdp;
  let basicIdp: TestOidcIdp;
  let adapter: SsoAdapter;
  let bad: http.Server;
  let badUrl = "";
  beforeAll(async () => {
    s = await startTestServer();
    // the callback URL names the connection: any connection of this server may use it at these IdPs
    const redirectUris = Array.from({ length: 1 }, () => `${s.url}/sso/v1/oidc/callback`);
    idp = await TestOidcIdp.start({ clientId: "sk-rp", clientSecret: "rp-secret-0123456789", redirectUris });
    basicIdp = await TestOidcIdp.start({ clientId: "sk-rp-basic", clientSecret: "basic-secret-0123456789", redirectUris, authMethod: "client_secret_basic" });
    adapter = oidcAdapter({ db: s.db });
    bad = http.createServer((req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ issuer: "https://someone-else.example", authorization_endpoint: "https://x/auth" }));
    });
    await new Promise<void>((r) => bad.listen(0, "127.0.0.1", r));
    badUrl = `http://127.0.0.1:${(bad.address() as AddressInfo).port}`;
  });
  afterAll(async () => { await s?.close(); await idp?.close(); await basicIdp?.close(); bad?.close(); });

  // one redirect URI registered at the test IdPs for every connection (a real IdP gets the connection's own)
  const callback = () => `${s.url}/sso/v1/oidc/callback`;

  async function login(id: string, at: TestOidcIdp, account: string, loginId = "lri_000000000000000011"): Promise<{ result: SsoFinishResult; query: Record<string, string>; warnings: LoggedWarning[] }> {
    const connection = await ssoConnectionOf(s, id);
    const started = await adapter.start({ connection, loginId, callbackUrl: callback(), loginHint: `${account}@oidc.example` });
    expect(started.kind).toBe("redirect");
    const authorize = new URL((started as { url: string }).url);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("nonce")).toBeTruthy();
    expect(authorize.searchParams.get("login_hint")).toBe(`${account}@oidc.example`);
    const back = await at.login(authorize.href, account, callback());
    const query = Object.fromEntries(new URL(back).searchParams);
    const warnings: LoggedWarning[] = [];
    const result = await adapter.finish({ connection, request: fakeRequest({ method: "GET", query }, warnings), callbackUrl: callback(), pendingLogin: async () => undefined });
    return { result, query, warnings };
  }

  const config = (at: TestOidcIdp, extra: Record<string, unknown> = {}) => ({ issuer: at.issuer, client_id: "sk-rp", client_secret: "rp-secret-0123456789", scopes: ["openid", "email", "profile"], ...extra });

  it("discovers the IdP, runs the code flow with PKCE + nonce, verifies the ID token and maps the claims", async () => {
    idp.accounts.set("grace", { email: "grace@oidc.example", email_verified: true, given_name: "Grace", family_name: "Hopper", name: "Grace Hopper", groups: ["navy"] });
    const { id } = await oidcConnection(s, config(idp), { attributeMapping: { groups: "groups" } });
    const { result } = await login(id, idp, "grace");
    expect(result).toMatchObject({
      kind: "profile", loginId: "lri_000000000000000011",
      profile: { subject: "grace", email: "grace@oidc.example", emailVerified: true, givenName: "Grace", familyName: "Hopper", name: "Grace Hopper" },
    });
    expect((result as any).profile.rawAttributes).toMatchObject({ iss: idp.issuer, email: "grace@oidc.example" });
    expect(await s.db.ssoRequest.count({ where: { connectionId: id } })).toBe(0);
  });

  it("client_secret_basic when token_auth_type is BASIC_AUTH; userinfo when user_info_uri is configured", async () => {
    basicIdp.accounts.set("alan", { email: "alan@oidc.example", given_name: "Alan", groups: ["bletchley"] });
    const { id } = await oidcConnection(s, { ...config(basicIdp), client_id: "sk-rp-basic", client_secret: "basic-secret-0123456789", token_auth_type: "BASIC_AUTH", user_info_uri: `${basicIdp.issuer}/me`, scopes: ["openid", "email", "profile"] });
    const { result } = await login(id, basicIdp, "alan");
    expect(result).toMatchObject({ kind: "profile", profile: { email: "alan@oidc.example", givenName: "Alan", emailVerified: false } });
  });

  it("a replayed callback (same state and code) is refused", async () => {
    const { id } = await oidcConnection(s, config(idp));
    const { query } = await login(id, idp, "grace");
    const connection = await ssoConnectionOf(s, id);
    const again = await adapter.finish({ connection, request: fakeRequest({ method: "GET", query }), callbackUrl: callback(), pendingLogin: async () => undefined });
    expect(again).toMatchObject({ kind: "error", error: "invalid_request" });
  });

  it("a callback with a made-up state is refused", async () => {
    const { id } = await oidcConnection(s, config(idp));
    const connection = await ssoConnectionOf(s, id);
    const result = await adapter.finish({ connection, request: fakeRequest({ method: "GET", query: { code: "abc", state: "_0123456789abcdef0123456789abcdef" } }), callbackUrl: callback(), pendingLogin: async () => undefined });
    expect(result).toMatchObject({ kind: "error", error: "invalid_request", errorDetails: expect.stringContaining("state") });
  });

  it("the IdP's error answer reaches the application as authentication_not_completed", async () => {
    const { id } = await oidcConnection(s, config(idp));
    const connection = await ssoConnectionOf(s, id);
    const started = await adapter.start({ connection, loginId: "lri_000000000000000012", callbackUrl: callback() });
    const state = new URL((started as { url: string }).url).searchParams.get("state")!;
    const result = await adapter.finish({ connection, request: fakeRequest({ method: "GET", query: { error: "access_denied", error_description: "user cancelled", state } }), callbackUrl: callback(), pendingLogin: async () => undefined });
    expect(result).toMatchObject({ kind: "error", error: "authentication_not_completed", loginId: "lri_000000000000000012", errorDetails: expect.stringContaining("user cancelled") });
  });

  it("a wrong client secret: a clear error naming the token request", async () => {
    const { id } = await oidcConnection(s, config(idp, { client_secret: "wrong-secret-000000" }));
    const { result, warnings } = await login(id, idp, "grace");
    expect(result).toMatchObject({ kind: "error", error: "server_error", errorDetails: expect.stringMatching(/token/) });
    expect(warnings[0].obj).toMatchObject({ connectionId: id });
  });

  it("an ID token whose nonce does not match: invalid_id_token", async () => {
    const { id } = await oidcConnection(s, config(idp));
    const connection = await ssoConnectionOf(s, id);
    const started = await adapter.start({ connection, loginId: "lri_000000000000000013", callbackUrl: callback() });
    const state = new URL((started as { url: string }).url).searchParams.get("state")!;
    await s.db.ssoRequest.update({ where: { id: state }, data: { nonce: "not-the-nonce-sent" } });
    const back = await idp.login((started as { url: string }).url, "grace", callback());
    const result = await adapter.finish({ connection, request: fakeRequest({ method: "GET", query: Object.fromEntries(new URL(back).searchParams) }), callbackUrl: callback(), pendingLogin: async () => undefined });
    expect(result).toMatchObject({ kind: "error", error: "invalid_id_token", errorDetails: expect.stringMatching(/nonce/) });
  });

  it("no email claim: mandatory_attribute_missing", async () => {
    idp.accounts.set("nomail", { given_name: "No", email: undefined });
    const { id } = await oidcConnection(s, config(idp, { scopes: ["openid", "profile"] }));
    const { result } = await login(id, idp, "nomail");
    expect(result).toMatchObject({ kind: "error", error: "mandatory_attribute_missing" });
  });

  it("an unreachable IdP and a discovery document for another issuer: start fails with a clear error", async () => {
    const down = await oidcConnection(s, config(idp, { issuer: "http://127.0.0.1:1" }));
    const e1 = await adapter.start({ connection: await ssoConnectionOf(s, down.id), loginId: "lri_000000000000000014", callbackUrl: callback() }).catch((x) => x);
    expect(e1).toMatchObject({ code: "server_error", details: expect.stringContaining("http://127.0.0.1:1") });
    const wrong = await oidcConnection(s, config(idp, { issuer: badUrl }));
    const e2 = await adapter.start({ connection: await ssoConnectionOf(s, wrong.id), loginId: "lri_000000000000000015", callbackUrl: callback() }).catch((x) => x);
    expect(e2).toMatchObject({ code: "server_error", details: expect.stringMatching(/issuer/) });
  });

  it("the connection's fields show the redirect URI the IdP must allow", async () => {
    const { org, id } = await oidcConnection(s, config(idp));
    const got = await s.rest("GET", `${connectionsOf(org)}/${id}`);
    expect(got.body.connection.oidc_config.redirect_uri).toBe(`${s.url}/sso/v1/oidc/${id}/callback`);
  });
});
