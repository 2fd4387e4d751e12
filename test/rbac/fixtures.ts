// Shared steps of the RBAC tests: creating permissions, roles and organizations over REST, giving members roles
// directly in role_assignments (through a real user and membership), and reading the outbox.
import { expect } from "vitest";
import type { TestServer } from "../helpers/server.js";
import { expectResponse } from "../helpers/openapi.js";

export const ROLES = "/api/v1/roles";
export const PERMISSIONS = "/api/v1/permissions";
export const orgRoles = (orgId: string) => `/api/v1/organizations/${orgId}/roles`;
export const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

let counter = 0;
/** A name no other test of the same server uses. */
export const unique = (stem: string) => `${stem}_${process.pid}_${++counter}`;

export async function permission(s: TestServer, name: string, description = ""): Promise<any> {
  const res = await s.rest("POST", PERMISSIONS, { name, description });
  expectResponse(res, "RolesService_CreatePermission", 201);
  return res.body.permission;
}

export async function role(s: TestServer, body: Record<string, unknown>, orgId?: string): Promise<any> {
  const res = await s.rest("POST", orgId ? orgRoles(orgId) : ROLES, { display_name: body.name, ...body });
  expectResponse(res, orgId ? "RolesService_CreateOrganizationRole" : "RolesService_CreateRole", 201);
  return res.body.role;
}

export async function organization(s: TestServer, name = "Org"): Promise<string> {
  const res = await s.rest("POST", "/api/v1/organizations", { display_name: name });
  expect(res.status).toBe(201);
  return res.body.organization.id;
}

/**
 * Makes `userId` a member of the organization (creating the user the first time), as role_assignments requires:
 * a role is held through a membership.
 */
export async function member(s: TestServer, organizationId: string, userId: string): Promise<void> {
  const email = `${userId}@rbac.example.test`;
  await s.db.user.upsert({ where: { id: userId }, update: {}, create: { id: userId, email, emailKey: email, profileId: `usp_${userId.slice(4)}` } });
  await s.db.membership.upsert({
    where: { organizationId_userId: { organizationId, userId } }, update: {},
    create: { organizationId, userId, status: 1, provisioningMethod: "direct_provision" },
  });
}

/** Gives a member a role the way memberships do: a row in role_assignments. */
export async function hold(s: TestServer, organizationId: string, userId: string, roleId: string): Promise<void> {
  await member(s, organizationId, userId);
  await s.db.roleAssignment.create({ data: { organizationId, userId, roleId } });
}

/** Envelopes of the outbox rows of the given types written after `sinceId` (exclusive), oldest first. */
export async function eventsSince(s: TestServer, sinceId: string, types?: string[]): Promise<any[]> {
  const rows = await s.db.event.findMany({
    where: { id: { gt: sinceId }, ...(types ? { type: { in: types } } : {}) }, orderBy: { id: "asc" },
  });
  return rows.map((r) => r.payload as any);
}

export async function lastEventId(s: TestServer): Promise<string> {
  const last = await s.db.event.findFirst({ orderBy: { id: "desc" }, select: { id: true } });
  return last?.id ?? "";
}

export function expectRoleEvent(s: TestServer, e: any, type: string, data: Record<string, unknown>, organizationId?: string) {
  expect(e).toMatchObject({ spec_version: "1", type, object: "Role", environment_id: s.built.environmentId });
  expect(e.id).toMatch(/^evt_\d{18}$/);
  expect(e.occurred_at).toMatch(RFC3339);
  expect(e.organization_id).toBe(organizationId);
  expect(Object.keys(e.data).sort()).toEqual(["description", "display_name", "extends", "id", "name"]);
  expect(e.data).toMatchObject(data);
}

export const names = (list: { name: string }[]) => list.map((x) => x.name);
