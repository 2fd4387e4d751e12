// Shared steps of the Bring-your-own-Auth tests: connections (over REST) and login requests for them (through the
// local API), and the user-details path of AuthService/UpdateLoginUserDetails.
import { expect } from "vitest";
import type { TestServer } from "../helpers/server.js";
import { organization } from "../rbac/fixtures.js";

export async function orgConnection(s: TestServer): Promise<string> {
  const org = await organization(s, "BYOA");
  const res = await s.rest("POST", `/api/v1/organizations/${org}/connections`, { provider: "OKTA", type: "OIDC" });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.connection.id;
}

export async function envConnection(s: TestServer): Promise<string> {
  const res = await s.rest("POST", "/api/v1/connections", { provider: "GOOGLE", type: "OAUTH" });
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  return res.body.connection.id;
}

export const loginRequestsOf = (connectionId: string) => `/local/v1/connections/${connectionId}/login-requests`;
export const userPath = (connectionId: string, loginRequestId: string) =>
  `/api/v1/connections/${connectionId}/auth-requests/${loginRequestId}/user`;

export async function loginRequest(s: TestServer, connectionId: string, body?: Record<string, unknown>): Promise<any> {
  const res = await s.rest("POST", loginRequestsOf(connectionId), body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.login_request;
}

export async function shown(s: TestServer, id: string): Promise<any> {
  const res = await s.rest("GET", `/local/v1/login-requests/${id}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.login_request;
}

export const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
