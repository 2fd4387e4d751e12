// Malformed, missing, repeated and oversized parameters of /oauth/authorize, /oauth/token and /oidc/logout: the
// documented OAuth error (or an error page where the redirect URI cannot be trusted), never a 500, never a change
// of state.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, TEST_CLIENT_ID, TEST_CLIENT_SECRET, type TestServer } from "../helpers/server.js";
import { CookieBrowser } from "./browser.js";
import { APP, REDIRECT, authorizeUrl, tokenRequest } from "./flows.js";

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(async () => { await s?.close(); });

const counts = async () => ({
  flows: await s.db.loginFlow.count(), codes: await s.db.authorizationCode.count(), sessions: await s.db.userSession.count(),
  users: await s.db.user.count(), tokens: await s.db.refreshToken.count(),
});

describe("/oauth/authorize", () => {
  const raw = (q: string) => new CookieBrowser(s.url).get(`${s.url}/oauth/authorize?${q}`);
  const ok = `response_type=code&client_id=${TEST_CLIENT_ID}&redirect_uri=${encodeURIComponent(REDIRECT)}`;

  it("an untrustworthy client or redirect URI is an error page, never a redirect", async () => {
    const before = await counts();
    for (const q of [
      "", `response_type=code&redirect_uri=${encodeURIComponent(REDIRECT)}`, `${ok}&client_id=${TEST_CLIENT_ID}`,
      `response_type=code&client_id=skc_404&redirect_uri=${encodeURIComponent(REDIRECT)}`,
      `response_type=code&client_id=${TEST_CLIENT_ID}&redirect_uri=${encodeURIComponent("https://evil.test/cb")}`,
      `response_type=code&client_id=${TEST_CLIENT_ID}`, `${ok}&redirect_uri=x`, `client_id=${"x".repeat(5000)}&redirect_uri=y`,
    ]) {
      const r = await raw(q);
      expect(r.status, q).toBeGreaterThanOrEqual(400);
      expect(r.status, q).toBeLessThan(500);
      expect(r.location, q).toBeUndefined();
      expect(r.headers.get("content-type")).toContain("text/html");
      expect(r.headers.get("content-security-policy")).toContain("default-src 'none'");
    }
    expect(await counts()).toEqual(before);
  });

  it("everything else goes back to the redirect URI as error + error_description + state", async () => {
    const before = await counts();
    const cases: [string, string][] = [
      ["response_type=code&response_type=code", "invalid_request"],
      ["response_type=token", "unsupported_response_type"],
      ["state=a&state=b", "invalid_request"],
      [`login_hint=${"a".repeat(400)}@x.test`, "invalid_request"],
      ["code_challenge=short&code_challenge_method=S256", "invalid_request"],
      [`code_challenge=${"a".repeat(43)}&code_challenge_method=S512`, "invalid_request"],
      ["code_challenge_method=S256", "invalid_request"],
      ["prompt=bogus", "invalid_request"],
      ["prompt=none%20login", "invalid_request"],
      ["connection_id=conn_999", "invalid_connection_id"],
      ["connection_id=%3Cscript%3E", "invalid_connection_id"],
      ["organization_id=org_999", "invalid_organization_id"],
      ["provider=google", "invalid_connection_selector"],
      ["scope=openid%20%22x", "invalid_scope"],
    ];
    for (const [extra, error] of cases) {
      const q = extra.startsWith("response_type") ? `client_id=${TEST_CLIENT_ID}&redirect_uri=${encodeURIComponent(REDIRECT)}&${extra}` : `${ok}&state=st&${extra}`;
      const r = await raw(q);
      expect(r.status, extra).toBe(302);
      const p = new URL(r.location!).searchParams;
      expect(r.location!.startsWith(APP), extra).toBe(true);
      expect(p.get("error"), extra).toBe(error);
      expect(p.get("error_description"), extra).toBeTruthy();
      if (!extra.startsWith("response_type") && !extra.startsWith("state=")) expect(p.get("state"), extra).toBe("st");
      expect(p.get("code")).toBeNull();
    }
    expect(await counts()).toEqual(before);
  });
});

