// The environment-level ClientService RPCs (PREVIEW; the OpenAPI spec has no operations for them, so REST bodies are
// checked field by field against the Client message): the environment's own client and further application clients,
// over REST and gRPC, with their bad input, persistence and effect on the login allow-list and /oauth/token.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError } from "@connectrpc/connect";
import { isAllowedRedirect, loginClient } from "../../src/api/clients/redirects.js";
import type { ServiceDeps } from "../../src/api/deps.js";
import { clients } from "../../src/protocol/descriptors.js";
import { rpcClient } from "../helpers/grpc.js";
import { expectErrorBody } from "../helpers/openapi.js";
import { startTestServer, TEST_CLIENT_ID, TEST_CLIENT_SECRET, type TestServer } from "../helpers/server.js";
import { RFC3339 } from "../rbac/fixtures.js";

let s: TestServer;
beforeAll(async () => { s = await startTestServer({ env: { REDIRECT_URIS: "https://app.example.com/callback" } }); });
afterAll(async () => { await s?.close(); });

const depsOf = () => ({ db: s.db, config: s.config }) as unknown as ServiceDeps;
const grpc = async () => rpcClient(s.url, clients.ClientService, "grpc", await s.token());

async function tokenStatus(clientId: string, clientSecret: string) {
  const res = await fetch(`${s.url}/oauth/token`, {
    method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret }),
  });
  return res.status;
}

async function grpcError(p: Promise<unknown>): Promise<ConnectError> {
  try { await p; } catch (e) { return ConnectError.from(e); }
  throw new Error("expected the call to fail");
}

async function snapshot() {
  return s.db.clientLoginSettings.findMany({ orderBy: { clientId: "asc" } });
}

