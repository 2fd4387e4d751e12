// The seven "API Auth" operations (organization M2M clients) over REST, each response checked against the
// OpenAPI schema: secrets shown once and stored hashed, several secrets for rotation, validation, 404s, paging.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashSecret } from "../../src/auth/secrets.js";
import { secretHashKeyOf, startTestServer, type TestServer } from "../helpers/server.js";
import { expectErrorBody, expectResponse as expectResponseStrict, operationsOfTag, validatedOperations } from "../helpers/openapi.js";
import { organization, RFC3339 } from "../rbac/fixtures.js";

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(async () => { await s?.close(); });

const clientsOf = (org: string) => `/api/v1/organizations/${org}/clients`;
const body = {
  name: "GitHub Actions", description: "deploys", scopes: ["deploy:write", "read:deployments"],
  audience: ["https://api.example.com"], custom_claims: [{ key: "env", value: "prod" }], expiry: "7200",
};

/**
 * The spec's ClientSecretStatus enum lists only INACTIVE: its generator leaves out every enum's zero value, and
 * ACTIVE is the zero value here, so REST leaves `status` out for an active secret (src/protocol/zero-enums.ts).
 */
function expectSchema(res: { status: number; body: any }, operation: string, status: number) {
  const secrets = [...(res.body?.client ? [res.body.client] : res.body?.clients ?? []).flatMap((c: any) => c.secrets ?? []), ...(res.body?.secret ? [res.body.secret] : [])];
  for (const x of secrets) expect(x).not.toHaveProperty("status");
  expectResponseStrict(res, operation, status);
}

async function createClient(org: string, b: object = body) {
  const res = await s.rest("POST", clientsOf(org), b);
  expectSchema(res, "ClientService_CreateOrganizationClient", 201);
  return res.body as { client: any; plain_secret: string };
}

