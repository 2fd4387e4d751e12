// Passwordless request rows <-> messages, and the email a request sends (into the local mailbox).
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { PasswordlessRequest as RequestRow } from "../../generated/prisma/client.js";
import type { Mail } from "../../mail/mailbox.js";
import { passwordless } from "../../protocol/descriptors.js";

const { PasswordlessType, TemplateType } = passwordless;

/** SendPasswordlessEmail and ResendPasswordlessEmail answer alike; expires_at is Unix seconds. */
export function sentMessage(row: RequestRow): MessageInitShape<typeof passwordless.SendPasswordlessResponseSchema> {
  return {
    authRequestId: row.id, expiresAt: BigInt(Math.floor(row.expiresAt.getTime() / 1000)), expiresIn: row.expiresIn,
    passwordlessType: row.passwordlessType,
  };
}

/** `via` is the credential the user presented: the response confirms which method they completed. */
export function verifiedMessage(row: RequestRow, via: "code" | "link"): MessageInitShape<typeof passwordless.VerifyPasswordLessResponseSchema> {
  return {
    email: row.email, state: row.state ?? undefined, template: row.template ?? undefined,
    passwordlessType: via === "code" ? PasswordlessType.OTP : PasswordlessType.LINK,
  };
}

function minutes(seconds: number): string {
  if (seconds % 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const m = seconds / 60;
  return `${m} minute${m === 1 ? "" : "s"}`;
}

/** The message a request sends: the code and/or the magic link, the expiry and the caller's template variables. */
export function passwordlessMail(row: RequestRow, secrets: { code?: string; link?: string }): Mail {
  const signup = row.template === TemplateType.SIGNUP;
  const action = signup ? "finish signing up" : "sign in";
  const subject = secrets.code ? `${secrets.code} is your verification code` : `Your ${signup ? "sign-up" : "sign-in"} link`;
  const lines = [`Use this email to ${action} as ${row.email}.`, ""];
  if (secrets.code) lines.push(`Your verification code: ${secrets.code}`);
  if (secrets.link) lines.push(`${secrets.code ? "Or open this link" : "Open this link"}: ${secrets.link}`);
  lines.push("", `This expires in ${minutes(row.expiresIn)} (at ${row.expiresAt.toISOString()}). If you did not ask for it, ignore this email.`);
  const vars = Object.entries((row.templateVariables ?? {}) as Record<string, string>);
  if (vars.length) lines.push("", "Template variables:", ...vars.map(([k, v]) => `  ${k}: ${v}`));
  return {
    to: row.email, kind: "passwordless", subject, body: `${lines.join("\n")}\n`,
    links: secrets.link ? [secrets.link] : [], codes: secrets.code ? [secrets.code] : [],
  };
}