describe("/oauth/token", () => {
  it("answers RFC 6749 errors for bad user-login grants", async () => {
    const base = { client_id: TEST_CLIENT_ID, client_secret: TEST_CLIENT_SECRET, redirect_uri: REDIRECT };
    const cases: [Record<string, string> | string, number, string][] = [
      [{ ...base, grant_type: "authorization_code" }, 400, "invalid_request"],
      [{ ...base, grant_type: "authorization_code", code: "nope" }, 400, "invalid_grant"],
      [{ ...base, grant_type: "authorization_code", code: "x".repeat(600) }, 400, "invalid_request"],
      [`grant_type=authorization_code&code=a&code=b&client_id=${TEST_CLIENT_ID}&client_secret=${TEST_CLIENT_SECRET}&redirect_uri=x`, 400, "invalid_request"],
      [{ grant_type: "authorization_code", code: "nope", client_id: "skc_404", redirect_uri: REDIRECT }, 401, "invalid_client"],
      [{ grant_type: "authorization_code", code: "nope", client_id: TEST_CLIENT_ID, redirect_uri: REDIRECT }, 401, "invalid_client"],
      [{ ...base, grant_type: "refresh_token" }, 400, "invalid_request"],
      [{ ...base, grant_type: "refresh_token", refresh_token: "nope" }, 400, "invalid_grant"],
      [{ ...base, grant_type: "refresh_token", refresh_token: "x".repeat(2000) }, 400, "invalid_request"],
      [{ ...base, grant_type: "authorization_code", code: "nope", code_verifier: "%%%" }, 400, "invalid_grant"],
    ];
    const before = await counts();
    for (const [form, status, error] of cases) {
      const r = typeof form === "string"
        ? await fetch(`${s.url}/oauth/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form }).then(async (x) => ({ status: x.status, body: await x.json() as any }))
        : await tokenRequest(s, form);
      expect([r.status, r.body.error], JSON.stringify(form).slice(0, 120)).toEqual([status, error]);
      expect(typeof r.body.error_description).toBe("string");
    }
    expect(await counts()).toEqual(before);
  });
});

describe("/oidc/logout and form posts", () => {
  it("refuses repeated, oversized and forged parameters with a page, changing nothing", async () => {
    const before = await counts();
    for (const q of ["state=a&state=b", `id_token_hint=${"x".repeat(9000)}`, "id_token_hint=not.a.jwt",
      `post_logout_redirect_uri=${encodeURIComponent("https://evil.test/")}`, "post_logout_redirect_uri=a&post_logout_redirect_uri=b"]) {
      const r = await new CookieBrowser(s.url).get(`${s.url}/oidc/logout?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.location).toBeUndefined();
    }
    const plain = await new CookieBrowser(s.url).get(`${s.url}/oidc/logout`);
    expect(plain.status).toBe(200);
    expect(await counts()).toEqual(before);
  });

  it("form posts with a missing login, bad CSRF, junk or oversized bodies are pages, not 500s", async () => {
    const b = new CookieBrowser(s.url);
    const page = await b.open(authorizeUrl(s, { client_id: TEST_CLIENT_ID }));
    const lr = /name="lr" value="([^"]+)"/.exec(page.body)![1];
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(page.body)![1];
    const before = await counts();
    for (const [path, body] of [
      ["/login/email", { csrf_token: csrf }], ["/login/email", { csrf_token: csrf, lr: "lri_1" }], ["/login/email", { csrf_token: csrf, lr, email: "not-an-email" }],
      ["/login/email", `csrf_token=${csrf}&lr=${lr}&email=a@b.test&email=c@d.test`], ["/login/otp", { csrf_token: csrf, lr, code: "123456" }],
      ["/login/organization", { csrf_token: csrf, lr, organization_id: "org_1" }], ["/login/email", `lr=${lr}&email=${"a".repeat(70000)}`],
      ["/login/email", "%%%"],
    ] as [string, Record<string, string> | string][]) {
      const r = await b.post(path, body);
      expect(r.status, `${path} ${String(JSON.stringify(body)).slice(0, 80)}`).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
    }
    const after = await counts();
    expect(after).toEqual(before);
  });
});
