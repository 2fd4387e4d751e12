// REST conformance of the Connections tag (plus the create and patch routes the descriptors define for the same
// service): bodies against the OpenAPI response schemas, errors against the envelope, per-type configuration
// stored and merged, and the organization.sso_* events in the outbox.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { expectErrorBody, expectResponse, operationsOfTag, validatedOperations } from "../helpers/openapi.js";
import { organization, RFC3339, unique } from "../rbac/fixtures.js";
import { connectionsOf, IDP_CERTIFICATE } from "./fixtures.js";

async function eventsOf(s: TestServer, organizationId: string, prefix = "organization.sso_") {
  const rows = await s.db.event.findMany({ where: { organizationId, type: { startsWith: prefix } }, orderBy: { id: "asc" } });
  return rows.map((r) => r.payload as any);
}

const OIDC = { issuer: "https://idp.example.com", client_id: "client-123", client_secret: "top-secret-value", scopes: ["openid", "email"] };

describe("Connections REST", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(async () => { await s?.close(); });

  const create = (org: string, body: unknown) => s.rest("POST", connectionsOf(org), body);
  const patch = (org: string, id: string, body: unknown) => s.rest("PATCH", `${connectionsOf(org)}/${id}`, body);
  const get = (org: string, id: string) => s.rest("GET", `${connectionsOf(org)}/${id}`);

  async function oidcConnection(org: string, enabled = false): Promise<any> {
    const c = (await create(org, { provider: "OKTA", type: "OIDC" })).body.connection;
    expect((await patch(org, c.id, { oidc_config: OIDC })).status).toBe(200);
    if (enabled) expect((await s.rest("PATCH", `${connectionsOf(org)}/${c.id}:enable`)).status).toBe(200);
    return (await get(org, c.id)).body.connection;
  }

  it("creates an OIDC connection (conn_ id, DRAFT, disabled) with one organization.sso_created event", async () => {
    const org = await organization(s);
    const res = await create(org, { provider: "OKTA", type: "OIDC" });
    expect(res.status).toBe(200);
    const c = res.body.connection;
    expect(c.id).toMatch(/^conn_\d{18}$/);
    expect(c).toMatchObject({
      organization_id: org, provider: "OKTA", type: "OIDC", status: "DRAFT", enabled: false, provider_key: "okta",
      key_id: c.id, configuration_type: "MANUAL", domains: [],
    });
    expect(c.oidc_config.redirect_uri).toBe(`${s.url}/sso/v1/oidc/${c.id}/callback`);
    expect(c.create_time).toMatch(RFC3339);
    const got = await get(org, c.id);
    expectResponse(got, "ConnectionService_GetConnection", 200);
    expect(got.body.connection).toEqual(c);

    const events = await eventsOf(s, org);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      spec_version: "1", type: "organization.sso_created", object: "Connection", organization_id: org, environment_id: s.built.environmentId,
      data: { id: c.id, organization_id: org, connection_type: "OIDC", provider: "OKTA" },
    });
    expect(Object.keys(events[0].data).sort()).toEqual(["connection_type", "id", "organization_id", "provider"]);
  });

  it("PATCH merges the OIDC configuration; the secret is stored, shown masked, and a masked echo keeps it", async () => {
    const org = await organization(s);
    const c = (await create(org, { provider: "MICROSOFT_AD", type: "OIDC" })).body.connection;
    const res = await patch(org, c.id, { oidc_config: OIDC, attribute_mapping: { email: "mail" }, ui_button_title: "Sign in with Entra" });
    expect(res.status).toBe(200);
    const conn = res.body.connection;
    expect(conn).toMatchObject({ status: "COMPLETED", attribute_mapping: { email: "mail" }, ui_button_title: "Sign in with Entra" });
    expect(conn.oidc_config).toMatchObject({ issuer: OIDC.issuer, client_id: "client-123", client_secret: "****alue", scopes: ["openid", "email"], token_auth_type: "URL_PARAMS" });
    const row = await s.db.connection.findUniqueOrThrow({ where: { id: c.id } });
    expect((row.settings as any).client_secret).toBe("top-secret-value");

    // only the fields sent change
    const second = await patch(org, c.id, { oidc_config: { pkce_enabled: true, client_secret: "****alue" }, debug_enabled: true });
    expect(second.body.connection.oidc_config).toMatchObject({ issuer: OIDC.issuer, client_id: "client-123", pkce_enabled: true, client_secret: "****alue" });
    expect(second.body.connection.debug_enabled).toBe(true);
    expect(((await s.db.connection.findUniqueOrThrow({ where: { id: c.id } })).settings as any).client_secret).toBe("top-secret-value");
    expectResponse(await get(org, c.id), "ConnectionService_GetConnection", 200);
  });

  it("SAML: IdP certificate parsed into idp_certificates, SP endpoints filled in, status follows the configuration", async () => {
    const org = await organization(s);
    const c = (await create(org, { provider: "OKTA", type: "SAML" })).body.connection;
    const partial = await patch(org, c.id, { saml_config: { idp_entity_id: "https://idp.example.com/saml", idp_name_id_format: "PERSISTENT" } });
    expect(partial.body.connection.status).toBe("IN_PROGRESS");
    const full = await patch(org, c.id, { saml_config: { idp_sso_url: "https://idp.example.com/sso", idp_certificate: IDP_CERTIFICATE, want_request_signed: true } });
    expect(full.status).toBe(200);
    const saml = full.body.connection.saml_config;
    expect(full.body.connection.status).toBe("COMPLETED");
    expect(saml).toMatchObject({
      idp_entity_id: "https://idp.example.com/saml", idp_sso_url: "https://idp.example.com/sso", idp_name_id_format: "PERSISTENT",
      want_request_signed: true, sp_entity_id: `${s.url}/sso/v1/saml/${c.id}`, sp_metadata_url: `${s.url}/sso/v1/saml/${c.id}/metadata`,
    });
    expect(saml.idp_certificates).toHaveLength(1);
    expect(saml.idp_certificates[0].id).toMatch(/^cert_\d{18}$/);
    expect(saml.idp_certificates[0].issuer).toContain("idp.example.com");
    expect(saml.idp_certificates[0].expiry_time).toMatch(RFC3339);
    expectResponse(await get(org, c.id), "ConnectionService_GetConnection", 200);

    const badCert = await patch(org, c.id, { saml_config: { idp_certificate: "not a certificate" } });
    expect(badCert.status).toBe(400);
    expect(badCert.body.message).toMatch(/^connection\.saml_config\.idp_certificate:/);
  });

  it("validates enums, required fields, per-type configuration and URLs with 400 naming the field; nothing changes", async () => {
    const org = await organization(s);
    const before = await s.db.connection.count();
    const cases: [unknown, RegExp][] = [
      [{ provider: "OKTA" }, /^connection\.type:/],
      [{ provider: "NOPE", type: "OIDC" }, /provider/],
      [{ provider: "OKTA", type: "OAUTH" }, /^connection\.type: .*OIDC or SAML/],
      [{ provider: "OKTA", type: "OIDC", provider_key: "Bad Key!" }, /^connection\.provider_key:/],
    ];
    for (const [body, message] of cases) {
      const res = await create(org, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expectErrorBody(res.body, 3, "INVALID_ARGUMENT");
      expect(res.body.message).toMatch(message);
    }
    expect(await s.db.connection.count()).toBe(before);

    const c = (await create(org, { provider: "OKTA", type: "OIDC" })).body.connection;
    const stored = await s.db.connection.findUniqueOrThrow({ where: { id: c.id } });
    const patches: [unknown, RegExp][] = [
      [{ saml_config: { idp_entity_id: "x" } }, /^connection\.saml_config: does not apply to a OIDC connection/],
      [{ oidc_config: { issuer: "http://idp.example.com" } }, /^connection\.oidc_config\.issuer: must be an https URL/],
      [{ oidc_config: { token_uri: "not a url" } }, /^connection\.oidc_config\.token_uri:/],
      [{ oidc_config: { token_auth_type: "SOMETIMES" } }, /token_auth_type/],
      [{ oidc_config: { scopes: ["openid", "everything"] } }, /scopes/],
      [{ type: "SAML" }, /^connection\.type: cannot be changed/],
    ];
    for (const [body, message] of patches) {
      const res = await patch(org, c.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expectErrorBody(res.body, 3, "INVALID_ARGUMENT");
      expect(res.body.message).toMatch(message);
    }
    expect(await s.db.connection.findUniqueOrThrow({ where: { id: c.id } })).toEqual(stored);
    // debug_enabled allows plain-http endpoints
    const dev = await patch(org, c.id, { debug_enabled: true, oidc_config: { issuer: "http://localhost:9000" } });
    expect(dev.status).toBe(200);
    expect(dev.body.connection.oidc_config.issuer).toBe("http://localhost:9000");
  });

  it("404 for unknown organizations and connections, and for another organization's connection", async () => {
    const org = await organization(s);
    const other = await organization(s);
    const c = (await create(org, { provider: "OKTA", type: "OIDC" })).body.connection;
    expect((await create("org_999999999999999999", { provider: "OKTA", type: "OIDC" })).status).toBe(404);
    for (const [method, path] of [
      ["GET", `${connectionsOf(org)}/conn_999999999999999999`],
      ["GET", `${connectionsOf(other)}/${c.id}`],
      ["DELETE", `${connectionsOf(other)}/${c.id}`],
      ["PATCH", `${connectionsOf(other)}/${c.id}:enable`],
      ["PATCH", `${connectionsOf(org)}/conn_999999999999999999:disable`],
    ]) {
      const res = await s.rest(method, path);
      expect(res.status, `${method} ${path}`).toBe(404);
      expectErrorBody(res.body, 5, "NOT_FOUND");
    }
    expect(await s.db.connection.findUnique({ where: { id: c.id } })).not.toBeNull();
  });

  it("enable and disable return {enabled, error_message}; repeating one is a 200 that says so, changes nothing and writes no event", async () => {
    const org = await organization(s);
    const c = await oidcConnection(org);
    const enable = () => s.rest("PATCH", `${connectionsOf(org)}/${c.id}:enable`);
    const disable = () => s.rest("PATCH", `${connectionsOf(org)}/${c.id}:disable`);
    const steps = [
      [enable, "EnableConnection", true, ""], [enable, "EnableConnection", true, "The connection is already enabled"],
      [disable, "DisableConnection", false, ""], [disable, "DisableConnection", false, "The connection is already disabled"],
    ] as const;
    for (const [call, op, enabled, message] of steps) {
      const res = await call();
      expectResponse(res, `ConnectionService_${op}`, 200);
      // error_message has explicit presence: absent when the toggle did something
      expect(res.body).toEqual(message ? { enabled, error_message: message } : { enabled });
      expect((await s.db.connection.findUniqueOrThrow({ where: { id: c.id } })).enabled).toBe(enabled);
    }
    const events = (await eventsOf(s, org)).filter((e) => e.type !== "organization.sso_created");
    expect(events.map((e) => e.type)).toEqual(["organization.sso_enabled", "organization.sso_disabled"]);
    expect(events[0].data).toEqual({ id: c.id, organization_id: org, connection_type: "OIDC", provider: "OKTA", enabled: true, status: "COMPLETED" });
    expect(events[1].data).toMatchObject({ enabled: false, status: "COMPLETED" });
  });

  it("concurrent enables write one event", async () => {
    const org = await organization(s);
    const c = await oidcConnection(org);
    const results = await Promise.all([0, 1, 2].map(() => s.rest("PATCH", `${connectionsOf(org)}/${c.id}:enable`)));
    expect(results.map((r) => [r.status, r.body.enabled])).toEqual([[200, true], [200, true], [200, true]]);
    expect((await eventsOf(s, org)).filter((e) => e.type === "organization.sso_enabled")).toHaveLength(1);
  });

  it("lists by organization, by domain (organization domain or assigned domain, or an email) and with include=all", async () => {
    const org = await organization(s);
    const other = await organization(s);
    const active = await oidcConnection(org, true);
    const draft = (await create(org, { provider: "OKTA", type: "SAML" })).body.connection;
    const elsewhere = await oidcConnection(other, true);
    const domain = `${unique("sso").replace(/_/g, "-")}.example.com`;
    expect((await s.rest("POST", `/api/v1/organizations/${org}/domains`, { domain, domain_type: "ORGANIZATION_DOMAIN" })).status).toBe(200);

    const byOrg = await s.rest("GET", `/api/v1/connections?organization_id=${org}`);
    expectResponse(byOrg, "ConnectionService_ListConnections", 200);
    expect(byOrg.body.connections.map((c: any) => c.id)).toEqual([active.id]);
    expect(byOrg.body.connections[0]).toMatchObject({
      organization_id: org, organization_name: "Org", provider: "OKTA", type: "OIDC", status: "COMPLETED", enabled: true, domains: [domain], key_id: active.id,
    });
    const all = await s.rest("GET", `/api/v1/connections?organization_id=${org}&include=all`);
    expectResponse(all, "ConnectionService_ListConnections", 200);
    expect(all.body.connections.map((c: any) => c.id)).toEqual([active.id, draft.id]);

    for (const q of [domain, domain.toUpperCase(), `jane@${domain}`]) {
      const res = await s.rest("GET", `/api/v1/connections?domain=${encodeURIComponent(q)}`);
      expectResponse(res, "ConnectionService_ListConnections", 200);
      expect(res.body.connections.map((c: any) => c.id), q).toEqual([active.id]);
    }
    expect((await s.rest("GET", "/api/v1/connections?domain=unknown-domain.example")).body.connections).toEqual([]);

    // a domain assigned to one connection routes to it alone (gRPC-only AssignDomainsToConnection, over its REST route)
    const dom2 = (await s.rest("POST", `/api/v1/organizations/${other}/domains`, { domain: `x${domain}` })).body.domain;
    const assigned = await s.rest("PUT", `${connectionsOf(other)}/${elsewhere.id}/domains`, { domain_ids: [dom2.id] });
    expect(assigned.status).toBe(200);
    expect(assigned.body.connection.domains.map((d: any) => d.id)).toEqual([dom2.id]);
    expect((await s.rest("GET", `/api/v1/connections?domain=x${domain}`)).body.connections.map((c: any) => c.id)).toEqual([elsewhere.id]);

    const bad = await s.rest("GET", "/api/v1/connections?include=everything");
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^include:/);
    const badDomain = await s.rest("GET", "/api/v1/connections?domain=not_a_domain");
    expect(badDomain.status).toBe(400);
    expect(badDomain.body.message).toMatch(/^domain:/);
  });

  it("deletes a connection ({}), with organization.sso_deleted; deleting the organization deletes its connections", async () => {
    const org = await organization(s);
    const c = await oidcConnection(org);
    const res = await s.rest("DELETE", `${connectionsOf(org)}/${c.id}`);
    expectResponse(res, "ConnectionService_DeleteConnection", 200);
    expect(res.body).toEqual({});
    expect(await s.db.connection.findUnique({ where: { id: c.id } })).toBeNull();
    expect((await get(org, c.id)).status).toBe(404);
    const events = await eventsOf(s, org);
    expect(events.at(-1)).toMatchObject({ type: "organization.sso_deleted", object: "Connection", data: { id: c.id, organization_id: org, connection_type: "OIDC", provider: "OKTA" } });

    const org2 = await organization(s);
    const c2 = await oidcConnection(org2);
    expect((await s.rest("DELETE", `/api/v1/organizations/${org2}`)).status).toBe(200);
    expect(await s.db.connection.findUnique({ where: { id: c2.id } })).toBeNull();
  });

  it("environment app connections over REST: flags from the query, listed by GET /connections/app", async () => {
    const key = unique("rest-app").toLowerCase().replace(/_/g, "-");
    const created = await s.rest("POST", "/api/v1/connections?flags.is_app=true", { provider: "CUSTOM", type: "BEARER", provider_key: "linear", key_id: key });
    expect(created.status).toBe(200);
    const c = created.body.connection;
    expect(c.organization_id).toBeUndefined();
    expect(c.static_config).toEqual({});
    const apps = await s.rest("GET", `/api/v1/connections/app?query=${key}`);
    expect(apps.status).toBe(200);
    expect(apps.body).toMatchObject({ total_size: 1, next_page_token: "", connections: [{ id: c.id, key_id: key, provider_key: "linear", organization_id: "" }] });
    expect((await s.rest("GET", `/api/v1/connections/${c.id}`)).body.connection.id).toBe(c.id);
    const del = await s.rest("DELETE", `/api/v1/connections/${c.id}`);
    expect(del.status).toBe(200);
    expect(del.body).toEqual({});
    expect(await s.db.connection.findUnique({ where: { id: c.id } })).toBeNull();
  });

  it("key_id is unique per environment (409 from the index)", async () => {
    const org = await organization(s);
    const key = unique("key");
    expect((await create(org, { provider: "OKTA", type: "OIDC", key_id: key })).status).toBe(200);
    const dup = await create(await organization(s), { provider: "OKTA", type: "SAML", key_id: key });
    expect(dup.status).toBe(409);
    expectErrorBody(dup.body, 6, "ALREADY_EXISTS");
  });

  it("covers every operation of the Connections tag", () => {
    const covered = validatedOperations();
    for (const op of operationsOfTag("Connections")) expect([...covered].some((c) => c.startsWith(`${op.operationId} `)), op.operationId).toBe(true);
  });
});
