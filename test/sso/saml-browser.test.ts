// One SAML login in real Chromium: the application's authorization URL, the hosted login, the in-process SAML IdP's
// page, its form posted to the ACS by the browser itself (HTTP-POST binding, cookies as a browser keeps them),
// back to the application with a code the Node SDK exchanges. The HTTP-level twin is federated-login.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasChromium, launchBrowser, requireChromium } from "../helpers/browser.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { sdkClient } from "../helpers/sdk.js";
import { TestSamlIdp } from "../helpers/saml-idp.js";
import { samlConnection } from "./fixtures.js";

const APP = "http://localhost:3997";
const REDIRECT = `${APP}/auth/callback`;

describe.skipIf(!hasChromium && !requireChromium)("SAML login in Chromium", () => {
  let s: TestServer;
  let idp: TestSamlIdp;
  beforeAll(async () => { [s, idp] = await Promise.all([startTestServer(), TestSamlIdp.start()]); });
  afterAll(async () => { await s?.close(); await idp?.close(); });

  it("signs a user in through the IdP's page and the ACS", async () => {
    const { org, id } = await samlConnection(s, { idp_metadata_url: idp.metadataUrl, idp_sso_request_binding: "HTTP_REDIRECT", saml_signing_option: "SAML_RESPONSE_ASSERTION_SIGNING" });
    idp.user = { nameId: "chrome@saml.example", attributes: { email: "chrome@saml.example", firstName: "Chro", lastName: "Mium" } };
    const sdk = sdkClient(s);
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      let landed = "";
      // the application: answers its callback so the browser can stop there
      await page.route(`${APP}/**`, (route) => { landed = route.request().url(); return route.fulfill({ status: 200, contentType: "text/plain", body: "app" }); });
      await page.goto(sdk.getAuthorizationUrl(REDIRECT, { connectionId: id, state: "st-chrome" }));
      await page.waitForSelector("text=Test SAML IdP");
      expect(page.url().startsWith(idp.ssoUrl)).toBe(true);
      await page.click("button[type=submit]");
      await page.waitForURL(`${APP}/**`);
      const params = new URL(landed).searchParams;
      expect(params.get("state")).toBe("st-chrome");
      const result = await sdk.authenticateWithCode(params.get("code")!, REDIRECT);
      expect(result.user).toMatchObject({ email: "chrome@saml.example", givenName: "Chro" });
      expect(((await sdk.validateToken(result.accessToken)) as any).oid).toBe(org);
    } finally {
      await browser.close();
    }
  });
});
