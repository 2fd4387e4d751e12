// The hosted login in real Chromium, driven through the example application (examples/login-app, the real
// @scalekit-sdk/node): SP-initiated SSO via the simulator, IdP-initiated SSO, the simulator's error scenario,
// passwordless OTP from the local mailbox, the +sktest static code, the organization picker, PKCE (a web app and a
// public client), refresh with rotation and reuse detection, and logout. Each page is saved to docs/screenshots/.
// The same flows run without a browser in the other files of test/login (plain HTTP form posts).
import type http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { createLoginApp } from "../../examples/login-app/app.js";
import { testOrganizationId } from "../../src/environment/test-organization.js";
import { hasChromium, launchBrowser, requireChromium, screenshot } from "../helpers/browser.js";
import { freePort, startTestServer, TEST_CLIENT_ID, TEST_CLIENT_SECRET, type TestServer } from "../helpers/server.js";

let s: TestServer;
let app: http.Server;
let appUrl: string;
let browser: Browser;
let testOrg: string;
let simulatorConnection: string;
let publicClientId: string;

describe.skipIf(!hasChromium && !requireChromium)("hosted login in Chromium, through the example app", () => {
  beforeAll(async () => {
    s = await startTestServer();
    testOrg = (await testOrganizationId(s.db))!;
    simulatorConnection = (await s.db.connection.findFirstOrThrow({ where: { organizationId: testOrg } })).id;
    const port = await freePort();
    // another host name than the server's: the app and the login are different sites, as in production
    appUrl = `http://localhost:${port}`;
    // the app's redirect URIs are loopback ones (allowed by default); IdP-initiated logins land on its initiate-login URI
    const own = await s.rest("PATCH", `/api/v1/clients/${TEST_CLIENT_ID}`, { initiate_login_uri: `${appUrl}/initiate-login` });
    expect(own.status).toBe(200);
    const spa = await s.rest("POST", "/api/v1/clients", { name: "Acme Notes SPA", client_type: "SPA", post_login_uris: [`${appUrl}/callback`] });
    publicClientId = spa.body.client.id;
    app = createLoginApp({ environmentUrl: s.url, clientId: TEST_CLIENT_ID, clientSecret: TEST_CLIENT_SECRET, publicClientId, baseUrl: appUrl });
    await new Promise<void>((resolve) => app.listen(port, "127.0.0.1", resolve));
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (app ? app.close(resolve) : resolve(undefined)));
    await s?.close();
  });

  async function freshPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
    return context.newPage();
  }

  async function mailbox(to: string): Promise<{ codes: string[] }[]> {
    const r = await s.rest("GET", `/local/v1/mailbox?recipient=${encodeURIComponent(to)}`);
    expect(r.status).toBe(200);
    return r.body.messages;
  }

  /** From the app's welcome page to the login page's email form, and submit `email`. */
  async function enterEmail(page: Page, email: string, link = "Sign in", shot?: string) {
    await page.goto(`${appUrl}/`);
    await page.getByRole("link", { name: link, exact: true }).click();
    await page.waitForURL((u) => u.origin === s.url);
    const input = page.getByLabel("Email", { exact: true });
    await input.waitFor();
    expect(await input.getAttribute("name")).toBe("email");
    if (shot) await screenshot(page, shot);
    await input.fill(email);
    await page.getByRole("button", { name: "Continue" }).click();
  }

  async function signedIn(page: Page) {
    await page.waitForURL(`${appUrl}/`);
    await page.locator("#email").waitFor();
    return {
      email: await page.locator("#email").textContent(),
      userId: (await page.locator("#user-id").textContent())!.trim(),
      organizationId: (await page.locator("#organization-id").textContent())!.trim(),
      roles: await page.locator("#roles .chip").allTextContents(),
      refreshToken: (await page.locator("#refresh-token").textContent())!.trim(),
    };
  }

  async function simulatorSignIn(page: Page, first: string, last: string, shot?: string) {
    await page.getByRole("heading", { name: "IdP Simulator" }).waitFor();
    if (shot) await screenshot(page, shot);
    await page.getByLabel("First name").fill(first);
    await page.getByLabel("Last name").fill(last);
    await page.getByRole("button", { name: "Sign in" }).click();
  }

  async function otpSignIn(page: Page, email: string, code: () => Promise<string>, shot?: string) {
    await page.getByRole("button", { name: "Verify" }).waitFor();
    if (shot) await screenshot(page, shot);
    await page.locator("input[name=code]").fill(await code());
    await page.getByRole("button", { name: "Verify" }).click();
  }

  it("SP-initiated SSO through the simulator, then refresh with rotation, reuse detection and a new login", async () => {
    const page = await freshPage();
    await page.goto(`${appUrl}/`);
    await screenshot(page, "app-welcome");
    await enterEmail(page, "ada@example.com", "Sign in", "login-email");
    await simulatorSignIn(page, "Ada", "Lovelace", "sso-simulator");
    const me = await signedIn(page);
    expect(me.email).toBe("ada@example.com");
    expect(me.organizationId).toBe(testOrg);
    expect(me.roles.length).toBeGreaterThan(0);
    expect(await page.locator("#name").textContent()).toBe("Ada Lovelace");
    await screenshot(page, "app-signed-in");

    // refresh: a new refresh token each time
    await page.getByRole("button", { name: "Refresh tokens" }).click();
    const after = await signedIn(page);
    expect(await page.locator(".notice").textContent()).toContain("Tokens refreshed");
    expect(after.refreshToken).not.toBe(me.refreshToken);
    await screenshot(page, "app-refreshed");

    // the old refresh token, replayed (as a thief would): refused, and the whole session ends
    const replay = await fetch(`${s.url}/oauth/token`, {
      method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: me.refreshToken, client_id: TEST_CLIENT_ID, client_secret: TEST_CLIENT_SECRET }),
    });
    expect(replay.status).toBe(400);
    expect((await replay.json()).error).toBe("invalid_grant");
    await page.getByRole("button", { name: "Refresh tokens" }).click();
    await page.waitForURL(`${appUrl}/`);
    expect(await page.locator(".notice").textContent()).toContain("Your session has ended");
    await screenshot(page, "app-session-ended");
    const sessions = await s.rest("GET", `/api/v1/users/${me.userId}/sessions`);
    expect(sessions.body.sessions.every((x: any) => x.status !== "active")).toBe(true);

    // signing in again starts over at the login page (the revoked session is not reused)
    await enterEmail(page, "ada@example.com");
    await page.getByRole("heading", { name: "IdP Simulator" }).or(page.locator("#email")).first().waitFor();
    if (page.url().startsWith(s.url)) await simulatorSignIn(page, "Ada", "Lovelace");
    expect((await signedIn(page)).email).toBe("ada@example.com");
  });

  it("the simulator's error scenario sends error and error_description back to the app", async () => {
    const page = await freshPage();
    await enterEmail(page, "grace@example.org");
    await page.getByRole("heading", { name: "IdP Simulator" }).waitFor();
    await page.getByLabel("Scenario", { exact: true }).selectOption({ label: "Error" });
    await page.getByLabel(/Error description/).fill("Grace's account is suspended at the IdP");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((u) => u.origin === appUrl && u.pathname === "/callback");
    expect(await page.locator("#error").textContent()).toBeTruthy();
    expect(await page.locator("#error-description").textContent()).toContain("Grace's account is suspended at the IdP");
    await screenshot(page, "app-error");
  });

  it("IdP-initiated SSO: the simulator sends the browser to the app's initiate-login URI, the app completes the login", async () => {
    const page = await freshPage();
    await page.goto(`${s.url}/sso/v1/simulator/${simulatorConnection}`);
    await page.getByRole("heading", { name: "IdP Simulator" }).waitFor();
    await page.getByLabel("Scenario", { exact: true }).selectOption({ label: "IdP-initiated login" });
    await page.getByLabel("Email", { exact: true }).fill("linus@example.com");
    await page.getByLabel("First name").fill("Linus");
    await page.getByLabel("Last name").fill("Torvalds");
    await screenshot(page, "sso-simulator-idp-initiated");
    await page.getByRole("button", { name: "Sign in" }).click();
    const me = await signedIn(page);
    expect(me.email).toBe("linus@example.com");
    expect(me.organizationId).toBe(testOrg);
  });

  it("passwordless: a one-time code from the local mailbox, and logout ending the Scalekit session", async () => {
    const org = (await s.rest("POST", "/api/v1/organizations", { display_name: "Otter Labs" })).body.organization.id;
    const email = "maria@otter-labs.test";
    expect((await s.rest("POST", `/api/v1/organizations/${org}/users`, { email, send_invitation_email: false })).status).toBe(201);
    const page = await freshPage();
    await enterEmail(page, email);
    await otpSignIn(page, email, async () => (await mailbox(email)).at(-1)!.codes[0], "login-otp");
    const me = await signedIn(page);
    expect(me.email).toBe(email);
    expect(me.organizationId).toBe(org);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${appUrl}/`);
    expect(await page.locator(".notice").textContent()).toContain("signed out");
    await screenshot(page, "app-signed-out");
    const sessions = await s.rest("GET", `/api/v1/users/${me.userId}/sessions`);
    expect(sessions.body.sessions.map((x: any) => x.status)).toContain("logout");
    expect(sessions.body.sessions.some((x: any) => x.status === "active")).toBe(false);
    // the login session is gone too: signing in asks for the email again
    await enterEmail(page, email);
    await page.getByRole("button", { name: "Verify" }).waitFor();
  });

  it("+sktest emails take the static test code; a user of two organizations picks one by name", async () => {
    const alpha = (await s.rest("POST", "/api/v1/organizations", { display_name: "Alpha Robotics" })).body.organization.id;
    const beta = (await s.rest("POST", "/api/v1/organizations", { display_name: "Beta Biotech" })).body.organization.id;
    const email = "sam+sktest@two-orgs.test";
    await s.rest("POST", `/api/v1/organizations/${alpha}/users`, { email, send_invitation_email: false });
    const user = await s.db.user.findUniqueOrThrow({ where: { emailKey: email } });
    expect((await s.rest("POST", `/api/v1/memberships/organizations/${beta}/users/${user.id}`, { send_invitation_email: false })).status).toBe(201);

    const page = await freshPage();
    await enterEmail(page, email);
    await otpSignIn(page, email, async () => "424242", "login-otp-test-user");
    // no code was sent (the mailbox may hold other mail of this user, e.g. a membership notice)
    expect((await mailbox(email)).flatMap((m) => m.codes ?? [])).toEqual([]);
    await page.getByRole("button", { name: "Beta Biotech" }).waitFor();
    expect(await page.getByRole("button", { name: "Alpha Robotics" }).count()).toBe(1);
    await screenshot(page, "login-organization-picker");
    await page.getByRole("button", { name: "Beta Biotech" }).click();
    const me = await signedIn(page);
    expect(me.email).toBe(email);
    expect(me.organizationId).toBe(beta);
  });

  it("PKCE: a web app with a code verifier, and a public client with no secret at all", async () => {
    for (const [link, email, label] of [
      ["Sign in with PKCE", "pkce.web+sktest@pkce.test", "web application"],
      ["Sign in as a public client (PKCE only)", "pkce.spa+sktest@pkce.test", "public client (PKCE)"],
    ] as const) {
      const page = await freshPage();
      await enterEmail(page, email, link);
      await otpSignIn(page, email, async () => "424242");
      const me = await signedIn(page);
      expect(me.email).toBe(email);
      expect(await page.getByText(label, { exact: true }).count()).toBe(1);
      const codes = await s.db.authorizationCode.findMany({ where: { userId: me.userId } });
      expect(codes.length).toBeGreaterThan(0);
      expect(codes.every((c) => c.codeChallengeMethod === "S256" && c.codeChallenge)).toBe(true);
      expect(codes[0].clientId).toBe(link.includes("public") ? publicClientId : TEST_CLIENT_ID);
      // refresh works for both; the public client's refresh needs no secret either
      await page.getByRole("button", { name: "Refresh tokens" }).click();
      await page.waitForURL(`${appUrl}/`);
      expect(await page.locator(".notice").textContent()).toContain("Tokens refreshed");
    }
  });
});
