// Access tokens of organization M2M clients: issued by POST /oauth/token with the client's organization (oid),
// scopes, audience, custom claims and lifetime; accepted by the SDK's own validators (issuer, audience, scopes)
// and refused once expired; revoked at once by deleting the secret or the client; and never an environment
// credential: /api/v1 and gRPC refuse them with PERMISSION_DENIED.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { Code, ConnectError } from "@connectrpc/connect";
import { createLocalJWKSet, decodeJwt, jwtVerify } from "jose";
import { organizations } from "../../src/protocol/descriptors.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { sdk, sdkClient, sdkRejection } from "../helpers/sdk.js";
import { expectErrorBody } from "../helpers/openapi.js";
import { rpcClient } from "../helpers/grpc.js";
import { organization } from "../rbac/fixtures.js";

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(async () => { await s?.close(); });
afterEach(() => { vi.useRealTimers(); });

async function tokenFor(clientId: string, clientSecret: string) {
  const res = await fetch(`${s.url}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret }),
  });
  return { status: res.status, body: await res.json() };
}

async function m2m(org: string, extra: object = {}) {
  const res = await s.rest("POST", `/api/v1/organizations/${org}/clients`, {
    name: "worker", scopes: ["read:reports", "write:reports"], audience: ["https://api.example.com", "https://other.example.com"],
    custom_claims: [{ key: "tenant_tier", value: "gold" }], expiry: "900", ...extra,
  });
  expect(res.status).toBe(201);
  return { id: res.body.client.client_id as string, secret: res.body.plain_secret as string, secretId: res.body.client.secrets[0].id as string };
}

describe("tokens of organization clients", () => {
  it("carry oid, scopes, audience, custom claims and the client's expiry", async () => {
    const org = await organization(s);
    const c = await m2m(org);
    const r = await tokenFor(c.id, c.secret);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ token_type: "Bearer", expires_in: 900, scope: "read:reports write:reports" });
    const claims = decodeJwt(r.body.access_token);
    expect(claims).toMatchObject({
      iss: s.url, sub: c.id, client_id: c.id, oid: org, scopes: ["read:reports", "write:reports"],
      aud: ["https://api.example.com", "https://other.example.com"], tenant_tier: "gold",
    });
    expect(claims.exp! - claims.iat!).toBe(900);
    // custom claims also nested under custom_claims, where the Python SDK reads claims["custom_claims"][key]
    expect(claims.custom_claims).toEqual({ tenant_tier: "gold" });
    // last_used_time shows that the secret was used
    const got = await s.rest("GET", `/api/v1/organizations/${org}/clients/${c.id}`);
    expect(got.body.client.secrets[0].last_used_time).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it("are accepted by the SDK's validators with issuer, audience and scopes, and refused when those do not match", async () => {
    const org = await organization(s);
    const c = await m2m(org);
    const { body } = await tokenFor(c.id, c.secret);
    const client = sdkClient(s);
    const token = body.access_token as string;
    expect(await client.validateAccessToken(token)).toBe(true);
    expect(await client.validateAccessToken(token, { issuer: s.url, audience: ["https://api.example.com"], requiredScopes: ["read:reports"] })).toBe(true);
    const payload = await client.validateToken<Record<string, unknown>>(token, { audience: ["https://other.example.com"] });
    expect(payload.oid).toBe(org);
    // both documented ways of reading a custom claim work: top level (Node) and nested (Python)
    expect(payload.tenant_tier).toBe("gold");
    expect(payload.custom_claims).toEqual({ tenant_tier: "gold" });
    expect(client.verifyScopes(token, ["read:reports", "write:reports"])).toBe(true);

    expect(await client.validateAccessToken(token, { audience: ["https://elsewhere.example.com"] })).toBe(false);
    expect(await client.validateAccessToken(token, { issuer: "https://not-this-env.example.com" })).toBe(false);
    expect(await client.validateAccessToken(token, { requiredScopes: ["admin"] })).toBe(false);
    await expect(client.validateToken(token, { requiredScopes: ["admin"] })).rejects.toBeInstanceOf(sdk.ScalekitValidateTokenFailureException);
  });

  it("decode as the Python SDK decodes them: claims[\"custom_claims\"][key] after verifying with the JWKS", async () => {
    const org = await organization(s);
    const c = await m2m(org, { custom_claims: [{ key: "wksp_id", value: "wks_42" }, { key: "tier", value: "gold" }] });
    const token = (await tokenFor(c.id, c.secret)).body.access_token as string;
    // PyJWT's decode: split, base64url-decode the payload, verify RS256 against the key named by kid
    const [h, p] = token.split(".");
    const header = JSON.parse(Buffer.from(h, "base64url").toString("utf8"));
    const claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8"));
    const jwks = createLocalJWKSet(await (await fetch(`${s.url}/keys`)).json());
    await jwtVerify(token, jwks, { audience: "https://api.example.com", issuer: s.url, algorithms: [header.alg] });
    expect(claims.custom_claims).toEqual({ wksp_id: "wks_42", tier: "gold" });
    expect(claims.custom_claims.wksp_id).toBe("wks_42");
    expect(claims.wksp_id).toBe("wks_42");
    // a client without custom claims gets no custom_claims object
    const plain = await m2m(org, { custom_claims: [] });
    expect(decodeJwt((await tokenFor(plain.id, plain.secret)).body.access_token).custom_claims).toBeUndefined();
    // the nested object is the server's: a custom claim cannot take its name
    const taken = await s.rest("POST", `/api/v1/organizations/${org}/clients`, { name: "x", custom_claims: [{ key: "custom_claims", value: "x" }] });
    expect(taken.status).toBe(400);
  });

  it("are refused by the SDK once expired", async () => {
    const org = await organization(s);
    const c = await m2m(org, { expiry: "60" });
    const { body } = await tokenFor(c.id, c.secret);
    const client = sdkClient(s);
    expect(await client.validateAccessToken(body.access_token)).toBe(true); // also caches the JWKS
    const exp = decodeJwt(body.access_token).exp!;
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime((exp + 1) * 1000);
    expect(await client.validateAccessToken(body.access_token)).toBe(false);
    await expect(client.validateToken(body.access_token)).rejects.toBeInstanceOf(sdk.ScalekitValidateTokenFailureException);
  });

  it("can no longer be obtained with a deleted secret, while a rotated-in secret keeps working", async () => {
    const org = await organization(s);
    const c = await m2m(org);
    const added = await s.rest("POST", `/api/v1/organizations/${org}/clients/${c.id}/secrets`);
    expect(added.status).toBe(201);
    expect((await tokenFor(c.id, c.secret)).status).toBe(200);
    expect((await tokenFor(c.id, added.body.plain_secret)).status).toBe(200);

    expect((await s.rest("DELETE", `/api/v1/organizations/${org}/clients/${c.id}/secrets/${c.secretId}`)).status).toBe(200);
    const refused = await tokenFor(c.id, c.secret);
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe("invalid_client");
    expect((await tokenFor(c.id, added.body.plain_secret)).status).toBe(200);
  });

  it("can no longer be obtained once the client (or its organization) is deleted", async () => {
    const org = await organization(s);
    const c = await m2m(org);
    expect((await tokenFor(c.id, c.secret)).status).toBe(200);
    expect((await s.rest("DELETE", `/api/v1/organizations/${org}/clients/${c.id}`)).status).toBe(200);
    expect((await tokenFor(c.id, c.secret)).body.error).toBe("invalid_client");

    const org2 = await organization(s);
    const c2 = await m2m(org2);
    expect((await s.rest("DELETE", `/api/v1/organizations/${org2}`)).status).toBe(200);
    expect((await tokenFor(c2.id, c2.secret)).body.error).toBe("invalid_client");
    expect(await s.db.apiClient.count({ where: { id: c2.id } })).toBe(0);
  });

  it("are not environment credentials: /api/v1 and gRPC answer PERMISSION_DENIED", async () => {
    const org = await organization(s);
    const c = await m2m(org);
    const { body } = await tokenFor(c.id, c.secret);
    const token = body.access_token as string;
    for (const path of ["/api/v1/organizations", `/api/v1/organizations/${org}`, `/api/v1/organizations/${org}/clients`, "/api/v1/no-such-route"]) {
      const res = await s.rest("GET", path, undefined, { token });
      expect(res.status, path).toBe(403);
      expectErrorBody(res.body, 7, "PERMISSION_DENIED");
    }
    const create = await s.rest("POST", `/api/v1/organizations/${org}/clients`, { name: "escalate" }, { token });
    expect(create.status).toBe(403);
    expect(await s.db.apiClient.count({ where: { name: "escalate" } })).toBe(0);

    const grpc = rpcClient(s.url, organizations.OrganizationService, "grpc", token);
    const e = await grpc.listOrganization({}).then(() => undefined, (err) => err);
    expect(e).toBeInstanceOf(ConnectError);
    expect((e as ConnectError).code).toBe(Code.PermissionDenied);

    // the SDK, given organization client credentials, gets a token and then a Forbidden exception (no retry loop)
    const asOrgClient = sdkClient(s, { clientId: c.id, clientSecret: c.secret });
    expect(await sdkRejection(asOrgClient.organization.getOrganization(org))).toBeInstanceOf(sdk.ScalekitForbiddenException);
  });
});
