// Every passwordless method of the real @scalekit-sdk/node client (gRPC) against the server, reading the code
// and the magic link from the local mailbox as an application's user would from their inbox.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScalekitClient } from "@scalekit-sdk/node";
import { passwordless } from "../../src/protocol/descriptors.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { sdk, sdkClient, sdkRejection } from "../helpers/sdk.js";
import { freshEmail, lastMail, linkTokenOf, mailbox } from "./fixtures.js";

const { PasswordlessType, TemplateType } = passwordless;

describe("Passwordless through the Node SDK", () => {
  let s: TestServer;
  let client: ScalekitClient;
  beforeAll(async () => { s = await startTestServer(); client = sdkClient(s); });
  afterAll(async () => { await s?.close(); });

  it("sendPasswordlessEmail + verifyPasswordlessEmail by code", async () => {
    const email = freshEmail("sdkotp");
    const sent = await client.passwordless.sendPasswordlessEmail(email, { template: TemplateType.SIGNIN, state: "sdk-state", expiresIn: 120 });
    expect(sent).toMatchObject({ expiresIn: 120, passwordlessType: PasswordlessType.OTP });
    expect(typeof sent.expiresAt).toBe("bigint");
    expect(Number(sent.expiresAt)).toBeGreaterThan(Date.now() / 1000 + 100);
    const { codes: [code] } = await lastMail(s, email);

    const wrong = await sdkRejection(client.passwordless.verifyPasswordlessEmail({ code: code === "000000" ? "999999" : "000000" }, sent.authRequestId));
    expect(wrong).toBeInstanceOf(sdk.ScalekitBadRequestException);
    expect(wrong.message).toMatch(/4 attempts left/);

    const ok = await client.passwordless.verifyPasswordlessEmail({ code }, sent.authRequestId);
    expect(ok).toMatchObject({ email, state: "sdk-state", template: TemplateType.SIGNIN, passwordlessType: PasswordlessType.OTP });
    const again = await sdkRejection(client.passwordless.verifyPasswordlessEmail({ code }, sent.authRequestId));
    expect(again).toBeInstanceOf(sdk.ScalekitBadRequestException);
  });

  it("sendPasswordlessEmail with a magic link + verifyPasswordlessEmail by link token", async () => {
    const email = freshEmail("sdklink");
    const sent = await client.passwordless.sendPasswordlessEmail(email, {
      template: "SIGNUP" as any, // the SDK also takes the enum's name, as its docs show
      magiclinkAuthUri: "https://app.example.com/passwordless/verify", templateVariables: { company: "Acme" },
    });
    expect(sent.passwordlessType).toBe(PasswordlessType.LINK_OTP);
    expect(sent.expiresIn).toBe(300);
    const mail = await lastMail(s, email);
    expect(mail.body).toContain("company: Acme");
    const ok = await client.passwordless.verifyPasswordlessEmail({ linkToken: linkTokenOf(mail.links[0]) });
    expect(ok).toMatchObject({ email, template: TemplateType.SIGNUP, passwordlessType: PasswordlessType.LINK });
    expect(ok.state).toBeUndefined();
  });

  it("the SDK samples' template UNSPECIFIED means no template", async () => {
    const email = freshEmail("sdkunspec");
    const sent = await client.passwordless.sendPasswordlessEmail(email, { template: "UNSPECIFIED" as any });
    const { codes: [code] } = await lastMail(s, email);
    const ok = await client.passwordless.verifyPasswordlessEmail({ code }, sent.authRequestId);
    expect(ok.template).toBeUndefined();
  });

  it("resendPasswordlessEmail issues a new code for the same request; errors map to SDK exceptions", async () => {
    const email = freshEmail("sdkresend");
    const sent = await client.passwordless.sendPasswordlessEmail(email);
    const resent = await client.passwordless.resendPasswordlessEmail(sent.authRequestId);
    expect(resent).toMatchObject({ authRequestId: sent.authRequestId, expiresIn: 300, passwordlessType: PasswordlessType.OTP });
    const mails = await mailbox(s, email);
    expect(mails).toHaveLength(2);
    const ok = await client.passwordless.verifyPasswordlessEmail({ code: mails[1].codes[0] }, sent.authRequestId);
    expect(ok.email).toBe(email);

    expect(await sdkRejection(client.passwordless.resendPasswordlessEmail(sent.authRequestId))).toBeInstanceOf(sdk.ScalekitBadRequestException);
    expect(await sdkRejection(client.passwordless.resendPasswordlessEmail("missing-request"))).toBeInstanceOf(sdk.ScalekitNotFoundException);
    const bad = await sdkRejection(client.passwordless.sendPasswordlessEmail("nobody", {}));
    expect(bad).toBeInstanceOf(sdk.ScalekitBadRequestException);
    expect(bad.message).toMatch(/email/);
    const reserved = await sdkRejection(client.passwordless.sendPasswordlessEmail(freshEmail(), { templateVariables: { otp: "1" } }));
    expect(reserved).toBeInstanceOf(sdk.ScalekitBadRequestException);
    expect(reserved.message).toMatch(/template_variables/);
  });
});
