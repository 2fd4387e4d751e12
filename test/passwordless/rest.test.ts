// Magic link & OTP over REST with the default PASSWORDLESS_TYPE (LINK_OTP): round trips through the local mailbox,
// single use, expiry, the 5-attempt lockout (also under concurrent guesses), resend, and input validation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { expectErrorBody, expectResponse } from "../helpers/openapi.js";
import { RESEND, SEND, VERIFY, freshEmail, lastMail, linkTokenOf, mailbox, send } from "./fixtures.js";

describe("Passwordless email over REST", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(async () => { await s?.close(); });

  const verify = (body: Record<string, unknown>) => s.rest("POST", VERIFY, body);
  const expectRefused = (res: { status: number; body: any }, code: 3 | 5 | 9, errorCode: string, text?: RegExp) => {
    expect(res.status, JSON.stringify(res.body)).toBe(code === 5 ? 404 : 400);
    expectErrorBody(res.body, code, errorCode);
    if (text) expect(res.body.message).toMatch(text);
  };

  it("OTP round trip: the code arrives in the mailbox, verifies once, and is stored only as a hash", async () => {
    const email = freshEmail("otp");
    const before = Math.floor(Date.now() / 1000);
    const sent = await send(s, { email, template: "SIGNIN", state: "st-123" });
    expect(sent).toMatchObject({ expires_in: 300, passwordless_type: "OTP" });
    expect(sent.auth_request_id).toMatch(/^[A-Za-z0-9_-]{48}$/);
    expect(typeof sent.expires_at).toBe("string"); // int64 as a JSON string
    expect(Number(sent.expires_at)).toBeGreaterThanOrEqual(before + 300);
    expect(Number(sent.expires_at)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 300);

    const mail = await lastMail(s, email);
    expect(mail).toMatchObject({ recipient: email, kind: "passwordless", links: [] });
    expect(mail.codes).toHaveLength(1);
    const code = mail.codes[0];
    expect(code).toMatch(/^\d{6}$/);
    expect(mail.subject).toBe(`${code} is your verification code`);
    expect(mail.body).toContain(code);

    const row = await s.db.passwordlessRequest.findUniqueOrThrow({ where: { id: sent.auth_request_id } });
    expect(row).toMatchObject({ email, state: "st-123", template: 1, passwordlessType: 1, attempts: 0, consumedAt: null, linkTokenHash: null });
    expect(row.codeHash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(row)).not.toContain(`"${code}"`);
    expect(Math.floor(row.expiresAt.getTime() / 1000)).toBe(Number(sent.expires_at));

    const ok = await verify({ code, auth_request_id: sent.auth_request_id });
    expectResponse(ok, "PasswordlessService_VerifyPasswordlessEmail", 200);
    expect(ok.body).toEqual({ email, state: "st-123", template: "SIGNIN", passwordless_type: "OTP" });
    expect((await s.db.passwordlessRequest.findUniqueOrThrow({ where: { id: sent.auth_request_id } })).consumedAt).toBeInstanceOf(Date);

    // single use
    expectRefused(await verify({ code, auth_request_id: sent.auth_request_id }), 9, "FAILED_PRECONDITION", /already verified/);
  });

  it("magic-link round trip: link_token is appended to the callback's own query string and verifies once", async () => {
    const email = freshEmail("link");
    const sent = await send(s, {
      email, template: "SIGNUP", state: "return-to-dashboard", expires_in: 600,
      magiclink_auth_uri: "https://app.example.com/auth/callback?next=%2Fhome&x=1#frag",
    });
    expect(sent).toMatchObject({ expires_in: 600, passwordless_type: "LINK_OTP" });
    const mail = await lastMail(s, email);
    expect(mail.links).toHaveLength(1);
    expect(mail.codes).toHaveLength(1);
    const link = new URL(mail.links[0]);
    expect(link.origin + link.pathname).toBe("https://app.example.com/auth/callback");
    expect(link.searchParams.get("next")).toBe("/home");
    expect(link.searchParams.get("x")).toBe("1");
    expect(link.hash).toBe("#frag");
    const token = linkTokenOf(mail.links[0]);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(mail.body).toContain(mail.links[0]);
    expect(mail.body).toContain("10 minutes");
    const row = await s.db.passwordlessRequest.findUniqueOrThrow({ where: { id: sent.auth_request_id } });
    expect(row.linkTokenHash).not.toBe(token);
    expect(row.magiclinkAuthUri).toBe("https://app.example.com/auth/callback?next=%2Fhome&x=1#frag");

    // a token with another request's id is refused, and refusing it uses nothing up
    const other = await send(s, { email: freshEmail() });
    expectRefused(await verify({ link_token: token, auth_request_id: other.auth_request_id }), 3, "INVALID_ARGUMENT", /auth_request_id/);

    const ok = await verify({ link_token: token });
    expectResponse(ok, "PasswordlessService_VerifyPasswordlessEmail", 200);
    expect(ok.body).toEqual({ email, state: "return-to-dashboard", template: "SIGNUP", passwordless_type: "LINK" });
    expectRefused(await verify({ link_token: token }), 9, "FAILED_PRECONDITION", /single-use/);
    // the code of the same request is spent with it
    expectRefused(await verify({ code: mail.codes[0], auth_request_id: sent.auth_request_id }), 9, "FAILED_PRECONDITION", /already verified/);
  });

  it("template variables are delivered, and the request's fields are validated naming the field; nothing is stored on refusal", async () => {
    const email = freshEmail("vars");
    await send(s, { email, template_variables: { team_name: "Acme", employee_id: "E-42" } });
    const mail = await lastMail(s, email);
    expect(mail.body).toContain("team_name: Acme");
    expect(mail.body).toContain("employee_id: E-42");

    const bad = freshEmail("bad");
    const rowsBefore = await s.db.passwordlessRequest.count();
    const thirtyOne = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`var_${i}`, "v"]));
    const thirty = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`var_${i}`, "v"]));
    const cases: [Record<string, unknown>, string][] = [
      [{ email: "not-an-email" }, "email"],
      [{}, "email"],
      [{ email: bad, template_variables: thirtyOne }, "template_variables"],
      [{ email: bad, template_variables: { otp: "123456" } }, "template_variables"],
      [{ email: bad, template_variables: { link: "https://evil.example" } }, "template_variables"],
      [{ email: bad, template_variables: { expiry_time_relative: "x" } }, "template_variables"],
      [{ email: bad, template_variables: { expire_time: "x" } }, "template_variables"],
      [{ email: bad, template_variables: { Expiry_Time: "x" } }, "template_variables"],
      [{ email: bad, template_variables: { a: "short key" } }, "template_variables"],
      [{ email: bad, template_variables: { long_value: "x".repeat(257) } }, "template_variables"],
      [{ email: bad, expires_in: 0 }, "expires_in"],
      [{ email: bad, expires_in: 86_401 }, "expires_in"],
      [{ email: bad, magiclink_auth_uri: "not a url" }, "magiclink_auth_uri"],
      [{ email: bad, magiclink_auth_uri: "javascript:alert(1)" }, "magiclink_auth_uri"],
      [{ email: bad, magiclink_auth_uri: "" }, "magiclink_auth_uri"],
      [{ email: bad, state: "" }, "state"],
      [{ email: bad, state: "s".repeat(1001) }, "state"],
    ];
    for (const [body, field] of cases) {
      const res = await s.rest("POST", SEND, body);
      expect(res.status, `${JSON.stringify(body).slice(0, 80)} -> ${JSON.stringify(res.body)}`).toBe(400);
      expectErrorBody(res.body, 3, "INVALID_ARGUMENT");
      expect(res.body.details[0].validation_error_info.field_violations[0].field).toBe(field);
    }
    expect((await s.rest("POST", SEND, { email: bad, template: "SIGNOUT" })).status).toBe(400);
    expect(await s.db.passwordlessRequest.count()).toBe(rowsBefore);
    expect(await mailbox(s, bad)).toEqual([]);

    const limits = await send(s, { email: bad, template_variables: thirty, expires_in: 86_400 });
    expect(limits.expires_in).toBe(86_400);
  });

  it("expired codes and links are refused with FAILED_PRECONDITION; a resend issues fresh ones for the same request", async () => {
    const email = freshEmail("exp");
    const sent = await send(s, { email, expires_in: 60, magiclink_auth_uri: "https://app.example.com/cb" });
    const first = await lastMail(s, email);
    await s.db.passwordlessRequest.update({ where: { id: sent.auth_request_id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expectRefused(await verify({ code: first.codes[0], auth_request_id: sent.auth_request_id }), 9, "FAILED_PRECONDITION", /expired/);
    expectRefused(await verify({ link_token: linkTokenOf(first.links[0]) }), 9, "FAILED_PRECONDITION", /expired/);
    // an expired attempt counts for nothing
    expect((await s.db.passwordlessRequest.findUniqueOrThrow({ where: { id: sent.auth_request_id } })).attempts).toBe(0);

    const resent = await s.rest("POST", RESEND, { auth_request_id: sent.auth_request_id });
    expectResponse(resent, "PasswordlessService_ResendPasswordlessEmail", 200);
    expect(resent.body).toMatchObject({ auth_request_id: sent.auth_request_id, expires_in: 60, passwordless_type: "LINK_OTP" });
    expect(Number(resent.body.expires_at)).toBeGreaterThan(Date.now() / 1000);
    const mails = await mailbox(s, email);
    expect(mails).toHaveLength(2);
    const second = mails[1];
    expect(second.links[0]).not.toBe(first.links[0]);
    // the previous link is gone; the previous code is simply wrong now
    expectRefused(await verify({ link_token: linkTokenOf(first.links[0]) }), 3, "INVALID_ARGUMENT", /link_token/);
    if (first.codes[0] !== second.codes[0])
      expectRefused(await verify({ code: first.codes[0], auth_request_id: sent.auth_request_id }), 3, "INVALID_ARGUMENT", /4 attempts left/);
    const ok = await verify({ code: second.codes[0], auth_request_id: sent.auth_request_id });
    expectResponse(ok, "PasswordlessService_VerifyPasswordlessEmail", 200);
    expect(ok.body).toMatchObject({ email, passwordless_type: "OTP" });
    const row = await s.db.passwordlessRequest.findUniqueOrThrow({ where: { id: sent.auth_request_id } });
    expect(row.resentCount).toBe(1);

    // a verified request cannot be resent; an unknown one is 404
    expectRefused(await s.rest("POST", RESEND, { auth_request_id: sent.auth_request_id }), 9, "FAILED_PRECONDITION", /already verified/);
    expectRefused(await s.rest("POST", RESEND, { auth_request_id: "no-such-request" }), 5, "NOT_FOUND");
    expectRefused(await s.rest("POST", RESEND, {}), 3, "INVALID_ARGUMENT", /auth_request_id/);
    expect(await mailbox(s, email)).toHaveLength(2);
  });

  it("locks after 5 wrong codes: the right code and the link are refused afterwards, and so is a resend", async () => {
    const email = freshEmail("lock");
    const sent = await send(s, { email, magiclink_auth_uri: "https://app.example.com/cb" });
    const { codes: [code], links: [link] } = await lastMail(s, email);
    const wrong = code === "000000" ? "111111" : "000000";
    for (let left = 4; left >= 0; left--) {
      const res = await verify({ code: wrong, auth_request_id: sent.auth_request_id });
      expectRefused(res, 3, "INVALID_ARGUMENT");
      expect(res.body.details[0].validation_error_info.field_violations[0].field).toBe("code");
      expect(res.body.message).toMatch(left ? new RegExp(`${left} attempts? left`) : /locked/);
    }
    expectRefused(await verify({ code, auth_request_id: sent.auth_request_id }), 9, "FAILED_PRECONDITION", /locked after 5 incorrect codes/);
    expectRefused(await verify({ link_token: linkTokenOf(link) }), 9, "FAILED_PRECONDITION", /locked/);
    const row = await s.db.passwordlessRequest.findUniqueOrThrow({ where: { id: sent.auth_request_id } });
    expect(row).toMatchObject({ attempts: 5, consumedAt: null });
    expectRefused(await s.rest("POST", RESEND, { auth_request_id: sent.auth_request_id }), 9, "FAILED_PRECONDITION", /locked/);
  });

  it("concurrent wrong guesses cannot evaluate more than 5 codes", async () => {
    const email = freshEmail("race");
    const sent = await send(s, { email });
    const { codes: [code] } = await lastMail(s, email);
    const guesses = Array.from({ length: 12 }, (_, i) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, "0"));
    const results = await Promise.all(guesses.map((g) => verify({ code: g, auth_request_id: sent.auth_request_id })));
    expect(results.every((r) => r.status === 400), JSON.stringify(results.map((r) => r.body))).toBe(true);
    expect(results.filter((r) => r.body.details[0].error_code === "INVALID_ARGUMENT")).toHaveLength(5);
    expect(results.filter((r) => r.body.details[0].error_code === "FAILED_PRECONDITION")).toHaveLength(7);
    expect((await s.db.passwordlessRequest.findUniqueOrThrow({ where: { id: sent.auth_request_id } })).attempts).toBe(5);
    expectRefused(await verify({ code, auth_request_id: sent.auth_request_id }), 9, "FAILED_PRECONDITION", /locked/);
  });

  it("verify needs a credential, an auth_request_id with a code, and a known request or token", async () => {
    const sent = await send(s, { email: freshEmail("v") });
    expectRefused(await verify({ code: "123456" }), 3, "INVALID_ARGUMENT", /auth_request_id/);
    expectRefused(await verify({ auth_request_id: sent.auth_request_id }), 3, "INVALID_ARGUMENT");
    expectRefused(await verify({}), 3, "INVALID_ARGUMENT");
    expectRefused(await verify({ code: "123456", auth_request_id: "unknown-request" }), 5, "NOT_FOUND");
    expectRefused(await verify({ link_token: "not-a-token" }), 3, "INVALID_ARGUMENT", /link_token/);
    expectRefused(await verify({ code: "1".repeat(21), auth_request_id: sent.auth_request_id }), 3, "INVALID_ARGUMENT", /code/);
    // an OTP-only request has no link, so verifying its code is the only way
    expect((await s.db.passwordlessRequest.findUniqueOrThrow({ where: { id: sent.auth_request_id } })).attempts).toBe(0);
    expect((await s.rest("POST", SEND, { email: freshEmail() }, { token: "" })).status).toBe(401);
  });
});
