// PASSWORDLESS_TYPE, the environment's choice of what a passwordless email carries: LINK (magic link only, the
// callback URI required) and OTP (code only, any callback URI ignored).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { expectErrorBody, expectResponse } from "../helpers/openapi.js";
import { SEND, VERIFY, freshEmail, lastMail, linkTokenOf, send } from "./fixtures.js";
import { loadConfig } from "../../src/config.js";

describe("PASSWORDLESS_TYPE=LINK", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer({ env: { PASSWORDLESS_TYPE: "LINK" } }); });
  afterAll(async () => { await s?.close(); });

  it("requires magiclink_auth_uri and sends only a link, which verifies once", async () => {
    const res = await s.rest("POST", SEND, { email: freshEmail() });
    expect(res.status).toBe(400);
    expectErrorBody(res.body, 3, "INVALID_ARGUMENT");
    expect(res.body.details[0].validation_error_info.field_violations[0].field).toBe("magiclink_auth_uri");

    const email = freshEmail("linkonly");
    const sent = await send(s, { email, magiclink_auth_uri: "myapp://auth/callback", state: "s1" });
    expect(sent.passwordless_type).toBe("LINK");
    const mail = await lastMail(s, email);
    expect(mail.codes).toEqual([]);
    expect(mail.subject).toBe("Your sign-in link");
    expect(mail.links[0]).toMatch(/^myapp:\/\/auth\/callback\?link_token=[A-Za-z0-9_-]{43}$/);
    const row = await s.db.passwordlessRequest.findUniqueOrThrow({ where: { id: sent.auth_request_id } });
    expect(row.codeHash).toBeNull();

    // there is no code to guess, and trying one does not count as an attempt
    const byCode = await s.rest("POST", VERIFY, { code: "123456", auth_request_id: sent.auth_request_id });
    expect(byCode.status).toBe(400);
    expectErrorBody(byCode.body, 9, "FAILED_PRECONDITION");
    expect(byCode.body.message).toMatch(/magic link only/);

    const ok = await s.rest("POST", VERIFY, { link_token: linkTokenOf(mail.links[0]), auth_request_id: sent.auth_request_id });
    expectResponse(ok, "PasswordlessService_VerifyPasswordlessEmail", 200);
    expect(ok.body).toEqual({ email, state: "s1", passwordless_type: "LINK" });
  });
});

describe("PASSWORDLESS_TYPE=OTP", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer({ env: { PASSWORDLESS_TYPE: "OTP" } }); });
  afterAll(async () => { await s?.close(); });

  it("sends only a code, even when a callback URI is given", async () => {
    const email = freshEmail("otponly");
    const sent = await send(s, { email, magiclink_auth_uri: "https://app.example.com/cb" });
    expect(sent.passwordless_type).toBe("OTP");
    const mail = await lastMail(s, email);
    expect(mail.links).toEqual([]);
    expect(mail.codes[0]).toMatch(/^\d{6}$/);
    expect(mail.body).not.toContain("app.example.com");
  });

  it("refuses an unknown setting at start-up with a line naming the variable", () => {
    expect(() => loadConfig({ PASSWORDLESS_TYPE: "SMS" })).toThrow(/PASSWORDLESS_TYPE must be one of OTP, LINK, LINK_OTP/);
    expect(loadConfig({}).passwordlessType).toBe("LINK_OTP");
  });
});
