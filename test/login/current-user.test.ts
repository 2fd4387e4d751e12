// GetCurrentUser and GetSupportHash with the access token of a real hosted login (the +sktest code over plain
// HTTP, the code exchanged by @scalekit-sdk/node); after /oidc/logout the same token reads nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "../../src/protocol/descriptors.js";
import { rpcClient } from "../helpers/grpc.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { sdkClient } from "../helpers/sdk.js";
import { appParams, CookieBrowser } from "./browser.js";

const APP = "http://127.0.0.1:4998";
const REDIRECT = `${APP}/callback`;

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(async () => { await s?.close(); });

describe("the current user of a hosted login", () => {
  it("is what GetCurrentUser returns for the login's access token, until logout", async () => {
    const sdk = sdkClient(s);
    const b = new CookieBrowser(s.url);
    const login = await b.open(sdk.getAuthorizationUrl(REDIRECT, { state: "cu", scopes: ["openid", "profile", "email", "offline_access"] }));
    const otp = await b.submit(login, "/login/email", { email: "current+sktest@current-co.test" });
    const back = await b.submit(otp, "/login/otp", { code: "424242" });
    const tokens = await sdk.authenticateWithCode(appParams(back, APP).get("code")!, REDIRECT);
    const claims: any = await sdk.validateToken(tokens.accessToken);

    const me = await s.rest("GET", "/api/v1/users:this", undefined, { token: tokens.accessToken });
    expect(me.status, JSON.stringify(me.body)).toBe(200);
    expect(me.body.user).toMatchObject({ id: claims.sub, email: "current+sktest@current-co.test" });
    expect(me.body.current_session_id).toBe(claims.sid);
    expect(me.body.user.memberships.map((m: any) => m.organization_id)).toEqual([claims.oid]);
    const grpc = await rpcClient(s.url, users.UserService, "grpc", tokens.accessToken).getCurrentUser({});
    expect(grpc.user?.id).toBe(claims.sub);
    const hash = await s.rest("GET", "/api/v1/users/support-hash", undefined, { token: tokens.accessToken });
    expect(hash.body.support_hash).toMatch(/^[0-9a-f]{64}$/);
    // the user's token is not an API credential
    expect((await s.rest("GET", "/api/v1/organizations", undefined, { token: tokens.accessToken })).status).toBe(403);

    const out = await b.get(sdk.getLogoutUrl({ idTokenHint: tokens.idToken, postLogoutRedirectUri: `${APP}/` }));
    expect(out.location).toBe(`${APP}/`);
    const after = await s.rest("GET", "/api/v1/users:this", undefined, { token: tokens.accessToken });
    expect(after.status).toBe(401);
  });
});
