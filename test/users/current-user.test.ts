// UserService GetCurrentUser and GetSupportHash with a logged-in user's access token, over REST (both bindings)
// and gRPC. The tokens here are signed with the server's own key the way the hosted login signs them (sub usr_…,
// sid, oid); test/login covers the same calls with tokens from a real login. A user's token opens these RPCs only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError } from "@connectrpc/connect";
import { SignJWT } from "jose";
import { KeyStore } from "../../src/auth/keys.js";
import { organizations, users } from "../../src/protocol/descriptors.js";
import { rpcClient } from "../helpers/grpc.js";
import { expectErrorBody } from "../helpers/openapi.js";
import { startTestServer, TEST_CLIENT_ID, type TestServer } from "../helpers/server.js";
import { organization, unique } from "../rbac/fixtures.js";

let s: TestServer;
let keys: KeyStore;
beforeAll(async () => {
  s = await startTestServer();
  keys = new KeyStore(s.db);
  await keys.init();
});
afterAll(async () => { await s?.close(); });

async function loggedIn(email = `${unique("me")}@example.com`) {
  const org = await organization(s);
  const res = await s.rest("POST", `/api/v1/organizations/${org}/users?send_invitation_email=false`, { email, user_profile: { given_name: "Ada", family_name: "Lovelace" } });
  expect(res.status).toBe(201);
  const session = await s.rest("POST", "/local/v1/sessions", { user_id: res.body.user.id, organization_id: org });
  expect(session.status).toBe(201);
  const user = res.body.user.id as string, sid = session.body.session.session_id as string;
  return { org, user, sid, email, token: await userToken({ sub: user, sid, oid: org }) };
}

async function userToken(claims: { sub: string; sid?: string; oid?: string }, ttl = 300) {
  const { kid, privateKey } = keys.signingKey();
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ client_id: TEST_CLIENT_ID, scopes: ["openid", "profile", "email"], scope: "openid profile email", roles: ["member"], ...claims })
    .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" }).setIssuer(s.url).setAudience([TEST_CLIENT_ID])
    .setIssuedAt(now).setNotBefore(now).setExpirationTime(now + ttl).sign(privateKey);
}

async function grpcError(p: Promise<unknown>): Promise<ConnectError> {
  try { await p; } catch (e) { return ConnectError.from(e); }
  throw new Error("expected the call to fail");
}

describe("GetCurrentUser", () => {
  it("returns the token's user with memberships and the current session, on both REST bindings", async () => {
    const me = await loggedIn();
    for (const path of ["/api/v1/users:this", "/api/v1/users/me"]) {
      const res = await s.rest("GET", path, undefined, { token: me.token });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ current_session_id: me.sid, gateway_enabled: false });
      expect(res.body.user).toMatchObject({ id: me.user, email: me.email, user_profile: { given_name: "Ada", family_name: "Lovelace" } });
      expect(res.body.user.memberships.map((m: any) => m.organization_id)).toEqual([me.org]);
    }
  });

  it("works over gRPC with the user's token", async () => {
    const me = await loggedIn();
    const out = await rpcClient(s.url, users.UserService, "grpc", me.token).getCurrentUser({});
    expect(out.user?.id).toBe(me.user);
    expect(out.user?.email).toBe(me.email);
    expect(out.currentSessionId).toBe(me.sid);
  });

  it("stops answering once the session is revoked or past its expiry", async () => {
    const me = await loggedIn();
    expect((await s.rest("POST", `/api/v1/sessions/${me.sid}/revoke`)).status).toBe(200);
    const res = await s.rest("GET", "/api/v1/users:this", undefined, { token: me.token });
    expect(res.status).toBe(401);
    expectErrorBody(res.body, 16, "UNAUTHENTICATED");
    expect(res.body.message).toContain(me.sid);

    const other = await loggedIn();
    await s.db.userSession.update({ where: { id: other.sid }, data: { absoluteExpiresAt: new Date(Date.now() - 1000) } });
    expect((await s.rest("GET", "/api/v1/users/me", undefined, { token: other.token })).status).toBe(401);
    const e = await grpcError(rpcClient(s.url, users.UserService, "grpc", other.token).getCurrentUser({}));
    expect(e.code).toBe(Code.Unauthenticated);
  });

  it("refuses a client token, an expired or foreign token, and no token", async () => {
    const env = await s.rest("GET", "/api/v1/users:this");
    expect(env.status).toBe(403);
    expectErrorBody(env.body, 7, "PERMISSION_DENIED");
    expect(env.body.message).toContain("user's access token");
    expect((await s.rest("GET", "/api/v1/users:this", undefined, { token: "" })).status).toBe(401);

    const me = await loggedIn();
    const expired = await userToken({ sub: me.user, sid: me.sid, oid: me.org }, -10);
    expect((await s.rest("GET", "/api/v1/users:this", undefined, { token: expired })).status).toBe(401);
    // a token signed by someone else's key with this environment's kid
    const { generateKeyPair } = await import("jose");
    const foreign = await generateKeyPair("RS256");
    const forged = await new SignJWT({ client_id: TEST_CLIENT_ID, sid: me.sid }).setProtectedHeader({ alg: "RS256", kid: keys.signingKey().kid })
      .setSubject(me.user).setIssuedAt().setExpirationTime("5m").sign(foreign.privateKey);
    expect((await s.rest("GET", "/api/v1/users:this", undefined, { token: forged })).status).toBe(401);

    const gone = await userToken({ sub: "usr_999999999999999999" });
    const missing = await s.rest("GET", "/api/v1/users:this", undefined, { token: gone });
    expect(missing.status).toBe(404);
  });
});

describe("GetSupportHash", () => {
  it("is a stable keyed hash of the user's email, different per user", async () => {
    const a = await loggedIn(), b = await loggedIn();
    const h1 = await s.rest("GET", "/api/v1/users/support-hash", undefined, { token: a.token });
    expect(h1.status).toBe(200);
    expect(h1.body.support_hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await s.rest("GET", "/api/v1/users/support-hash", undefined, { token: await userToken({ sub: a.user, sid: a.sid }) })).body).toEqual(h1.body);
    const h2 = await rpcClient(s.url, users.UserService, "grpc", b.token).getSupportHash({});
    expect(h2.supportHash).toMatch(/^[0-9a-f]{64}$/);
    expect(h2.supportHash).not.toBe(h1.body.support_hash);
    expect(h1.body.support_hash).not.toContain(a.email);
    expect((await s.rest("GET", "/api/v1/users/support-hash")).status).toBe(403);
  });
});

describe("a user's access token elsewhere", () => {
  it("is not a management credential: REST, gRPC and the local API answer PERMISSION_DENIED", async () => {
    const me = await loggedIn();
    const rest = await s.rest("GET", "/api/v1/organizations", undefined, { token: me.token });
    expect(rest.status).toBe(403);
    expectErrorBody(rest.body, 7, "PERMISSION_DENIED");
    expect((await s.rest("GET", `/api/v1/organizations/${me.org}/users/${me.user}`, undefined, { token: me.token })).status).toBe(403);
    expect((await s.rest("GET", "/local/v1/mailbox", undefined, { token: me.token })).status).toBe(403);
    for (const protocol of ["grpc", "connect"] as const) {
      const e = await grpcError(rpcClient(s.url, organizations.OrganizationService, protocol, me.token).listOrganization({}));
      expect(e.code).toBe(Code.PermissionDenied);
    }
    const e = await grpcError(rpcClient(s.url, users.UserService, "grpc", me.token).getUser({ identities: { case: "id", value: me.user } }));
    expect(e.code).toBe(Code.PermissionDenied);
  });
});
