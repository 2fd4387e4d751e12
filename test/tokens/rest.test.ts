// ApiTokenService over REST. Its routes are not in the OpenAPI document; the transcoder serves them from the
// descriptors' google.api.http bindings (POST /api/v1/tokens, /api/v1/tokens:validate|:invalidate|:update,
// GET /api/v1/tokens), so the JSON shapes asserted here are protojson's with proto field names.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { expectErrorBody } from "../helpers/openapi.js";
import { organization, RFC3339 } from "../rbac/fixtures.js";

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(async () => { await s?.close(); });

describe("API tokens over REST", () => {
  it("creates, validates, updates, lists and invalidates a token", async () => {
    const org = await organization(s);
    const expiry = new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d+Z$/, "Z");
    const created = await s.rest("POST", "/api/v1/tokens", { organization_id: org, custom_claims: { env: "dev" }, description: "cli", expiry });
    expect(created.status).toBe(200);
    expect(Object.keys(created.body).sort()).toEqual(["token", "token_id", "token_info"]);
    const { token, token_id, token_info } = created.body;
    expect(token_info).toMatchObject({
      token_id, organization_id: org, organization_external_id: "", custom_claims: { env: "dev" }, description: "cli",
      token_suffix: token.slice(-4), expiry, roles: [],
    });
    expect(token_info.created_at).toMatch(RFC3339);
    expect(token_info.user_id).toBeUndefined();

    const valid = await s.rest("POST", "/api/v1/tokens:validate", { token });
    expect(valid.status).toBe(200);
    expect(valid.body.token_info).toEqual(token_info);

    const upd = await s.rest("POST", "/api/v1/tokens:update", { token: token_id, custom_claims: { env: "prod" } });
    expect(upd.status).toBe(200);
    expect(upd.body.token_info).toMatchObject({ custom_claims: { env: "prod" }, description: "cli" });

    const list = await s.rest("GET", `/api/v1/tokens?organization_id=${org}&page_size=5`);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ total_count: 1, next_page_token: "", prev_page_token: "" });
    expect(list.body.tokens.map((t: any) => t.token_id)).toEqual([token_id]);
    expect(JSON.stringify(list.body)).not.toContain(token);

    const inv = await s.rest("POST", "/api/v1/tokens:invalidate", { token });
    expect(inv.status).toBe(200);
    expect(inv.body).toEqual({});
    const after = await s.rest("POST", "/api/v1/tokens:validate", { token });
    expect(after.status).toBe(404);
    expectErrorBody(after.body, 5, "NOT_FOUND");
  });

  it("answers 400 and 404 for bad requests, and leaves FetchToken unimplemented", async () => {
    const org = await organization(s);
    const before = await s.db.apiToken.count();
    const cases: [string, string, object | undefined, number][] = [
      ["POST", "/api/v1/tokens", {}, 400],
      ["POST", "/api/v1/tokens", { organization_id: "org_000000000000000001" }, 404],
      ["POST", "/api/v1/tokens", { organization_id: org, expiry: "2001-01-01T00:00:00Z" }, 400],
      ["POST", "/api/v1/tokens", { organization_id: org, custom_claims: { k: "" } }, 400],
      ["POST", "/api/v1/tokens:validate", {}, 400],
      ["POST", "/api/v1/tokens:validate", { token: "skt_nope" }, 404],
      ["POST", "/api/v1/tokens:invalidate", { token: "apit_000000000000000001" }, 404],
      ["POST", "/api/v1/tokens:update", { token: "skt_nope", description: "x" }, 404],
      ["GET", "/api/v1/tokens", undefined, 400],
      ["GET", "/api/v1/tokens?organization_id=org_000000000000000001", undefined, 404],
      ["GET", `/api/v1/tokens?organization_id=${org}&page_size=31`, undefined, 400],
      ["POST", "/api/v1/tokens:fetch", { token_id: "apit_000000000000000001" }, 501],
    ];
    for (const [method, path, body, status] of cases) {
      const res = await s.rest(method, path, body);
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(status);
    }
    expect(await s.db.apiToken.count()).toBe(before);
  });
});
