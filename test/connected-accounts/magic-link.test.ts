// Magic links and user verification: the link points at this server's consent page; completing it without
// user_verify_url activates the account, with it the credentials wait (PENDING_VERIFICATION) until the app verifies
// the user: 403 on an identifier mismatch, 404 once consumed or unknown.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { expectErrorBody, expectResponse } from "../helpers/openapi.js";
import { eventsSince, lastEventId, RFC3339, unique } from "../rbac/fixtures.js";

const CA = "/api/v1/connected_accounts";

describe("Magic links and user verification", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(async () => { await s?.close(); });

  const open = (link: string, init: RequestInit = {}) => fetch(link, { redirect: "manual", ...init });

  it("issues a time-limited link on this server, creating the account if needed; completing it activates the account", async () => {
    const identifier = unique("peter");
    const since = await lastEventId(s);
    const res = await s.rest("POST", `${CA}/magic_link`, { connector: "gmail", identifier });
    expectResponse(res, "ConnectedAccountService_GetMagicLinkForConnectedAccount", 200);
    expect(res.body.link.startsWith(`${s.url}/connect/`)).toBe(true);
    expect(res.body.expiry).toMatch(RFC3339);
    const ttl = Date.parse(res.body.expiry) - Date.now();
    expect(ttl).toBeGreaterThan(50 * 60_000);
    expect(ttl).toBeLessThanOrEqual(60 * 60_000);
    const account = await s.db.connectedAccount.findFirstOrThrow({ where: { identifier } });
    expect(account.status).toBe("PENDING_AUTH");
    expect((await eventsSince(s, since)).map((e) => e.type)).toEqual(["connected_account.created", "connected_account.magic_link_generated"]);

    // opening it shows the consent form (no credentials yet)
    const page = await open(res.body.link);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(await page.text()).toContain("access_token");

    // submitting the form is the provider's consent
    const since2 = await lastEventId(s);
    const done = await open(res.body.link, {
      method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ access_token: "g-access", refresh_token: "g-refresh", scopes: "mail.read mail.send" }),
    });
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual({ connected_account_id: account.id, connector: "gmail", identifier, status: "ACTIVE" });
    const auth = await s.rest("GET", `${CA}/auth?id=${account.id}`);
    expect(auth.body.connected_account).toMatchObject({
      status: "ACTIVE", authorization_details: { oauth_token: { access_token: "g-access", refresh_token: "g-refresh", scopes: ["mail.read", "mail.send"] } },
    });
    expect((await eventsSince(s, since2)).map((e) => e.type)).toEqual(["connected_account.oauth_tokens_fetched", "connected_account.oauth_succeeded"]);
    // used once: it now only reports the outcome
    const reused = await open(`${res.body.link}?access_token=other`);
    expect(await reused.json()).toMatchObject({ status: "ACTIVE" });
    expect((await s.rest("GET", `${CA}/auth?id=${account.id}`)).body.connected_account.authorization_details.oauth_token.access_token).toBe("g-access");
  });

  it("with user_verify_url: redirects with auth_request_id and state, then VerifyConnectedAccountUser promotes the tokens", async () => {
    const identifier = unique("tony");
    const created = await s.rest("POST", CA, { connector: "slack", identifier, connected_account: {} });
    const id = created.body.connected_account.id;
    const link = await s.rest("POST", `${CA}/magic_link`, { id, state: "xyz-1", user_verify_url: "https://app.example.com/verify?from=sk" });
    expectResponse(link, "ConnectedAccountService_GetMagicLinkForConnectedAccount", 200);

    const consent = await open(link.body.link, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ authorization_details: { oauth_token: { access_token: "s-live", scopes: ["chat"] } } }) });
    expect(consent.status).toBe(302);
    const location = new URL(consent.headers.get("location")!);
    expect(`${location.origin}${location.pathname}`).toBe("https://app.example.com/verify");
    expect(location.searchParams.get("from")).toBe("sk");
    expect(location.searchParams.get("state")).toBe("xyz-1");
    const authRequestId = location.searchParams.get("auth_request_id")!;
    expect(authRequestId).toMatch(/^car_\d{18}$/);

    const pending = await s.rest("GET", `${CA}/auth?id=${id}`);
    expect(pending.body.connected_account.status).toBe("PENDING_VERIFICATION");
    expect(pending.body.connected_account.authorization_details).toBeUndefined(); // not live yet

    const wrong = await s.rest("POST", `${CA}/user/verify`, { auth_request_id: authRequestId, identifier: "someone-else" });
    expect(wrong.status).toBe(403);
    expectErrorBody(wrong.body, 7, "PERMISSION_DENIED");
    expect((await s.db.connectedAccount.findUniqueOrThrow({ where: { id } })).status).toBe("PENDING_VERIFICATION");

    const since = await lastEventId(s);
    const ok = await s.rest("POST", `${CA}/user/verify`, { auth_request_id: authRequestId, identifier });
    expectResponse(ok, "ConnectedAccountService_VerifyConnectedAccountUser", 200);
    expect(ok.body.post_user_verify_redirect_url.startsWith(`${s.url}/connect/complete/${authRequestId}`)).toBe(true);
    const outcome = await fetch(ok.body.post_user_verify_redirect_url);
    expect(outcome.status).toBe(200);
    expect(await outcome.json()).toMatchObject({ connected_account_id: id, status: "ACTIVE" });
    const live = await s.rest("GET", `${CA}/auth?id=${id}`);
    expect(live.body.connected_account).toMatchObject({ status: "ACTIVE", authorization_details: { oauth_token: { access_token: "s-live", scopes: ["chat"] } } });
    expect((await eventsSince(s, since)).map((e) => e.type)).toEqual(["connected_account.oauth_succeeded"]);

    const consumed = await s.rest("POST", `${CA}/user/verify`, { auth_request_id: authRequestId, identifier });
    expect(consumed.status).toBe(404);
    expectErrorBody(consumed.body, 5, "NOT_FOUND");
    expect((await s.rest("POST", `${CA}/user/verify`, { auth_request_id: "car_000000000000000001", identifier })).status).toBe(404);
    const missing = await s.rest("POST", `${CA}/user/verify`, { identifier });
    expect(missing.status).toBe(400);
    expectErrorBody(missing.body, 3, "INVALID_ARGUMENT");
  });

  it("refuses expired and unknown links, and bad magic-link input", async () => {
    const identifier = unique("wanda");
    const link = await s.rest("POST", `${CA}/magic_link`, { connector: "figma", identifier });
    await s.db.connectedAccountAuthRequest.updateMany({ where: { connectedAccount: { identifier } }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await open(`${link.body.link}?access_token=late`);
    expect(expired.status).toBe(400);
    expectErrorBody(await expired.json(), 9, "FAILED_PRECONDITION");
    expect((await s.db.connectedAccount.findFirstOrThrow({ where: { identifier } })).status).toBe("PENDING_AUTH");
    expect((await open(`${s.url}/connect/not-a-token`)).status).toBe(404);

    const badUrl = await s.rest("POST", `${CA}/magic_link`, { connector: "figma", identifier, user_verify_url: "ftp://x" });
    expect(badUrl.status).toBe(400);
    expectErrorBody(badUrl.body, 3, "INVALID_ARGUMENT");
    const unknownId = await s.rest("POST", `${CA}/magic_link`, { id: "ca_000000000000000001" });
    expect(unknownId.status).toBe(404);
    const none = await s.rest("POST", `${CA}/magic_link`, {});
    expect(none.status).toBe(400);
  });
});
