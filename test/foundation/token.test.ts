// POST /oauth/token, /keys and discovery, checked as an OAuth client would: every error body of RFC 6749 §5.2,
// and tokens verified with jose against the published JWKS only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { startTestServer, TEST_CLIENT_ID, TEST_CLIENT_SECRET, type TestServer } from "../helpers/server.js";

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(async () => { await s?.close(); });

async function token(body: Record<string, string> | string, headers: Record<string, string> = {}) {
  const res = await fetch(`${s.url}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: typeof body === "string" ? body : new URLSearchParams(body),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`;

describe("client_credentials", () => {
  it("issues an RS256 JWT with client_secret_post", async () => {
    const r = await token({ grant_type: "client_credentials", client_id: TEST_CLIENT_ID, client_secret: TEST_CLIENT_SECRET });
    expect(r.status).toBe(200);
    expect(r.headers.get("cache-control")).toBe("no-store");
    expect(Object.keys(r.body).sort()).toEqual(["access_token", "expires_in", "scope", "token_type"]);
    expect(r.body.token_type).toBe("Bearer");
    expect(r.body.expires_in).toBe(86399);
    expect(typeof r.body.scope).toBe("string");

    const header = decodeProtectedHeader(r.body.access_token);
    expect(header.alg).toBe("RS256");
    expect(header.kid).toMatch(/^snk_\d{18}$/);
    const jwks = createRemoteJWKSet(new URL(`${s.url}/keys`));
    const { payload } = await jwtVerify(r.body.access_token, jwks, { issuer: s.url, algorithms: ["RS256"] });
    expect(payload.client_id).toBe(TEST_CLIENT_ID);
    expect(payload.sub).toBe(TEST_CLIENT_ID);
    expect(Array.isArray(payload.scopes)).toBe(true);
    expect(payload.exp! - payload.iat!).toBe(86399);
    expect(Math.abs(payload.iat! - Date.now() / 1000)).toBeLessThan(30);
  });

  it("issues a token with client_secret_basic", async () => {
    const r = await token({ grant_type: "client_credentials" }, { authorization: basic(TEST_CLIENT_ID, TEST_CLIENT_SECRET) });
    expect(r.status).toBe(200);
    const { payload } = await jwtVerify(r.body.access_token, createRemoteJWKSet(new URL(`${s.url}/keys`)));
    expect(payload.client_id).toBe(TEST_CLIENT_ID);
  });

  it("accepts a JSON body too", async () => {
    const res = await fetch(`${s.url}/oauth/token`, {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "client_credentials", client_id: TEST_CLIENT_ID, client_secret: TEST_CLIENT_SECRET }),
    });
    expect(res.status).toBe(200);
  });

  it("does not revoke earlier tokens when issuing new ones (concurrent SDK callers)", async () => {
    const a = await token({ grant_type: "client_credentials", client_id: TEST_CLIENT_ID, client_secret: TEST_CLIENT_SECRET });
    const b = await token({ grant_type: "client_credentials", client_id: TEST_CLIENT_ID, client_secret: TEST_CLIENT_SECRET });
    for (const t of [a.body.access_token, b.body.access_token]) {
      const r = await s.rest("GET", "/api/v1/does-not-exist", undefined, { token: t });
      expect(r.status).toBe(404); // authenticated: past the 401
    }
  });
});

describe("errors (RFC 6749 §5.2)", () => {
  const cases: [string, Record<string, string> | string, Record<string, string>, number, string][] = [
    ["missing grant_type", { client_id: TEST_CLIENT_ID, client_secret: TEST_CLIENT_SECRET }, {}, 400, "invalid_request"],
    ["unsupported grant_type", { grant_type: "password", client_id: TEST_CLIENT_ID, client_secret: TEST_CLIENT_SECRET }, {}, 400, "unsupported_grant_type"],
    ["wrong secret", { grant_type: "client_credentials", client_id: TEST_CLIENT_ID, client_secret: "test_wrong" }, {}, 401, "invalid_client"],
    ["unknown client", { grant_type: "client_credentials", client_id: "skc_999", client_secret: TEST_CLIENT_SECRET }, {}, 401, "invalid_client"],
    ["no client authentication", { grant_type: "client_credentials" }, {}, 401, "invalid_client"],
    ["client_id without secret", { grant_type: "client_credentials", client_id: TEST_CLIENT_ID }, {}, 401, "invalid_client"],
    ["wrong basic secret", { grant_type: "client_credentials" }, { authorization: basic(TEST_CLIENT_ID, "nope") }, 401, "invalid_client"],
    ["two authentication methods", { grant_type: "client_credentials", client_secret: TEST_CLIENT_SECRET }, { authorization: basic(TEST_CLIENT_ID, TEST_CLIENT_SECRET) }, 400, "invalid_request"],
    ["repeated parameter", "grant_type=client_credentials&grant_type=client_credentials&client_id=x&client_secret=y", {}, 400, "invalid_request"],
    ["empty body", "", {}, 400, "invalid_request"],
  ];
  for (const [name, body, headers, status, error] of cases) {
    it(name, async () => {
      const r = await token(body, headers);
      expect(r.status).toBe(status);
      expect(r.body.error).toBe(error);
      expect(typeof r.body.error_description).toBe("string");
      expect(r.body.access_token).toBeUndefined();
    });
  }

  it("asks for Basic credentials again when Basic authentication fails", async () => {
    const r = await token({ grant_type: "client_credentials" }, { authorization: basic(TEST_CLIENT_ID, "nope") });
    expect(r.headers.get("www-authenticate")).toMatch(/^Basic/);
  });
});

describe("keys and discovery", () => {
  it("publishes the signing key as a JWKS", async () => {
    const res = await fetch(`${s.url}/keys`);
    const body = await res.json();
    expect(body.keys.length).toBeGreaterThanOrEqual(1);
    for (const k of body.keys) {
      expect(k).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig" });
      expect(k.kid).toMatch(/^snk_/);
      expect(k.d).toBeUndefined(); // never the private part
      expect(k.p).toBeUndefined();
    }
  });

  it("serves OpenID discovery pointing at this server", async () => {
    const d = await (await fetch(`${s.url}/.well-known/openid-configuration`)).json();
    expect(d.issuer).toBe(s.url);
    expect(d.token_endpoint).toBe(`${s.url}/oauth/token`);
    expect(d.jwks_uri).toBe(`${s.url}/keys`);
    expect(d.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(["client_secret_post", "client_secret_basic"]));
  });

  it("stores the client secret hashed, never in clear", async () => {
    const secrets = await s.db.clientSecret.findMany({ where: { clientId: TEST_CLIENT_ID } });
    expect(secrets).toHaveLength(1);
    expect(secrets[0].hash).not.toContain(TEST_CLIENT_SECRET);
    const dump = JSON.stringify(await s.db.$queryRawUnsafe("SELECT * FROM client_secrets"));
    expect(dump).not.toContain(TEST_CLIENT_SECRET);
  });
});