describe("the environment's own client over REST", () => {
  it("shows its login settings, seeded from REDIRECT_URIS, and its secret without the plain value", async () => {
    const res = await s.rest("GET", `/api/v1/clients/${TEST_CLIENT_ID}`);
    expect(res.status).toBe(200);
    const c = res.body.client;
    expect(c).toMatchObject({
      id: TEST_CLIENT_ID, keyId: TEST_CLIENT_ID, name: "environment", client_type: "WEB_APP", enforce_pkce: false,
      post_login_uris: ["https://app.example.com/callback"], access_token_expiry: "300",
    });
    expect(c.create_time).toMatch(RFC3339);
    expect(c.update_time).toMatch(RFC3339);
    expect(c.secrets).toHaveLength(1);
    expect(c.secrets[0]).toMatchObject({ id: expect.stringMatching(/^sec_\d{18}$/), secret_suffix: TEST_CLIENT_SECRET.slice(-4) });
    expect(JSON.stringify(res.body)).not.toContain(TEST_CLIENT_SECRET);
    // proto field names, as grpc-gateway writes them (the contract itself names one field keyId)
    expect(Object.keys(c).filter((k) => !/^[a-z_]+$/.test(k))).toEqual(["keyId"]);
  });

  it("updates the allow-lists and initiate-login URI, which the login flow then uses", async () => {
    const res = await s.rest("PATCH", `/api/v1/clients/${TEST_CLIENT_ID}`, {
      post_login_uris: ["https://app.example.com/callback", "https://*.preview.example.com/callback"],
      post_logout_redirect_uris: ["https://app.example.com/"], initiate_login_uri: "https://app.example.com/login",
      back_channel_logout_uris: ["https://app.example.com/backchannel"], access_token_expiry: "600",
    });
    expect(res.status).toBe(200);
    expect(res.body.client).toMatchObject({
      post_login_uris: ["https://app.example.com/callback", "https://*.preview.example.com/callback"],
      post_logout_redirect_uris: ["https://app.example.com/"], initiate_login_uri: "https://app.example.com/login",
      back_channel_logout_uris: ["https://app.example.com/backchannel"], access_token_expiry: "600", name: "environment",
    });
    const row = await s.db.clientLoginSettings.findUniqueOrThrow({ where: { clientId: TEST_CLIENT_ID } });
    expect(row).toMatchObject({ postLogoutRedirectUris: ["https://app.example.com/"], initiateLoginUri: "https://app.example.com/login", accessTokenExpiry: 600 });
    expect(await isAllowedRedirect(depsOf(), TEST_CLIENT_ID, "https://pr-7.preview.example.com/callback", "login")).toBe(true);
    expect(await isAllowedRedirect(depsOf(), TEST_CLIENT_ID, "https://app.example.com/", "logout")).toBe(true);
    expect(await loginClient(depsOf(), TEST_CLIENT_ID)).toMatchObject({ initiateLoginUri: "https://app.example.com/login", accessTokenExpiry: 600 });

    // without a mask an empty list means "unchanged"; with one, the masked fields are set exactly (here: cleared)
    const untouched = await s.rest("PATCH", `/api/v1/clients/${TEST_CLIENT_ID}`, { name: "environment" });
    expect(untouched.body.client.post_logout_redirect_uris).toEqual(["https://app.example.com/"]);
    const cleared = await s.rest("PATCH", `/api/v1/clients/${TEST_CLIENT_ID}?mask=postLogoutRedirectUris,initiateLoginUri`, { post_login_uris: ["https://ignored.example.com/cb"] });
    expect(cleared.status).toBe(200);
    expect(cleared.body.client.post_logout_redirect_uris ?? []).toEqual([]);
    expect(cleared.body.client.initiate_login_uri ?? "").toBe("");
    expect(cleared.body.client.post_login_uris).toHaveLength(2);
    expect(await isAllowedRedirect(depsOf(), TEST_CLIENT_ID, "https://app.example.com/", "logout")).toBe(false);
  });

  it("rejects bad input with 400 naming the field, and changes nothing", async () => {
    const before = await snapshot();
    const six = [1, 2, 3, 4, 5, 6].map((i) => `https://app.example.com/cb${i}`);
    const cases: [object, string, string][] = [
      [{ post_login_uris: six }, "", "client.post_login_uris"],
      [{ post_login_uris: ["https://app.example.com/cb?x=1"] }, "", "client.post_login_uris[0]"],
      [{ post_login_uris: ["https://app.example.com/cb", "https://app.example.com/cb"] }, "", "client.post_login_uris[1]"],
      [{ post_logout_redirect_uris: ["javascript:alert(1)"] }, "", "client.post_logout_redirect_uris[0]"],
      [{ post_login_uris: [`https://app.example.com/${"a".repeat(260)}`] }, "", "client.post_login_uris[0]"],
      [{ initiate_login_uri: "https://*.example.com/login" }, "", "client.initiate_login_uri"],
      [{ back_channel_logout_uris: ["myapp://logout"] }, "", "client.back_channel_logout_uris[0]"],
      [{ access_token_expiry: "5" }, "", "client.access_token_expiry"],
      [{ grant_types: ["password"] }, "", "client.grant_types[0]"],
      [{ name: "x".repeat(200) }, "", "name"],
      [{ name: "ok" }, "?mask=clientType", "mask"],
      [{ post_login_uris: ["https://a.example.com/cb"] }, "?mask=redirectUris", "mask"],
      [{ name: "ok" }, "?mask=post_login_uris", "FieldMask"],
    ];
    for (const [body, query, field] of cases) {
      const res = await s.rest("PATCH", `/api/v1/clients/${TEST_CLIENT_ID}${query}`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expectErrorBody(res.body, 3, "INVALID_ARGUMENT");
      expect(res.body.message, JSON.stringify(body)).toContain(field);
    }
    const notJson = await s.rest("PATCH", `/api/v1/clients/${TEST_CLIENT_ID}`, "{not json");
    expect(notJson.status).toBe(400);
    expect(await snapshot()).toEqual(before);

    const missing = await s.rest("GET", "/api/v1/clients/skc_999999999999999999");
    expect(missing.status).toBe(404);
    expectErrorBody(missing.body, 5, "NOT_FOUND");
    expect((await s.rest("PATCH", "/api/v1/clients/skc_999999999999999999", { name: "x" })).status).toBe(404);
  });

  it("cannot be deleted, nor lose its last secret", async () => {
    const del = await s.rest("DELETE", `/api/v1/clients/${TEST_CLIENT_ID}`);
    expect(del.status).toBe(400);
    expectErrorBody(del.body, 9, "FAILED_PRECONDITION");
    const [secret] = await s.db.clientSecret.findMany({ where: { clientId: TEST_CLIENT_ID } });
    const delSecret = await s.rest("DELETE", `/api/v1/clients/${TEST_CLIENT_ID}/secrets/${secret.id}`);
    expect(delSecret.status).toBe(400);
    expect(await tokenStatus(TEST_CLIENT_ID, TEST_CLIENT_SECRET)).toBe(200);
  });
});

describe("application clients over gRPC", () => {
  it("creates an SPA: public, PKCE enforced, no secret; listed, filtered, updated and deleted", async () => {
    const rpc = await grpc();
    const { client } = await rpc.createClient({ client: { name: "Dashboard SPA", clientType: "SPA", postLoginUris: ["http://localhost:5173/callback", "https://spa.example.com/callback"] } });
    expect(client).toMatchObject({ name: "Dashboard SPA", clientType: "SPA", enforcePkce: true, secrets: [], accessTokenExpiry: 300n, postLoginUris: ["http://localhost:5173/callback", "https://spa.example.com/callback"] });
    expect(client!.id).toMatch(/^skc_\d{18}$/);
    expect(await loginClient(depsOf(), client!.id)).toMatchObject({ clientType: "SPA", publicClient: true, enforcePkce: true });
    expect(await isAllowedRedirect(depsOf(), client!.id, "https://spa.example.com/callback", "login")).toBe(true);
    expect(await isAllowedRedirect(depsOf(), client!.id, "https://app.example.com/callback", "login")).toBe(false);

    expect((await rpc.getClient({ clientId: client!.id })).client).toEqual(client);
    const spas = await rpc.listClient({ filter: { clientType: ["SPA"] } });
    expect(spas.clients.map((c) => c.id)).toEqual([client!.id]);
    const all = await rpc.listClient({});
    expect(all.clients.map((c) => c.id)).toEqual(expect.arrayContaining([TEST_CLIENT_ID, client!.id]));
    expect(all.totalSize).toBe(all.clients.length);
    const page1 = await rpc.listClient({ pageSize: 1 });
    expect(page1.clients).toHaveLength(1);
    const page2 = await rpc.listClient({ pageSize: 1, pageToken: page1.nextPageToken });
    expect(page2.clients[0].id).not.toBe(page1.clients[0].id);

    const pkce = await grpcError(rpc.updateClient({ clientId: client!.id, client: { enforcePkce: false } }));
    expect(pkce.code).toBe(Code.InvalidArgument);
    expect(pkce.rawMessage).toContain("client.enforce_pkce");
    const secret = await grpcError(rpc.createClientSecret({ clientId: client!.id }));
    expect(secret.code).toBe(Code.FailedPrecondition);

    const upd = await rpc.updateClient({ clientId: client!.id, client: { postLoginUris: ["https://spa.example.com/cb2"] }, mask: { paths: ["post_login_uris"] } });
    expect(upd.client?.postLoginUris).toEqual(["https://spa.example.com/cb2"]);
    expect(upd.client?.name).toBe("Dashboard SPA");

    await rpc.deleteClient({ clientId: client!.id });
    expect((await grpcError(rpc.getClient({ clientId: client!.id }))).code).toBe(Code.NotFound);
    expect(await s.db.clientLoginSettings.findUnique({ where: { clientId: client!.id } })).toBeNull();
    expect(await loginClient(depsOf(), client!.id)).toBeUndefined();
  });

  it("creates a web app whose secret is shown once and works at /oauth/token until it is deleted", async () => {
    const rpc = await grpc();
    const { client } = await rpc.createClient({ client: { name: "Billing web", clientType: "WEB_APP", enforcePkce: true, initiateLoginUri: "https://billing.example.com/login" } });
    expect(client).toMatchObject({ clientType: "WEB_APP", enforcePkce: true, initiateLoginUri: "https://billing.example.com/login" });
    expect(client!.secrets).toHaveLength(1);
    const plain = client!.secrets[0].plainSecret!;
    expect(plain).toMatch(/^test_/);
    expect((await rpc.getClient({ clientId: client!.id })).client!.secrets[0].plainSecret).toBeUndefined();
    expect(await tokenStatus(client!.id, plain)).toBe(200);

    const second = await rpc.createClientSecret({ clientId: client!.id });
    expect(second.plainSecret).toMatch(/^test_/);
    expect(second.secret?.secretSuffix).toBe(second.plainSecret.slice(-4));
    await rpc.deleteClientSecret({ clientId: client!.id, secretId: client!.secrets[0].id });
    expect(await tokenStatus(client!.id, plain)).toBe(401);
    expect(await tokenStatus(client!.id, second.plainSecret)).toBe(200);
    expect((await grpcError(rpc.deleteClientSecret({ clientId: client!.id, secretId: client!.secrets[0].id }))).code).toBe(Code.NotFound);

    await rpc.deleteClient({ clientId: client!.id });
    expect(await tokenStatus(client!.id, second.plainSecret)).toBe(401);
  });

  it("rejects a bad create with INVALID_ARGUMENT naming the field and stores nothing", async () => {
    const rpc = await grpc();
    const count = await s.db.apiClient.count();
    const cases: [object, string][] = [
      [{ name: "", clientType: "SPA" }, "name"],
      [{ name: "x", clientType: "" }, "client_type"],
      [{ name: "x", clientType: "DESKTOP" }, "client.client_type"],
      [{ name: "x", clientType: "NTV", enforcePkce: false }, "client.enforce_pkce"],
      [{ name: "x", clientType: "NTV", postLoginUris: ["myapp://cb#frag"] }, "client.post_login_uris[0]"],
      [{ name: "x", clientType: "WEB_APP", customClaims: [{ key: "sub", value: "x" }] }, "client.custom_claims[0].key"],
    ];
    for (const [client, field] of cases) {
      const e = await grpcError(rpc.createClient({ client }));
      expect(e.code, JSON.stringify(client)).toBe(Code.InvalidArgument);
      expect(e.rawMessage, JSON.stringify(client)).toContain(field);
    }
    expect(await s.db.apiClient.count()).toBe(count);
  });

  it("keeps organization M2M clients apart: they are not environment clients", async () => {
    const org = await s.rest("POST", "/api/v1/organizations", { display_name: "Env Clients Org" });
    const m2m = await s.rest("POST", `/api/v1/organizations/${org.body.organization.id}/clients`, { name: "job" });
    const id = m2m.body.client.client_id;
    expect((await s.rest("GET", `/api/v1/clients/${id}`)).status).toBe(404);
    expect((await s.rest("DELETE", `/api/v1/clients/${id}`)).status).toBe(404);
    const listed = await s.rest("GET", "/api/v1/clients?page_size=30");
    expect(listed.status).toBe(200);
    expect(listed.body.clients.map((c: any) => c.id)).not.toContain(id);
    expect((await s.rest("GET", `/api/v1/organizations/${org.body.organization.id}/clients/${id}`)).status).toBe(200);
  });

  it("creates over REST with 201 or 200 as the gateway answers, and needs the environment token", async () => {
    const res = await s.rest("POST", "/api/v1/clients", { name: "Native", client_type: "NTV", post_login_uris: ["com.example.app:/oauth"] });
    expect([200, 201]).toContain(res.status);
    expect(res.body.client).toMatchObject({ client_type: "NTV", enforce_pkce: true, post_login_uris: ["com.example.app:/oauth"] });
    expect((await s.rest("GET", "/api/v1/clients", undefined, { token: "" })).status).toBe(401);
  });
});
