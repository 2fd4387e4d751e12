// auth.updateLoginUserDetails of the real @scalekit-sdk/node client (gRPC) against the server: the app hands over
// the signed-in user's details for a login request once, and gets the request's auth_request_id back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScalekitClient } from "@scalekit-sdk/node";
import { Code } from "@connectrpc/connect";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { sdk, sdkClient, sdkRejection } from "../helpers/sdk.js";
import { rpcClient } from "../helpers/grpc.js";
import { auth } from "../../src/protocol/descriptors.js";
import { envConnection, loginRequest, orgConnection, shown } from "./fixtures.js";

describe("Bring your own Auth through the Node SDK", () => {
  let s: TestServer;
  let client: ScalekitClient;
  beforeAll(async () => { s = await startTestServer(); client = sdkClient(s); });
  afterAll(async () => { await s?.close(); });

  it("accepts the user's details once and answers with the auth_request_id", async () => {
    const conn = await orgConnection(s);
    const lr = await loginRequest(s, conn);
    const res = await client.auth.updateLoginUserDetails(conn, lr.id, {
      sub: "usr-42", email: "john.doe@company.com", givenName: "John", familyName: "Doe", name: "John Doe", emailVerified: true,
      phoneNumber: "+14155550123", preferredUsername: "johnd", picture: "https://example.com/a.png", locale: "en-US",
      groups: ["admins", "developers"], roles: ["admin"], customAttributes: { department: "Engineering", level: 3, remote: true },
      organizationExternalId: "132d085d-d89d-4a2e-95bb-49bde680d14f", organizationExternalName: "Acme Corp",
    });
    expect(res.authRequestId).toBe(lr.auth_request_id);

    const after = await shown(s, lr.id);
    expect(after.status).toBe("USER_SET");
    expect(after.user).toEqual({
      sub: "usr-42", email: "john.doe@company.com", given_name: "John", family_name: "Doe", name: "John Doe", email_verified: true,
      phone_number: "+14155550123", preferred_username: "johnd", picture: "https://example.com/a.png", locale: "en-US",
      groups: ["admins", "developers"], roles: ["admin"], custom_attributes: { department: "Engineering", level: 3, remote: true },
      organization_external_id: "132d085d-d89d-4a2e-95bb-49bde680d14f", organization_external_name: "Acme Corp",
    });
    const row = await s.db.loginRequest.findUniqueOrThrow({ where: { id: lr.id } });
    expect(row).toMatchObject({ status: "USER_SET", authRequestId: lr.auth_request_id, connectionId: conn });

    // a second call is refused and changes nothing
    const again = await sdkRejection(client.auth.updateLoginUserDetails(conn, lr.id, { sub: "someone-else", email: "eve@example.com" }));
    expect(again).toBeInstanceOf(sdk.ScalekitBadRequestException);
    expect(again.grpcStatus).toBe(Code.FailedPrecondition);
    expect(again.errorCode).toBe("FAILED_PRECONDITION");
    expect(again.message).toMatch(/already completed/);
    expect((await shown(s, lr.id)).user.sub).toBe("usr-42");
  });

  it("works for environment connections and records a failed upstream login as FAILED", async () => {
    const conn = await envConnection(s);
    const lr = await loginRequest(s, conn);
    const res = await client.auth.updateLoginUserDetails(conn, lr.id, { loginFailed: true });
    expect(res.authRequestId).toBe(lr.auth_request_id);
    const after = await shown(s, lr.id);
    expect(after).toMatchObject({ status: "FAILED", user: { login_failed: true } });
  });

  it("answers NotFound for an unknown connection or login request, or another connection's request", async () => {
    const conn = await orgConnection(s);
    const other = await orgConnection(s);
    const lr = await loginRequest(s, conn);
    const user = { sub: "u1", email: "u1@example.com" };

    const noConn = await sdkRejection(client.auth.updateLoginUserDetails("conn_000000000000000001", lr.id, user));
    expect(noConn).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect(noConn.message).toMatch(/connection conn_000000000000000001/);
    const noLr = await sdkRejection(client.auth.updateLoginUserDetails(conn, "lri_000000000000000001", user));
    expect(noLr).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect(noLr.message).toMatch(/login request lri_000000000000000001/);
    const foreign = await sdkRejection(client.auth.updateLoginUserDetails(other, lr.id, user));
    expect(foreign).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect(foreign.message).toMatch(new RegExp(`login request ${lr.id}`));
    expect((await shown(s, lr.id)).status).toBe("PENDING");
  });

  it("refuses incomplete or malformed details with BadRequest naming the field", async () => {
    const conn = await orgConnection(s);
    const lr = await loginRequest(s, conn);
    const cases: [Record<string, unknown>, string][] = [
      [{ email: "a@example.com" }, "user.sub"],
      [{ sub: "a" }, "user.email"],
      [{ sub: "a", email: "not-an-email" }, "user.email"],
      [{ sub: "a", email: "a@example.com", phoneNumber: "555-0123" }, "user.phone_number"],
      [{ sub: "a", email: "a@example.com", organizationExternalName: "x".repeat(201) }, "user.organization_external_name"],
    ];
    for (const [user, field] of cases) {
      const e = await sdkRejection(client.auth.updateLoginUserDetails(conn, lr.id, user));
      expect(e, field).toBeInstanceOf(sdk.ScalekitBadRequestException);
      expect(e.grpcStatus).toBe(Code.InvalidArgument);
      expect(e.message).toContain(field);
    }
    const tooLongConn = await sdkRejection(client.auth.updateLoginUserDetails(`conn_${"9".repeat(40)}`, lr.id, { sub: "a", email: "a@example.com" }));
    expect(tooLongConn.message).toContain("connection_id");
    expect((await shown(s, lr.id))).toMatchObject({ status: "PENDING" });
    expect((await shown(s, lr.id)).user).toBeUndefined();

    // the SDK itself refuses empty ids before calling
    await expect(client.auth.updateLoginUserDetails("", lr.id, { sub: "a" })).rejects.toThrow(/connectionId/);
  });

  it("over plain gRPC, requires connection_id, login_request_id and user", async () => {
    const conn = await orgConnection(s);
    const lr = await loginRequest(s, conn);
    const grpc = rpcClient(s.url, auth.AuthService, "grpc", await s.token());
    const user = { sub: "a", email: "a@example.com" };
    const cases: [Parameters<typeof grpc.updateLoginUserDetails>[0], string][] = [
      [{ loginRequestId: lr.id, user }, "connection_id: is required"],
      [{ connectionId: conn, user }, "login_request_id: is required"],
      [{ connectionId: conn, loginRequestId: lr.id }, "user: is required"],
    ];
    for (const [req, message] of cases) {
      const e: any = await grpc.updateLoginUserDetails(req).then(() => undefined, (err) => err);
      expect(e?.code, message).toBe(Code.InvalidArgument);
      expect(e.rawMessage).toBe(message);
    }
    expect((await shown(s, lr.id)).status).toBe("PENDING");
    expect((await grpc.updateLoginUserDetails({ connectionId: conn, loginRequestId: lr.id, user })).authRequestId).toBe(lr.auth_request_id);
  });
});
