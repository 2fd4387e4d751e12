// The email step of the login page: home realm discovery first (an SSO domain goes to its connection), else a
// one-time code and a magic link through PasswordlessService itself (the same requests, hashing, attempt limit
// and mailbox as the API). Emails with +sktest in the local part skip the email and accept the environment's
// static test code (TEST_USER_CODE, 424242 by default), as Scalekit's test users do.
import { create } from "@bufbuild/protobuf";
import { ConnectError } from "@connectrpc/connect";
import type { Connection, LoginFlow } from "../../../generated/prisma/client.js";
import { passwordless } from "../../../protocol/descriptors.js";
import { passwordlessService } from "../../passwordless/service.js";
import type { ServiceDeps } from "../../deps.js";
import { discoverConnection, domainOf } from "./discovery.js";
import { PageError } from "./errors.js";
import { advanceFlow } from "./flows.js";
import { userByEmail } from "./identity.js";
import { newId } from "../../../protocol/ids.js";
import { linkTokenHash } from "../../passwordless/store.js";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;
export const OTP_TTL_SECONDS = 600;
export const isTestUser = (email: string) => email.slice(0, email.lastIndexOf("@")).includes("+sktest");

/** Thrown for what the user can correct on the same page (shown next to the field). */
export class FieldError extends Error {
  constructor(readonly field: string, message: string) { super(message); }
}

type Methods = Required<ReturnType<typeof passwordlessService>["methods"]>;
const service = (deps: ServiceDeps) => passwordlessService(deps).methods as Methods;
type Ctx = Parameters<Methods["sendPasswordlessEmail"]>[1];
const NO_CONTEXT = {} as Ctx;

export function checkLoginEmail(raw: unknown): string {
  const email = typeof raw === "string" ? raw.trim() : "";
  if (!email) throw new FieldError("email", "Enter your email address.");
  if (email.length > 320 || !EMAIL.test(email)) throw new FieldError("email", "Enter a valid email address.");
  return email;
}

export async function submitEmail(deps: ServiceDeps, flow: LoginFlow, rawEmail: unknown): Promise<{ kind: "sso"; flow: LoginFlow; connection: Connection } | { kind: "otp"; flow: LoginFlow }> {
  if (flow.step !== "email" && flow.step !== "otp") throw new PageError("Login already moved on", "Start again from the application.", 409);
  const email = checkLoginEmail(rawEmail);
  const connection = await discoverConnection(deps, domainOf(email), flow.requestedOrganizationId);
  if (connection) return { kind: "sso", connection, flow: await advanceFlow(deps, flow, { step: "sso", email, requestedConnectionId: connection.id }) };
  let requestId: string | null = null;
  if (!isTestUser(email)) {
    const sent = await service(deps).sendPasswordlessEmail(create(passwordless.SendPasswordlessRequestSchema, {
      email, template: flow.intent === "sign_up" ? passwordless.TemplateType.SIGNUP : passwordless.TemplateType.SIGNIN,
      magiclinkAuthUri: `${deps.config.environmentUrl}/login/magic-link`, expiresIn: OTP_TTL_SECONDS, state: flow.id,
    }), NO_CONTEXT);
    requestId = sent.authRequestId ?? null;
  }
  return { kind: "otp", flow: await advanceFlow(deps, flow, { step: "otp", email, passwordlessRequestId: requestId }) };
}

export async function resendCode(deps: ServiceDeps, flow: LoginFlow): Promise<void> {
  if (flow.step !== "otp" || !flow.passwordlessRequestId) return;
  await service(deps).resendPasswordlessEmail(create(passwordless.ResendPasswordlessRequestSchema, { authRequestId: flow.passwordlessRequestId }), NO_CONTEXT);
}

/** The user behind a verified email: the existing one, now verified, or a new one (signup follows). */
async function authenticated(deps: ServiceDeps, flow: LoginFlow, email: string): Promise<LoginFlow> {
  const now = new Date();
  const existing = await userByEmail(deps.db, email);
  const user = existing
    ? (existing.emailVerified ? existing : await deps.db.user.update({ where: { id: existing.id }, data: { emailVerified: true, updateTime: now } }))
    : await deps.db.user.create({ data: { id: newId("usr"), profileId: newId("usp"), email, emailKey: email.toLowerCase(), emailVerified: true, createTime: now, updateTime: now } });
  return advanceFlow(deps, flow, { step: "authenticated", userId: user.id, connectionId: null });
}

export async function verifyCode(deps: ServiceDeps, flow: LoginFlow, rawCode: unknown): Promise<LoginFlow> {
  if (flow.step !== "otp" || !flow.email) throw new PageError("No code was sent", "Enter your email first.", 409);
  const code = typeof rawCode === "string" ? rawCode.replace(/\s+/g, "") : "";
  if (!/^\d{6}$/.test(code)) throw new FieldError("code", "Enter the 6-digit code from the email.");
  if (!flow.passwordlessRequestId) {
    if (code !== deps.config.testUserCode) throw new FieldError("code", "That code is not right.");
    return authenticated(deps, flow, flow.email);
  }
  try {
    await service(deps).verifyPasswordlessEmail(create(passwordless.VerifyPasswordLessRequestSchema, {
      authRequestId: flow.passwordlessRequestId, authCredential: { case: "code", value: code },
    }), NO_CONTEXT);
  } catch (e) {
    if (e instanceof ConnectError) throw new FieldError("code", e.rawMessage.replace(/^passwordless auth request \S+/, "The code"));
    throw e;
  }
  return authenticated(deps, flow, flow.email);
}

/** A magic link: verified by PasswordlessService; names its login through the request's state. */
export async function verifyMagicLink(deps: ServiceDeps, linkToken: unknown): Promise<{ flowId: string; verify: (flow: LoginFlow) => Promise<LoginFlow> }> {
  if (typeof linkToken !== "string" || !/^[A-Za-z0-9_-]{20,100}$/.test(linkToken)) throw new PageError("Invalid link", "This sign-in link is incomplete. Use the newest email, or start again.");
  const row = await deps.db.passwordlessRequest.findUnique({ where: { linkTokenHash: linkTokenHash(deps.hashKey, linkToken) } });
  if (!row?.state) throw new PageError("Invalid link", "This sign-in link is not valid any more (a newer email replaces it). Start again.");
  return {
    flowId: row.state,
    verify: async (flow) => {
      if (flow.passwordlessRequestId !== row.id || flow.step !== "otp") throw new PageError("Invalid link", "This link belongs to another login. Start again.");
      try {
        await service(deps).verifyPasswordlessEmail(create(passwordless.VerifyPasswordLessRequestSchema, {
          authCredential: { case: "linkToken", value: linkToken },
        }), NO_CONTEXT);
      } catch (e) {
        if (e instanceof ConnectError) throw new PageError("Link not valid", e.rawMessage.replace(/^passwordless auth request \S+/, "This link"));
        throw e;
      }
      return authenticated(deps, flow, flow.email!);
    },
  };
}
