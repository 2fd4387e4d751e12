// The redirect allow-list the hosted login relies on: the URI rules, the exact and wildcard matching, the loopback
// switch, and REDIRECT_URIS / POST_LOGOUT_REDIRECT_URIS / INITIATE_LOGIN_URI seeding the environment client at start.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAllowedRedirect, loginClient } from "../../src/api/clients/redirects.js";
import { isLoopbackUri, matchesRegistered, redirectUriProblem } from "../../src/api/clients/redirect-uris.js";
import type { ServiceDeps } from "../../src/api/deps.js";
import { ConfigError, loadConfig } from "../../src/config.js";
import { startTestServer, TEST_CLIENT_ID, type TestServer } from "../helpers/server.js";
import { freshDatabase } from "../helpers/database.js";

const depsOf = (s: TestServer) => ({ db: s.db, config: s.config }) as unknown as ServiceDeps;

describe("redirect URI rules", () => {
  it.each([
    "https://app.example.com/callback", "http://app.example.com:8080/auth/callback/", "https://*.acme.com/callback",
    "https://auth-*.acme.com", "myapp://callback", "com.example.app:/oauth2redirect", "http://localhost:3000/callback",
  ])("accepts %s", (uri) => expect(redirectUriProblem(uri)).toBeUndefined());

  it.each([
    ["", "empty"], ["https://app.example.com/cb?x=1", "query"], ["https://app.example.com/cb#top", "fragment"],
    [`https://app.example.com/${"a".repeat(240)}`, "256"], ["javascript:alert(1)", "javascript"], ["data:text/html,hi", "data"],
    ["/callback", "scheme"], ["https://a.*.acme.com/cb", "outermost"], ["https://*.com/cb", "registrable"],
    ["https://*.*.acme.com", "one wildcard"], ["https://acme.com/*", "outermost"], ["myapp://*/cb", "http(s)"],
    ["https://user:pw@acme.com/cb", "user information"], ["https:///cb", "host"], ["https://acme .com/cb", "whitespace"],
  ])("rejects %j (%s)", (uri, why) => expect(redirectUriProblem(uri)).toContain(why));

  it("matches exactly: scheme, host, port, path and trailing slash", () => {
    const reg = "https://app.example.com/callback";
    expect(matchesRegistered(reg, reg)).toBe(true);
    for (const other of ["http://app.example.com/callback", "https://app.example.com:443/callback", "https://app.example.com/callback/",
      "https://app.example.com/Callback", "https://app.example.com/callback?x=1", "https://evil.com/?https://app.example.com/callback"])
      expect(matchesRegistered(reg, other)).toBe(false);
  });

  it("lets a wildcard stand for part of one DNS label only", () => {
    expect(matchesRegistered("https://*.acme.com/cb", "https://eu.acme.com/cb")).toBe(true);
    expect(matchesRegistered("https://auth-*.acme.com/cb", "https://auth-eu1.acme.com/cb")).toBe(true);
    for (const other of ["https://a.b.acme.com/cb", "https://.acme.com/cb", "https://acme.com/cb", "https://evil.com#.acme.com/cb",
      "https://evil.com/.acme.com/cb", "https://eu.acme.com/cb/x", "https://eu.acme.com.evil.com/cb", "https://auth-.acme.com/cb"])
      expect(matchesRegistered(other.startsWith("https://auth") ? "https://auth-*.acme.com/cb" : "https://*.acme.com/cb", other)).toBe(false);
  });

  it("knows loopback URIs", () => {
    for (const uri of ["http://localhost:3000/callback", "http://127.0.0.1:49152/", "https://[::1]:8443/cb", "http://localhost/cb"])
      expect(isLoopbackUri(uri)).toBe(true);
    for (const uri of ["http://localhost.evil.com/cb", "http://127.0.0.2.nip.io/cb", "http://localhost:3000/cb#x", "http://localhost:3000/cb?x=1",
      "http://evil@localhost/cb", "myapp://localhost/cb", "http://10.0.0.1/cb"])
      expect(isLoopbackUri(uri)).toBe(false);
  });

  it("stops start-up on a bad REDIRECT_URIS, POST_LOGOUT_REDIRECT_URIS, INITIATE_LOGIN_URI or ALLOW_LOOPBACK_REDIRECTS", () => {
    expect(() => loadConfig({ REDIRECT_URIS: "https://a.com/cb,https://a.com/cb?x" })).toThrow(/^REDIRECT_URIS: "https:\/\/a.com\/cb\?x" must not contain a query/);
    expect(() => loadConfig({ REDIRECT_URIS: [1, 2, 3, 4, 5, 6].map((i) => `https://a.com/${i}`).join(",") })).toThrow(/REDIRECT_URIS may list at most 5/);
    expect(() => loadConfig({ POST_LOGOUT_REDIRECT_URIS: "javascript:x" })).toThrow(ConfigError);
    expect(() => loadConfig({ INITIATE_LOGIN_URI: "https://*.a.com/login" })).toThrow(/INITIATE_LOGIN_URI.*wildcard/);
    expect(() => loadConfig({ ALLOW_LOOPBACK_REDIRECTS: "yes" })).toThrow(/ALLOW_LOOPBACK_REDIRECTS must be "on" or "off"/);
    expect(loadConfig({}).redirects).toEqual({ postLoginUris: undefined, postLogoutRedirectUris: undefined, initiateLoginUri: undefined, allowLoopback: true });
    expect(loadConfig({ REDIRECT_URIS: " https://a.com/cb , ,https://b.com/cb,https://a.com/cb" }).redirects.postLoginUris).toEqual(["https://a.com/cb", "https://b.com/cb"]);
  });
});