describe("organization clients over REST", () => {
  it("creates a client whose secret is returned once and stored only as a keyed hash", async () => {
    const org = await organization(s);
    const { client, plain_secret } = await createClient(org);
    expect(client).toMatchObject({
      client_id: expect.stringMatching(/^m2morg_\d{18}$/), organization_id: org, name: "GitHub Actions", description: "deploys",
      scopes: ["deploy:write", "read:deployments"], audience: ["https://api.example.com"],
      custom_claims: [{ key: "env", value: "prod" }], expiry: "7200",
    });
    expect(client.create_time).toMatch(RFC3339);
    expect(plain_secret).toMatch(/^test_[A-Za-z0-9]{64}$/);
    expect(client.secrets).toHaveLength(1);
    expect(client.secrets[0]).toMatchObject({ id: expect.stringMatching(/^sec_\d{18}$/), secret_suffix: plain_secret.slice(-4) });
    expect(client.secrets[0].plain_secret).toBeUndefined();
    expect(JSON.stringify(client)).not.toContain(plain_secret);

    const rows = await s.db.clientSecret.findMany({ where: { clientId: client.client_id } });
    expect(rows).toHaveLength(1);
    expect(rows[0].hash).toBe(hashSecret(await secretHashKeyOf(s), plain_secret));
    expect(rows[0].createdBy).toBe(s.built.credentials.clientId);
    const dbRow = await s.db.apiClient.findUniqueOrThrow({ where: { id: client.client_id } });
    expect(dbRow).toMatchObject({ kind: "organization", organizationId: org, expirySeconds: 7200, customClaims: { env: "prod" } });

    const got = await s.rest("GET", `${clientsOf(org)}/${client.client_id}`);
    expectSchema(got, "ClientService_GetOrganizationClient", 200);
    expect(got.body.client).toEqual(client);
    expect(JSON.stringify(got.body)).not.toContain(plain_secret);
  });

  it("defaults the token lifetime to an hour and keeps optional fields empty", async () => {
    const org = await organization(s);
    const { client } = await createClient(org, { name: "minimal" });
    expect(client).toMatchObject({ expiry: "3600", scopes: [], audience: [], custom_claims: [], description: "" });
  });

  it("adds and removes secrets for rotation; the plain value appears only in the create response", async () => {
    const org = await organization(s);
    const { client, plain_secret: first } = await createClient(org);
    const added = await s.rest("POST", `${clientsOf(org)}/${client.client_id}/secrets`);
    expectSchema(added, "ClientService_CreateOrganizationClientSecret", 201);
    expect(added.body.plain_secret).toMatch(/^test_[A-Za-z0-9]{64}$/);
    expect(added.body.plain_secret).not.toBe(first);
    expect(added.body.secret).toMatchObject({ id: expect.stringMatching(/^sec_/), secret_suffix: added.body.plain_secret.slice(-4) });
    expect(added.body.secret.create_time).toMatch(RFC3339);

    const got = await s.rest("GET", `${clientsOf(org)}/${client.client_id}`);
    expect(got.body.client.secrets.map((x: any) => x.id)).toEqual([client.secrets[0].id, added.body.secret.id]);
    expect(JSON.stringify(got.body)).not.toContain(added.body.plain_secret);

    const del = await s.rest("DELETE", `${clientsOf(org)}/${client.client_id}/secrets/${client.secrets[0].id}`);
    expectSchema(del, "ClientService_DeleteOrganizationClientSecret", 200);
    expect(del.body).toEqual({});
    expect(await s.db.clientSecret.count({ where: { clientId: client.client_id } })).toBe(1);
    const again = await s.rest("DELETE", `${clientsOf(org)}/${client.client_id}/secrets/${client.secrets[0].id}`);
    expect(again.status).toBe(404);
    expectErrorBody(again.body, 5, "NOT_FOUND");
  });

  it("updates only the fields given", async () => {
    const org = await organization(s);
    const { client } = await createClient(org);
    const res = await s.rest("PATCH", `${clientsOf(org)}/${client.client_id}`, { description: "new", scopes: ["a:b"] });
    expectSchema(res, "ClientService_UpdateOrganizationClient", 200);
    expect(res.body.client).toMatchObject({
      name: "GitHub Actions", description: "new", scopes: ["a:b"], audience: ["https://api.example.com"],
      custom_claims: [{ key: "env", value: "prod" }], expiry: "7200",
    });
    const res2 = await s.rest("PATCH", `${clientsOf(org)}/${client.client_id}`, { name: "Renamed", expiry: "600", custom_claims: [{ key: "team", value: "ops" }] });
    expect(res2.body.client).toMatchObject({ name: "Renamed", expiry: "600", custom_claims: [{ key: "team", value: "ops" }], scopes: ["a:b"] });
    expect(await s.db.apiClient.findUniqueOrThrow({ where: { id: client.client_id } })).toMatchObject({ name: "Renamed", expirySeconds: 600 });
  });

  it("deletes a client with its secrets", async () => {
    const org = await organization(s);
    const { client } = await createClient(org);
    const res = await s.rest("DELETE", `${clientsOf(org)}/${client.client_id}`);
    expectSchema(res, "ClientService_DeleteOrganizationClient", 200);
    expect(res.body).toEqual({});
    expect(await s.db.apiClient.count({ where: { id: client.client_id } })).toBe(0);
    expect(await s.db.clientSecret.count({ where: { clientId: client.client_id } })).toBe(0);
    const again = await s.rest("DELETE", `${clientsOf(org)}/${client.client_id}`);
    expect(again.status).toBe(404);
  });

  it("lists an organization's clients page by page", async () => {
    const org = await organization(s);
    const other = await organization(s);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createClient(org, { name: `c${i}` })).client.client_id);
    await createClient(other, { name: "elsewhere" });
    const seen: string[] = [];
    let token = "";
    let pages = 0;
    do {
      const res = await s.rest("GET", `${clientsOf(org)}?page_size=2${token ? `&page_token=${token}` : ""}`);
      expectSchema(res, "ClientService_ListOrganizationClients", 200);
      expect(res.body.total_size).toBe(5);
      for (const c of res.body.clients) {
        expect(c.organization_id).toBe(org);
        expect(c.secrets[0].plain_secret).toBeUndefined();
      }
      seen.push(...res.body.clients.map((c: any) => c.client_id));
      token = res.body.next_page_token;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);
    const bad = await s.rest("GET", `${clientsOf(org)}?page_token=nope!`);
    expect(bad.status).toBe(400);
  });

  it("answers 404 for unknown organizations, clients and secrets, and for a client of another organization", async () => {
    const org = await organization(s);
    const other = await organization(s);
    const { client } = await createClient(org);
    const cases: [string, string, object?][] = [
      ["GET", `${clientsOf(other)}/${client.client_id}`],
      ["PATCH", `${clientsOf(other)}/${client.client_id}`, { name: "x" }],
      ["DELETE", `${clientsOf(other)}/${client.client_id}`],
      ["POST", `${clientsOf(other)}/${client.client_id}/secrets`],
      ["DELETE", `${clientsOf(other)}/${client.client_id}/secrets/${client.secrets[0].id}`],
      ["GET", `${clientsOf(org)}/m2morg_000000000000000001`],
      ["DELETE", `${clientsOf(org)}/${client.client_id}/secrets/sec_000000000000000001`],
      ["POST", clientsOf("org_000000000000000001"), { name: "x" }],
      ["GET", clientsOf("org_000000000000000001")],
      // the environment client is not an organization client
      ["GET", `${clientsOf(org)}/${s.built.credentials.clientId}`],
    ];
    for (const [method, path, b] of cases) {
      const res = await s.rest(method, path, b);
      if (path.includes(s.built.credentials.clientId)) { expect(res.status, path).toBe(400); continue; } // m2morg_ prefix rule
      expect(res.status, `${method} ${path}`).toBe(404);
      expectErrorBody(res.body, 5, "NOT_FOUND");
    }
    expect(await s.db.apiClient.count({ where: { id: client.client_id } })).toBe(1);
    expect(await s.db.clientSecret.count({ where: { clientId: client.client_id } })).toBe(1);
  });

  it("rejects bad input with 400 naming the field and writes nothing", async () => {
    const org = await organization(s);
    const before = await s.db.apiClient.count();
    const bad: [object, string][] = [
      [{}, "client.name"],
      [{ name: "   " }, "client.name"],
      [{ name: "x".repeat(129) }, "client.name"],
      [{ name: "x", description: "d".repeat(513) }, "client.description"],
      [{ name: "x", scopes: ["ok", ""] }, "client.scopes[1]"],
      [{ name: "x", scopes: ["has space"] }, "client.scopes[0]"],
      [{ name: "x", audience: [""] }, "client.audience[0]"],
      [{ name: "x", custom_claims: [{ key: "", value: "v" }] }, "client.custom_claims[0].key"],
      [{ name: "x", custom_claims: [{ key: "a", value: "1" }, { key: "a", value: "2" }] }, "client.custom_claims[1].key"],
      [{ name: "x", custom_claims: [{ key: "sub", value: "admin" }] }, "client.custom_claims[0].key"],
      [{ name: "x", expiry: "-5" }, "client.expiry"],
      [{ name: "x", expiry: "10" }, "client.expiry"],
      [{ name: "x", expiry: "99999999999" }, "client.expiry"],
    ];
    for (const [b, field] of bad) {
      const res = await s.rest("POST", clientsOf(org), b);
      expect(res.status, JSON.stringify(b)).toBe(400);
      expectErrorBody(res.body, 3, "INVALID_ARGUMENT");
      expect(res.body.message, JSON.stringify(b)).toContain(field);
    }
    const badOrg = await s.rest("POST", clientsOf("nope"), { name: "x" });
    expect(badOrg.status).toBe(400);
    expect(badOrg.body.message).toContain("organization_id");
    expect(await s.db.apiClient.count()).toBe(before);

    const { client } = await createClient(org);
    const patch = await s.rest("PATCH", `${clientsOf(org)}/${client.client_id}`, { scopes: ["bad scope"] });
    expect(patch.status).toBe(400);
    expect((await s.db.apiClient.findUniqueOrThrow({ where: { id: client.client_id } })).scopes).toEqual(body.scopes);
  });

  it("covered every operation of the API Auth tag", () => {
    const ops = operationsOfTag("API Auth").map((o) => o.operationId).sort();
    expect(ops).toHaveLength(7);
    const done = new Set([...validatedOperations()].map((x) => x.split(" ")[0]));
    for (const op of ops) expect(done, op).toContain(op);
  });
});
