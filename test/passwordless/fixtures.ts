// Shared steps of the passwordless tests: sending over REST and reading the message from the local mailbox.
import { expect } from "vitest";
import type { TestServer } from "../helpers/server.js";
import { expectResponse } from "../helpers/openapi.js";

export const SEND = "/api/v1/passwordless/email/send";
export const VERIFY = "/api/v1/passwordless/email/verify";
export const RESEND = "/api/v1/passwordless/email/resend";

let counter = 0;
export const freshEmail = (stem = "pl") => `${stem}.${process.pid}.${++counter}@example.com`;

export async function mailbox(s: TestServer, recipient: string): Promise<any[]> {
  const res = await s.rest("GET", `/local/v1/mailbox?recipient=${encodeURIComponent(recipient)}`);
  expect(res.status).toBe(200);
  return res.body.messages;
}

export async function lastMail(s: TestServer, recipient: string): Promise<any> {
  const all = await mailbox(s, recipient);
  expect(all.length).toBeGreaterThan(0);
  return all[all.length - 1];
}

export async function send(s: TestServer, body: Record<string, unknown>): Promise<any> {
  const res = await s.rest("POST", SEND, body);
  expectResponse(res, "PasswordlessService_SendPasswordlessEmail", 200);
  return res.body;
}

export const linkTokenOf = (link: string) => new URL(link).searchParams.get("link_token")!;
