// Shared steps of the directory and SCIM tests: a directory with a secret (over REST, as a dashboard would set it
// up), and a small SCIM client that acts as the identity provider.
import { expect } from "vitest";
import type { TestServer } from "../helpers/server.js";
import { expectResponse } from "../helpers/openapi.js";

export const dirs = (orgId: string) => `/api/v1/organizations/${orgId}/directories`;
export const SCIM_TYPE = "application/scim+json";
export const SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

export interface ProvisionedDirectory { orgId: string; id: string; endpoint: string; secret: string }

/** An organization with an enabled OKTA SCIM directory and its first secret. */
export async function scimDirectory(s: TestServer, opts: { enable?: boolean } = {}): Promise<ProvisionedDirectory> {
  const org = await s.rest("POST", "/api/v1/organizations", { display_name: "Directory org" });
  expect(org.status).toBe(201);
  const orgId = org.body.organization.id;
  const created = await s.rest("POST", dirs(orgId), { directory_type: "SCIM", directory_provider: "OKTA" });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  const id = created.body.directory.id;
  const secret = await s.rest("POST", `${dirs(orgId)}/${id}/secrets`, {});
  expect(secret.status, JSON.stringify(secret.body)).toBe(200);
  // a created directory is enabled, as in the cloud
  if (opts.enable === false) expect((await s.rest("PATCH", `${dirs(orgId)}/${id}:disable`, {})).status).toBe(200);
  return { orgId, id, endpoint: created.body.directory.directory_endpoint, secret: secret.body.plain_secret };
}

export interface ScimResponse { status: number; body: any; headers: Headers }

/** One SCIM call as an identity provider makes it: bearer secret, application/scim+json both ways. */
export async function scim(dir: { endpoint: string; secret: string }, method: string, path: string, body?: unknown, opts: { token?: string | null; contentType?: string } = {}): Promise<ScimResponse> {
  const token = opts.token === undefined ? dir.secret : opts.token;
  const res = await fetch(`${dir.endpoint}${path}`, {
    method,
    headers: {
      accept: SCIM_TYPE,
      ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { "content-type": opts.contentType ?? SCIM_TYPE } : {}),
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: any = text;
  try { parsed = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** A SCIM error: the status as a string in the body, the Error schema, the given scimType (if any). */
export function expectScimError(res: ScimResponse, status: number, scimType?: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/scim\+json/);
  expect(res.body).toMatchObject({ schemas: [SCIM_ERROR], status: String(status) });
  expect(typeof res.body.detail).toBe("string");
  if (scimType) expect(res.body.scimType).toBe(scimType);
}

export function oktaUser(userName: string, extra: Record<string, unknown> = {}) {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE],
    userName,
    externalId: `okta-${userName}`,
    name: { givenName: "Ada", familyName: "Lovelace" },
    displayName: "Ada Lovelace",
    emails: [{ primary: true, value: userName, type: "work" }],
    active: true,
    title: "Engineer",
    [ENTERPRISE]: { department: "R&D", employeeNumber: "E-1" },
    ...extra,
  };
}

/**
 * OpenAPI schema check for DirectoryService answers. The spec's directoriesSecretStatus lists only INACTIVE: its
 * generator leaves out enum zero values and ACTIVE is the zero value, so an active secret has no `status` in REST
 * (src/protocol/zero-enums.ts), and the strict schema check proves it.
 */
export function expectDirectoryResponse(res: { status: number; body: any }, operation: string, status: number): void {
  expectResponse(res, operation, status);
}

/** A secret's status as REST shows it: absent means ACTIVE (the enum's zero value). */
export const secretStatus = (x: { status?: string }) => x.status ?? "ACTIVE";