describe("the environment client's allow-list", () => {
  let s: TestServer;
  // a data directory of its own so that the restart below finds the same embedded database
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sk-redirects-"));
  beforeAll(async () => {
    s = await startTestServer({
      database: await freshDatabase(), dataDir,
      env: {
        REDIRECT_URIS: "https://app.example.com/callback,https://*.preview.example.com/callback,myapp://callback",
        POST_LOGOUT_REDIRECT_URIS: "https://app.example.com/signed-out", INITIATE_LOGIN_URI: "https://app.example.com/login",
      },
    });
  });
  afterAll(async () => {
    await s?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("is seeded from the configuration and stored", async () => {
    const row = await s.db.clientLoginSettings.findUniqueOrThrow({ where: { clientId: TEST_CLIENT_ID } });
    expect(row).toMatchObject({
      clientType: "WEB_APP", postLoginUris: ["https://app.example.com/callback", "https://*.preview.example.com/callback", "myapp://callback"],
      postLogoutRedirectUris: ["https://app.example.com/signed-out"], initiateLoginUri: "https://app.example.com/login",
    });
    expect(await loginClient(depsOf(s), TEST_CLIENT_ID)).toMatchObject({
      id: TEST_CLIENT_ID, clientType: "WEB_APP", initiateLoginUri: "https://app.example.com/login", enforcePkce: false, publicClient: false, accessTokenExpiry: 300,
    });
  });

  it("allows registered and loopback URIs for login, registered ones for logout, nothing for unknown clients", async () => {
    const d = depsOf(s);
    expect(await isAllowedRedirect(d, TEST_CLIENT_ID, "https://app.example.com/callback", "login")).toBe(true);
    expect(await isAllowedRedirect(d, TEST_CLIENT_ID, "https://pr-12.preview.example.com/callback", "login")).toBe(true);
    expect(await isAllowedRedirect(d, TEST_CLIENT_ID, "myapp://callback", "login")).toBe(true);
    expect(await isAllowedRedirect(d, TEST_CLIENT_ID, "http://localhost:5173/callback", "login")).toBe(true);
    expect(await isAllowedRedirect(d, TEST_CLIENT_ID, "https://app.example.com/callback/", "login")).toBe(false);
    expect(await isAllowedRedirect(d, TEST_CLIENT_ID, "https://evil.example.net/callback", "login")).toBe(false);
    expect(await isAllowedRedirect(d, TEST_CLIENT_ID, "https://app.example.com/signed-out", "login")).toBe(false);
    expect(await isAllowedRedirect(d, TEST_CLIENT_ID, "https://app.example.com/signed-out", "logout")).toBe(true);
    expect(await isAllowedRedirect(d, TEST_CLIENT_ID, "https://app.example.com/callback", "logout")).toBe(false);
    expect(await isAllowedRedirect(d, TEST_CLIENT_ID, "http://127.0.0.1:3000/", "logout")).toBe(true);
    expect(await isAllowedRedirect(d, "skc_999999999999999999", "https://app.example.com/callback", "login")).toBe(false);
    expect(await isAllowedRedirect(d, "", "http://localhost:3000/cb", "login")).toBe(false);
    expect(await loginClient(d, "skc_999999999999999999")).toBeUndefined();
    expect(await isAllowedRedirect(d, TEST_CLIENT_ID, `https://app.example.com/${"x".repeat(5000)}`, "login")).toBe(false);
  });

  it("is not a login client list for organization M2M clients", async () => {
    const org = await s.rest("POST", "/api/v1/organizations", { display_name: "Redirects Org" });
    const m2m = await s.rest("POST", `/api/v1/organizations/${org.body.organization.id}/clients`, { name: "job" });
    expect(m2m.status).toBe(201);
    expect(await loginClient(depsOf(s), m2m.body.client.client_id)).toBeUndefined();
    expect(await isAllowedRedirect(depsOf(s), m2m.body.client.client_id, "http://localhost:3000/cb", "login")).toBe(false);
  });

  it("keeps the stored lists across a restart without the variables, and replaces them with the variables set", async () => {
    await s.close({ keepData: true });
    s = await startTestServer({ database: s.database, dataDir: s.dataDir, env: { ALLOW_LOOPBACK_REDIRECTS: "off" } });
    expect(await isAllowedRedirect(depsOf(s), TEST_CLIENT_ID, "https://app.example.com/callback", "login")).toBe(true);
    expect(await isAllowedRedirect(depsOf(s), TEST_CLIENT_ID, "http://localhost:5173/callback", "login")).toBe(false);
    await s.close({ keepData: true });
    s = await startTestServer({ database: s.database, dataDir: s.dataDir, env: { REDIRECT_URIS: "https://other.example.com/cb" } });
    const row = await s.db.clientLoginSettings.findUniqueOrThrow({ where: { clientId: TEST_CLIENT_ID } });
    expect(row.postLoginUris).toEqual(["https://other.example.com/cb"]);
    expect(row.postLogoutRedirectUris).toEqual(["https://app.example.com/signed-out"]);
  });
});
