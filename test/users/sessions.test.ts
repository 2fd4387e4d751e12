// Sessions: created through the local API, read, listed (paged, filtered by status and time) and revoked over
// REST (every Sessions operation checked against the contract) and through the Node SDK.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { sdk, sdkClient } from "../helpers/sdk.js";
import { expectErrorBody, expectResponse, operationsOfTag, validatedOperations } from "../helpers/openapi.js";
import { organization, unique } from "../rbac/fixtures.js";

describe("Sessions", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(async () => { await s?.close(); });

  async function member(): Promise<{ org: string; user: string }> {
    const org = await organization(s);
    const res = await s.rest("POST", `/api/v1/organizations/${org}/users?send_invitation_email=false`, { email: `${unique("ses")}@example.com` });
    expect(res.status).toBe(201);
    return { org, user: res.body.user.id };
  }
  async function newSession(body: Record<string, unknown>): Promise<any> {
    const res = await s.rest("POST", "/local/v1/sessions", body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.session;
  }

  it("creates, reads, lists and revokes over REST", async () => {
    const { org, user } = await member();
    const a = await newSession({ user_id: user, organization_id: org, user_agent: "Mozilla/5.0", ip: "203.0.113.9", device_type: "desktop", browser: "Firefox" });
    expect(a.session_id).toMatch(/^ses_\d{18}$/);
    const b = await newSession({ user_id: user, absolute_timeout_seconds: 3600 });
    const c = await newSession({ user_id: user, idle_timeout_seconds: 60 });
    await s.db.userSession.update({ where: { id: c.session_id }, data: { idleExpiresAt: new Date(Date.now() - 1000) } });

    const got = await s.rest("GET", `/api/v1/sessions/${a.session_id}`);
    expectResponse(got, "SessionService_GetSession", 200);
    expect(got.body).toMatchObject({ session_id: a.session_id, user_id: user, organization_id: org, status: "active", authenticated_organizations: [org] });
    expect(got.body.device).toMatchObject({ user_agent: "Mozilla/5.0", ip: "203.0.113.9", device_type: "desktop", browser: "Firefox" });
    expect((await s.rest("GET", `/api/v1/sessions/${c.session_id}`)).body.status).toBe("expired");

    const list = await s.rest("GET", `/api/v1/users/${user}/sessions?page_size=2`);
    expectResponse(list, "SessionService_GetUserSessions", 200);
    expect(list.body.total_size).toBe(3);
    expect(list.body.sessions).toHaveLength(2);
    const active = await s.rest("GET", `/api/v1/users/${user}/sessions?filter.status=active`);
    expect(active.body.sessions.map((x: any) => x.session_id)).toEqual([a.session_id, b.session_id]);
    const bad = await s.rest("GET", `/api/v1/users/${user}/sessions?filter.status=sleeping`);
    expect(bad.status).toBe(400);
    expectErrorBody(bad.body, 3, "INVALID_ARGUMENT");

    const revoked = await s.rest("POST", `/api/v1/sessions/${a.session_id}/revoke`);
    expectResponse(revoked, "SessionService_RevokeSession", 200);
    expect(revoked.body.revoked_session).toMatchObject({ session_id: a.session_id, status: "revoked" });
    expect(revoked.body.revoked_session.expired_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);

    const all = await s.rest("POST", `/api/v1/users/${user}/sessions/revoke`);
    expectResponse(all, "SessionService_RevokeAllUserSessions", 200);
    expect(all.body.total_revoked).toBe(1);
    expect(all.body.revoked_sessions.map((x: any) => x.session_id)).toEqual([b.session_id]);
    expect((await s.rest("GET", `/api/v1/sessions/${c.session_id}`)).body.status).toBe("expired");

    expect((await s.rest("GET", "/api/v1/sessions/ses_000000000000000001")).status).toBe(404);
    expect((await s.rest("POST", "/local/v1/sessions", { user_id: "usr_000000000000000001" })).status).toBe(404);
    expect((await s.rest("POST", "/local/v1/sessions", {})).status).toBe(400);

    // deleting the user removes its sessions
    expect((await s.rest("DELETE", `/api/v1/users/${user}`)).status).toBe(200);
    expect(await s.db.userSession.count({ where: { userId: user } })).toBe(0);
  });

  it("every Sessions operation was validated against the contract", () => {
    const done = validatedOperations();
    expect(operationsOfTag("Sessions").map((o) => o.operationId).filter((id) => ![...done].some((d) => d.startsWith(`${id} `)))).toEqual([]);
  });

  it("the SDK's session methods", async () => {
    const client = sdkClient(s);
    const { user } = await member();
    const one = await newSession({ user_id: user });
    const two = await newSession({ user_id: user });
    expect(await client.session.getSession(one.session_id)).toMatchObject({ sessionId: one.session_id, userId: user, status: "active" });
    const page = await client.session.getUserSessions(user, { pageSize: 1 });
    expect(page.sessions).toHaveLength(1);
    expect(page.totalSize).toBe(2);
    const next = await client.session.getUserSessions(user, { pageSize: 1, pageToken: page.nextPageToken });
    expect(next.sessions[0].sessionId).toBe(two.session_id);
    expect(next.nextPageToken).toBe("");
    const r = await client.session.revokeSession(one.session_id);
    expect(r.revokedSession).toMatchObject({ sessionId: one.session_id, status: "revoked" });
    const filtered = await client.session.getUserSessions(user, { filter: { status: ["revoked"] } });
    expect(filtered.sessions.map((x) => x.sessionId)).toEqual([one.session_id]);
    const all = await client.session.revokeAllUserSessions(user);
    expect(all.totalRevoked).toBe(1);
    const e = await client.session.getSession("ses_000000000000000001").then(() => undefined, (x) => x);
    expect(e).toBeInstanceOf(sdk.ScalekitNotFoundException);
  });
});
