// Every connection method of the real @scalekit-sdk/node client against the server (gRPC over HTTP/2) — including
// createConnection and listAppConnections, which have no REST operation in the spec — and the ConnectionService
// RPCs the SDK does not wrap (environment connections, update, search, domains, contexts) through a plain client.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import type { ScalekitClient } from "@scalekit-sdk/node";
import { connections } from "../../src/protocol/descriptors.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { sdk, sdkClient, sdkRejection } from "../helpers/sdk.js";
import { rpcClient } from "../helpers/grpc.js";
import { organization, unique } from "../rbac/fixtures.js";

const { ConnectionType: T, ConnectionProvider: P, ConnectionStatus: S } = connections;

describe("Connections through the Node SDK", () => {
  let s: TestServer;
  let client: ScalekitClient;
  let rpc: ReturnType<typeof rpcClient<typeof connections.ConnectionService>>;
  beforeAll(async () => {
    s = await startTestServer();
    client = sdkClient(s);
    rpc = rpcClient(s.url, connections.ConnectionService, "grpc", await s.token());
  });
  afterAll(async () => { await s?.close(); });

  it("createConnection, getConnection, enable/disable, listConnections, listConnectionsByDomain, deleteConnection", async () => {
    const org = await organization(s, "SDK Org");
    const created = await client.connection.createConnection(org, create(connections.CreateConnectionSchema, { provider: P.OKTA, type: T.OIDC, providerKey: "okta" }));
    const conn = created.connection!;
    expect(conn.id).toMatch(/^conn_\d{18}$/);
    expect(conn).toMatchObject({ organizationId: org, provider: P.OKTA, type: T.OIDC, status: S.DRAFT, enabled: false });
    expect(conn.settings.case).toBe("oidcConfig");
    expect((await client.connection.getConnection(org, conn.id)).connection).toEqual(conn);

    // configure it (UpdateConnection has no SDK method), then enable through the SDK
    const updated = await rpc.updateConnection({
      organizationId: org, id: conn.id,
      connection: { settings: { case: "oidcConfig", value: { issuer: "https://login.example.com", clientId: "cid", clientSecret: "csecret-1234", scopes: [connections.OIDCScope.openid] } } },
    });
    expect(updated.connection!.status).toBe(S.COMPLETED);
    expect(updated.connection!.settings).toMatchObject({ case: "oidcConfig", value: { clientId: "cid", clientSecret: "****1234" } });

    expect(await client.connection.enableConnection(org, conn.id)).toMatchObject({ enabled: true });
    expect(await client.connection.enableConnection(org, conn.id)).toMatchObject({ enabled: true });
    const domain = `${unique("sdk").replace(/_/g, "-")}.example.net`;
    await client.domain.createDomain(org, domain, { domainType: "ORGANIZATION_DOMAIN" });

    const listed = await client.connection.listConnections(org);
    expect(listed.connections.map((c) => c.id)).toEqual([conn.id]);
    expect(listed.connections[0]).toMatchObject({ organizationName: "SDK Org", domains: [domain], enabled: true, status: S.COMPLETED });
    expect((await client.connection.listConnectionsByDomain(domain)).connections.map((c) => c.id)).toEqual([conn.id]);

    expect(await client.connection.disableConnection(org, conn.id)).toMatchObject({ enabled: false });
    // inactive connections are left out unless include=all
    expect((await client.connection.listConnectionsByDomain(domain)).connections).toEqual([]);
    expect((await rpc.listConnections({ domain, include: "all" })).connections.map((c) => c.id)).toEqual([conn.id]);

    await client.connection.deleteConnection(org, conn.id);
    expect(await sdkRejection(client.connection.getConnection(org, conn.id))).toBeInstanceOf(sdk.ScalekitNotFoundException);
    const types = (await s.db.event.findMany({ where: { organizationId: org, type: { startsWith: "organization.sso_" } }, orderBy: { id: "asc" } })).map((e) => e.type);
    expect(types).toEqual(["organization.sso_created", "organization.sso_enabled", "organization.sso_disabled", "organization.sso_deleted"]);
  });

  it("errors map to the SDK's exceptions", async () => {
    const org = await organization(s);
    expect(await sdkRejection(client.connection.createConnection(org, create(connections.CreateConnectionSchema, { provider: P.OKTA })))).toBeInstanceOf(sdk.ScalekitBadRequestException);
    expect(await sdkRejection(client.connection.createConnection("org_999999999999999999", create(connections.CreateConnectionSchema, { provider: P.OKTA, type: T.SAML })))).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect(await sdkRejection(client.connection.getConnection(org, "conn_999999999999999999"))).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect(await sdkRejection(client.connection.enableConnection(org, "conn_999999999999999999"))).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect(await sdkRejection(client.connection.deleteConnection(org, "conn_999999999999999999"))).toBeInstanceOf(sdk.ScalekitNotFoundException);
  });

  it("environment connections: passwordless and static configuration, app connections for listAppConnections", async () => {
    const pwl = await rpc.createEnvironmentConnection({ connection: { provider: P.SCALEKIT, type: T.PASSWORDLESS } });
    expect(pwl.connection!.organizationId).toBeUndefined();
    expect(pwl.connection!.settings).toMatchObject({ case: "passwordlessConfig", value: { type: connections.PasswordlessType.LINK_OTP, codeChallengeLength: 6, validity: 600 } });
    const patched = await rpc.updateEnvironmentConnection({
      connectionId: pwl.connection!.id,
      connection: { settings: { case: "passwordlessConfig", value: { type: connections.PasswordlessType.OTP, codeChallengeLength: 8 } } },
    });
    expect(patched.connection!.settings).toMatchObject({ case: "passwordlessConfig", value: { type: connections.PasswordlessType.OTP, codeChallengeLength: 8, validity: 600 } });
    await expect(rpc.updateEnvironmentConnection({
      connectionId: pwl.connection!.id, connection: { settings: { case: "passwordlessConfig", value: { codeChallengeLength: 40 } } },
    })).rejects.toMatchObject({ code: 3, rawMessage: expect.stringMatching(/^connection\.passwordless_config\.code_challenge_length/) });
    expect((await rpc.enableEnvironmentConnection({ connectionId: pwl.connection!.id })).enabled).toBe(true);
    expect((await rpc.getEnvironmentConnection({ connectionId: pwl.connection!.id })).connection!.enabled).toBe(true);
    expect((await rpc.disableEnvironmentConnection({ connectionId: pwl.connection!.id })).enabled).toBe(false);

    const tag = unique("app").toLowerCase().replace(/_/g, "-");
    const app = await rpc.createEnvironmentConnection({ connection: { provider: P.CUSTOM, type: T.API_KEY, providerKey: "notion", keyId: `${tag}-notion` }, flags: { isApp: true } });
    await rpc.updateEnvironmentConnection({ connectionId: app.connection!.id, connection: { settings: { case: "staticConfig", value: { staticConfig: { header: "X-Api-Key" } } } } });
    expect((await rpc.getEnvironmentConnection({ connectionId: app.connection!.id })).connection!.settings)
      .toMatchObject({ case: "staticConfig", value: { staticConfig: { header: "X-Api-Key" } } });
    const oauthApp = await rpc.createEnvironmentConnection({ connection: { provider: P.GITHUB, type: T.OAUTH, keyId: `${tag}-github` }, flags: { isApp: true } });

    const apps = await client.connection.listAppConnections({ query: tag });
    expect(apps.connections.map((c) => c.id)).toEqual([app.connection!.id, oauthApp.connection!.id]);
    expect(apps.totalSize).toBe(2);
    const page = await client.connection.listAppConnections({ query: tag, pageSize: 1 });
    expect(page.connections).toHaveLength(1);
    expect(page.nextPageToken).not.toBe("");
    const next = await client.connection.listAppConnections({ query: tag, pageSize: 1, pageToken: page.nextPageToken });
    expect(next.connections.map((c) => c.id)).toEqual([oauthApp.connection!.id]);
    expect((await client.connection.listAppConnections({ query: tag, provider: "github" })).connections.map((c) => c.id)).toEqual([oauthApp.connection!.id]);
    expect(await sdkRejection(client.connection.listAppConnections({ query: "ab" }))).toBeInstanceOf(sdk.ScalekitBadRequestException);
    // the login method is not an app connection
    expect((await client.connection.listAppConnections({ pageSize: 30 })).connections.map((c) => c.id)).not.toContain(pwl.connection!.id);

    await rpc.deleteEnvironmentConnection({ connectionId: app.connection!.id });
    await expect(rpc.getEnvironmentConnection({ connectionId: app.connection!.id })).rejects.toMatchObject({ code: 5 });
  });

  it("organization connection listing and search, domain assignment and contexts", async () => {
    const org = await organization(s, "Searchable");
    const a = (await client.connection.createConnection(org, create(connections.CreateConnectionSchema, { provider: P.OKTA, type: T.SAML }))).connection!;
    const b = (await client.connection.createConnection(org, create(connections.CreateConnectionSchema, { provider: P.GOOGLE, type: T.OIDC }))).connection!;
    const listed = await rpc.listOrganizationConnections({ pageSize: 30 });
    expect(listed.connections.map((c) => c.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(listed.totalSize).toBeGreaterThanOrEqual(2);
    const found = await rpc.searchOrganizationConnections({ query: a.id, pageSize: 10 });
    expect(found.connections.map((c) => c.id)).toEqual([a.id]);
    expect((await rpc.searchOrganizationConnections({ provider: "google", connectionType: T.OIDC, pageSize: 30 })).connections.map((c) => c.id)).toContain(b.id);
    await expect(rpc.searchOrganizationConnections({ pageSize: 31 })).rejects.toMatchObject({ code: 3 });

    const d = (await client.domain.createDomain(org, `${unique("asg").replace(/_/g, "-")}.example.io`)).domain!;
    const assigned = await rpc.assignDomainsToConnection({ organizationId: org, connectionId: a.id, domainIds: [d.id] });
    expect(assigned.connection!.domains.map((x) => x.id)).toEqual([d.id]);
    await expect(rpc.assignDomainsToConnection({ organizationId: org, connectionId: a.id, domainIds: ["dom_999999999999999999"] })).rejects.toMatchObject({ code: 5 });
    expect((await client.connection.getConnection(org, a.id)).connection!.domains.map((x) => x.domain)).toEqual([d.domain]);
    await client.domain.deleteDomain(org, d.id);
    expect(await s.db.connectionDomain.count({ where: { connectionId: a.id } })).toBe(0);

    expect((await rpc.getConnectionContext({ organizationId: org, connectionId: a.id })).context).toEqual({});
    await rpc.updateConnectionContext({ organizationId: org, connectionId: a.id, context: { tenant: "acme", region: "eu" } });
    expect((await rpc.getConnectionContext({ organizationId: "", connectionId: a.id })).context).toEqual({ tenant: "acme", region: "eu" });
    await expect(rpc.getConnectionContext({ organizationId: "", connectionId: "conn_999999999999999999" })).rejects.toMatchObject({ code: 5 });
  });
});
