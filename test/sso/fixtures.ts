// Connections of the SSO tests, configured through the API as a user would, and a stand-in for the request the
// shared callback hands an adapter (the adapters read only method, body, query and log).
import type { FastifyRequest } from "fastify";
import { expect } from "vitest";
import type { TestServer } from "../helpers/server.js";
import { organization } from "../rbac/fixtures.js";
import { connectionsOf } from "../connections/fixtures.js";
import type { SsoConnection } from "../../src/sso/adapter.js";

export async function samlConnection(s: TestServer, saml: Record<string, unknown>, o: { attributeMapping?: Record<string, string>; org?: string } = {}) {
  const org = o.org ?? await organization(s, "SAML Org");
  const c = (await s.rest("POST", connectionsOf(org), { provider: "OKTA", type: "SAML" })).body.connection;
  const res = await s.rest("PATCH", `${connectionsOf(org)}/${c.id}`, { debug_enabled: true, saml_config: saml, ...(o.attributeMapping ? { attribute_mapping: o.attributeMapping } : {}) });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect((await s.rest("PATCH", `${connectionsOf(org)}/${c.id}:enable`)).status).toBe(200);
  return { org, id: c.id as string, connection: res.body.connection };
}

export async function oidcConnection(s: TestServer, oidc: Record<string, unknown>, o: { attributeMapping?: Record<string, string>; org?: string } = {}) {
  const org = o.org ?? await organization(s, "OIDC Org");
  const c = (await s.rest("POST", connectionsOf(org), { provider: "CUSTOM", type: "OIDC" })).body.connection;
  const res = await s.rest("PATCH", `${connectionsOf(org)}/${c.id}`, { debug_enabled: true, oidc_config: oidc, ...(o.attributeMapping ? { attribute_mapping: o.attributeMapping } : {}) });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect((await s.rest("PATCH", `${connectionsOf(org)}/${c.id}:enable`)).status).toBe(200);
  return { org, id: c.id as string, connection: res.body.connection };
}

export async function ssoConnectionOf(s: TestServer, id: string): Promise<SsoConnection> {
  const row = await s.db.connection.findUniqueOrThrow({ where: { id } });
  return {
    id: row.id, organizationId: row.organizationId, provider: row.provider, type: row.type, settingsCase: row.settingsCase,
    settings: row.settings as Record<string, unknown>, attributeMapping: row.attributeMapping as Record<string, string>,
  };
}

export interface LoggedWarning { obj: any; msg: string }

export function fakeRequest(o: { method?: string; body?: unknown; query?: Record<string, string> }, warnings: LoggedWarning[] = []): FastifyRequest {
  return {
    method: o.method ?? "POST", body: o.body, query: o.query ?? {},
    log: { warn: (obj: any, msg: string) => warnings.push({ obj, msg }), info() {}, error() {}, debug() {} },
  } as unknown as FastifyRequest;
}
