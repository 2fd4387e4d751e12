// UpdateLoginUserDetails over REST (POST /api/v1/connections/{connection_id}/auth-requests/{login_request_id}/user,
// body = the User) and the local API that opens login requests: statuses, bodies, expiry, single use under
// concurrency, validation that changes nothing, and login requests going with their connection.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { expectErrorBody } from "../helpers/openapi.js";
import { RFC3339, envConnection, loginRequest, loginRequestsOf, orgConnection, shown, userPath } from "./fixtures.js";

const USER = { sub: "usr-1", email: "jane@example.com", given_name: "Jane", email_verified: true };

describe("Bring your own Auth over REST and the local API", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(async () => { await s?.close(); });

  const unchanged = async (id: string) => {
    const row = await s.db.loginRequest.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe("PENDING");
    expect(row.user).toBeNull();
  };

  it("opens login requests for a connection: lri_ id, unique auth_request_id, PENDING, 10 minutes by default", async () => {
    const conn = await orgConnection(s);
    const res = await s.rest("POST", loginRequestsOf(conn));
    expect(res.status).toBe(201);
    const lr = res.body.login_request;
    expect(Object.keys(lr).sort()).toEqual(["auth_request_id", "connection_id", "created_at", "expires_at", "id", "status", "updated_at"]);
    expect(lr).toMatchObject({ connection_id: conn, status: "PENDING" });
    expect(lr.id).toMatch(/^lri_\d{18}$/);
    expect(lr.auth_request_id).toMatch(/^[A-Za-z0-9_-]{48}$/);
    expect(lr.created_at).toMatch(RFC3339);
    expect(Date.parse(lr.expires_at) - Date.parse(lr.created_at)).toBe(600_000);
    expect(await shown(s, lr.id)).toEqual(lr);

    const short = await loginRequest(s, conn, { expires_in_seconds: 60 });
    expect(Date.parse(short.expires_at) - Date.parse(short.created_at)).toBe(60_000);
    expect(short.auth_request_id).not.toBe(lr.auth_request_id);
    const row = await s.db.loginRequest.findUniqueOrThrow({ where: { id: short.id } });
    expect(row).toMatchObject({ connectionId: conn, status: "PENDING", user: null, authRequestId: short.auth_request_id });
  });

  it("refuses bad local requests: unknown connection or request (404), bad expires_in_seconds or body (400), no token (401)", async () => {
    const unknown = await s.rest("POST", loginRequestsOf("conn_000000000000000001"));
    expect(unknown.status).toBe(404);
    expectErrorBody(unknown.body, 5, "NOT_FOUND");
    expect(unknown.body.message).toContain("conn_000000000000000001");
    const missing = await s.rest("GET", "/local/v1/login-requests/lri_000000000000000001");
    expect(missing.status).toBe(404);
    expectErrorBody(missing.body, 5, "NOT_FOUND");

    const conn = await orgConnection(s);
    for (const bad of [0, -5, 1.5, "60", 86_401]) {
      const res = await s.rest("POST", loginRequestsOf(conn), { expires_in_seconds: bad });
      expect(res.status, String(bad)).toBe(400);
      expectErrorBody(res.body, 3, "INVALID_ARGUMENT");
      expect(res.body.details[0].validation_error_info.field_violations[0].field).toBe("expires_in_seconds");
    }
    const array = await s.rest("POST", loginRequestsOf(conn), [1]);
    expect(array.status).toBe(400);
    expectErrorBody(array.body, 3, "INVALID_ARGUMENT");
    expect(await s.db.loginRequest.count({ where: { connectionId: conn } })).toBe(0);
    // null, like absent, means the default lifetime
    const dflt = await loginRequest(s, conn, { expires_in_seconds: null });
    expect(Date.parse(dflt.expires_at) - Date.parse(dflt.created_at)).toBe(600_000);

    const anonymous = await s.rest("POST", loginRequestsOf(conn), {}, { token: "" });
    expect(anonymous.status).toBe(401);
    expect(await s.db.loginRequest.count({ where: { connectionId: conn } })).toBe(1);
  });

  it("takes the user as the body and answers 200 {auth_request_id}; the local API shows what was sent", async () => {
    const conn = await envConnection(s);
    const lr = await loginRequest(s, conn);
    const res = await s.rest("POST", userPath(conn, lr.id), { ...USER, groups: ["eng"], custom_attributes: { team: "core" } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ auth_request_id: lr.auth_request_id });

    const after = await shown(s, lr.id);
    expect(after).toMatchObject({ id: lr.id, status: "USER_SET", auth_request_id: lr.auth_request_id, expires_at: lr.expires_at, created_at: lr.created_at });
    expect(after.user).toEqual({ ...USER, groups: ["eng"], custom_attributes: { team: "core" } });
    expect(Date.parse(after.updated_at)).toBeGreaterThanOrEqual(Date.parse(lr.updated_at));

    const again = await s.rest("POST", userPath(conn, lr.id), USER);
    expect(again.status).toBe(400);
    expectErrorBody(again.body, 9, "FAILED_PRECONDITION");
    expect(again.body.message).toMatch(/already completed \(USER_SET\)/);

    // camelCase JSON is accepted as protojson allows; login_failed without sub or email marks the request FAILED
    const failed = await loginRequest(s, conn);
    const f = await s.rest("POST", userPath(conn, failed.id), { loginFailed: true, email: "who@example.com" });
    expect(f.status).toBe(200);
    expect(f.body).toEqual({ auth_request_id: failed.auth_request_id });
    expect(await shown(s, failed.id)).toMatchObject({ status: "FAILED", user: { login_failed: true, email: "who@example.com" } });
    const afterFailed = await s.rest("POST", userPath(conn, failed.id), USER);
    expect(afterFailed.status).toBe(400);
    expectErrorBody(afterFailed.body, 9, "FAILED_PRECONDITION");
    expect(afterFailed.body.message).toMatch(/already completed \(FAILED\)/);
  });

  it("answers 404 for an unknown connection, an unknown request and another connection's request", async () => {
    const conn = await orgConnection(s);
    const other = await orgConnection(s);
    const lr = await loginRequest(s, conn);

    const noConn = await s.rest("POST", userPath("conn_000000000000000001", lr.id), USER);
    expect(noConn.status).toBe(404);
    expectErrorBody(noConn.body, 5, "NOT_FOUND");
    expect(noConn.body.message).toBe("connection conn_000000000000000001 not found");
    expect(noConn.body.details[0].resource_info.resource_name).toBe("conn_000000000000000001");

    const noLr = await s.rest("POST", userPath(conn, "lri_000000000000000001"), USER);
    expect(noLr.status).toBe(404);
    expectErrorBody(noLr.body, 5, "NOT_FOUND");
    expect(noLr.body.message).toBe("login request lri_000000000000000001 not found");

    const foreign = await s.rest("POST", userPath(other, lr.id), USER);
    expect(foreign.status).toBe(404);
    expectErrorBody(foreign.body, 5, "NOT_FOUND");
    expect(foreign.body.message).toBe(`login request ${lr.id} not found`);
    await unchanged(lr.id);
  });

  it("refuses an expired request with FAILED_PRECONDITION", async () => {
    const conn = await orgConnection(s);
    const lr = await loginRequest(s, conn);
    const past = new Date(Date.now() - 1000);
    await s.db.loginRequest.update({ where: { id: lr.id }, data: { expiresAt: past } });
    const res = await s.rest("POST", userPath(conn, lr.id), USER);
    expect(res.status).toBe(400);
    expectErrorBody(res.body, 9, "FAILED_PRECONDITION");
    expect(res.body.message).toBe(`login request ${lr.id} expired at ${past.toISOString()}`);
    await unchanged(lr.id);
  });

  it("validates the user and changes nothing when it is refused", async () => {
    const conn = await orgConnection(s);
    const lr = await loginRequest(s, conn);
    const cases: [unknown, string][] = [
      [{}, "user.sub"],
      [{ sub: "   ", email: "a@example.com" }, "user.sub"],
      [{ sub: "a" }, "user.email"],
      [{ sub: "a", email: "a@@example.com" }, "user.email"],
      [{ sub: "a", email: "a @example.com" }, "user.email"],
      [{ loginFailed: true, email: "nope" }, "user.email"],
      [{ sub: "a", email: "a@example.com", phone_number: "+0123" }, "user.phone_number"],
      [{ sub: "a", email: "a@example.com", organization_external_name: "n".repeat(201) }, "user.organization_external_name"],
    ];
    for (const [body, field] of cases) {
      const res = await s.rest("POST", userPath(conn, lr.id), body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expectErrorBody(res.body, 3, "INVALID_ARGUMENT");
      expect(res.body.details[0].validation_error_info.field_violations[0].field).toBe(field);
    }
    const longConn = await s.rest("POST", userPath(`conn_${"1".repeat(40)}`, lr.id), USER);
    expect(longConn.status).toBe(400);
    expect(longConn.body.details[0].validation_error_info.field_violations[0].field).toBe("connection_id");
    const notJsonUser = await s.rest("POST", userPath(conn, lr.id), { sub: 5, email: "a@example.com" });
    expect(notJsonUser.status).toBe(400);
    expectErrorBody(notJsonUser.body, 3, "INVALID_ARGUMENT");
    const nul = await s.rest("POST", userPath(conn, lr.id), { ...USER, name: "a\u0000b" });
    expect(nul.status).toBe(400);
    await unchanged(lr.id);
  });

  it("lets exactly one of ten concurrent calls set the user", async () => {
    const conn = await orgConnection(s);
    const lr = await loginRequest(s, conn);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) =>
      s.rest("POST", userPath(conn, lr.id), { sub: `racer-${i}`, email: `racer${i}@example.com` })));
    const won = results.filter((r) => r.status === 200);
    expect(won).toHaveLength(1);
    expect(won[0].body).toEqual({ auth_request_id: lr.auth_request_id });
    const lost = results.filter((r) => r.status !== 200);
    expect(lost).toHaveLength(9);
    for (const r of lost) {
      expect(r.status).toBe(400);
      expectErrorBody(r.body, 9, "FAILED_PRECONDITION");
    }
    const winner = results.indexOf(won[0]);
    expect((await shown(s, lr.id)).user).toEqual({ sub: `racer-${winner}`, email: `racer${winner}@example.com` });
  });

  it("removes a connection's login requests with the connection", async () => {
    const conn = await envConnection(s);
    const lr = await loginRequest(s, conn);
    const del = await s.rest("DELETE", `/api/v1/connections/${conn}`);
    expect(del.status, JSON.stringify(del.body)).toBe(200);
    expect(await s.db.loginRequest.findUnique({ where: { id: lr.id } })).toBeNull();
    expect((await s.rest("GET", `/local/v1/login-requests/${lr.id}`)).status).toBe(404);
  });
});
