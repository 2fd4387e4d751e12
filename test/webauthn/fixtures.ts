// Shared steps of the passkey tests: a user (over REST) and passkey records for it (through the local API).
import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import type { TestServer } from "../helpers/server.js";

let counter = 0;

export async function user(s: TestServer): Promise<string> {
  const org = await s.rest("POST", "/api/v1/organizations", { display_name: "Passkeys" });
  expect(org.status).toBe(201);
  const created = await s.rest("POST", `/api/v1/organizations/${org.body.organization.id}/users?send_invitation_email=false`, {
    email: `pk.${process.pid}.${++counter}@example.com`,
  });
  expect(created.status).toBe(201);
  return created.body.user.id;
}

export const passkeysOf = (userId: string) => `/local/v1/users/${userId}/passkeys`;

export async function passkey(s: TestServer, userId: string, body: Record<string, unknown> = {}): Promise<any> {
  const res = await s.rest("POST", passkeysOf(userId), body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.credential;
}

export const rawCredentialId = () => randomBytes(24);
