// ProviderService as the Python SDK calls it (scalekit/providers.py: CreateCustomProvider, UpdateCustomProvider,
// DeleteCustomProvider, ListProviders) through a grpc-core client (@grpc/grpc-js with the merged descriptors,
// over TLS, snake_case messages), and the same operations over REST.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fs from "node:fs";
import https from "node:https";
import { startTestServer, TEST_CLIENT_ID, TEST_CLIENT_SECRET, type TestServer } from "../helpers/server.js";
import { grpcJsClient, grpcJsError, type GrpcJsClient } from "../helpers/grpc-js.js";
import { expectErrorBody } from "../helpers/openapi.js";

/** JSON as google.protobuf.Value the way proto-loader (keepCase) writes it, which is how a Python client sends it. */
function value(v: unknown): Record<string, unknown> {
  if (v === null) return { null_value: "NULL_VALUE" };
  if (Array.isArray(v)) return { list_value: { values: v.map(value) } };
  // proto-loader reads map fields from a descriptor set as their repeated entry messages
  if (typeof v === "object") return { struct_value: { fields: Object.entries(v as object).map(([key, x]) => ({ key, value: value(x) })) } };
  if (typeof v === "boolean") return { bool_value: v };
  if (typeof v === "number") return { number_value: v };
  return { string_value: String(v) };
}
const listValue = (items: unknown[]) => ({ values: items.map(value) });
function unvalue(v: any): unknown {
  switch (v.kind) {
    case "list_value": return (v.list_value.values ?? []).map(unvalue);
    case "struct_value": return Object.fromEntries((v.struct_value.fields ?? []).map((e: any) => [e.key, unvalue(e.value)]));
    case "bool_value": return v.bool_value;
    case "number_value": return v.number_value;
    case "string_value": return v.string_value;
    default: return null;
  }
}

const OAUTH_MCP = { type: "OAUTH", display_name: "OAuth 2.1/DCR", description: "Browser OAuth", is_mcp: true, oauth_config: { pkce_enabled: true }, fields: [] };
const BEARER = { type: "BEARER", display_name: "Token", is_mcp: false, fields: [{ field_name: "token", label: "Token", input_type: "password", required: true }] };

let s: TestServer;
let ca: Buffer;
let c: GrpcJsClient;
beforeAll(async () => {
  s = await startTestServer({ env: { TLS: "self-signed" } });
  ca = fs.readFileSync(s.built.tls!.certFile);
  const token = await new Promise<string>((resolve, reject) => {
    const body = new URLSearchParams({ grant_type: "client_credentials", client_id: TEST_CLIENT_ID, client_secret: TEST_CLIENT_SECRET }).toString();
    const req = https.request(`${s.url}/oauth/token`, { method: "POST", ca, headers: { "content-type": "application/x-www-form-urlencoded" } }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve(JSON.parse(text).access_token));
    });
    req.on("error", reject);
    req.end(body);
  });
  c = grpcJsClient(s.url, "scalekit.v1.providers.ProviderService", { ca, token });
});
afterAll(async () => { c?.close(); await s?.close(); });

describe("ProviderService through grpc-js (the Python SDK's calls)", () => {
  it("creates a custom MCP provider, lists it, updates it, deletes it", async () => {
    const created = (await c.call("CreateCustomProvider", {
      provider: {
        display_name: "Test OAuth MCP Provider 42", description: "An MCP server", proxy_url: "https://server.example.com/mcp",
        proxy_enabled: true, auth_patterns: listValue([OAUTH_MCP]), metadata: [{ key: "team", value: "agents" }],
      },
    })).provider;
    expect(created).toMatchObject({
      identifier: "test_oauth_mcp_provider_42", display_name: "Test OAuth MCP Provider 42", description: "An MCP server",
      proxy_url: "https://server.example.com/mcp", proxy_enabled: true, is_custom: true, is_custom_mcp: true,
    });
    expect(created.metadata).toEqual([{ key: "team", value: "agents" }]);
    expect(created.id).toMatch(/^prv_\d{18}$/);
    expect(unvalue({ kind: "list_value", list_value: created.auth_patterns })).toEqual([OAUTH_MCP]);
    expect(await s.db.customProvider.count({ where: { identifier: "test_oauth_mcp_provider_42" } })).toBe(1);

    const listed = await c.call("ListProviders", { filter: { provider_type: "CUSTOM" }, page_size: 100 });
    expect(listed.providers.map((p: any) => p.identifier)).toContain("test_oauth_mcp_provider_42");
    expect((await c.call("ListProviders", { identifier: "test_oauth_mcp_provider_42" })).providers).toHaveLength(1);
    // this server has no built-in catalog: DEFAULT lists nothing rather than made-up providers
    expect((await c.call("ListProviders", { filter: { provider_type: "DEFAULT" } })).providers).toEqual([]);

    // the SDK's update: fields given replace, auth patterns are replaced, metadata absent clears it, and the
    // identifier does not follow the display name
    const updated = (await c.call("UpdateCustomProvider", {
      identifier: created.identifier,
      provider: { display_name: "Renamed Provider", description: "Updated", proxy_url: "https://server.example.com/mcp", auth_patterns: listValue([BEARER]) },
    })).provider;
    expect(updated).toMatchObject({ identifier: created.identifier, display_name: "Renamed Provider", description: "Updated", proxy_enabled: true, is_custom_mcp: false, metadata: [] });
    expect(unvalue({ kind: "list_value", list_value: updated.auth_patterns })).toEqual([BEARER]);

    await c.call("DeleteCustomProvider", { identifier: created.identifier });
    expect(await s.db.customProvider.count({ where: { identifier: created.identifier } })).toBe(0);
    const gone = await grpcJsError(c.call("DeleteCustomProvider", { identifier: created.identifier }));
    expect(gone.code).toBe(5);
    expect(gone.status?.errorInfo?.errorCode).toBe("NOT_FOUND");
  });

  it("validates input and refuses a second provider of the same identifier, changing nothing", async () => {
    const before = await s.db.customProvider.count();
    for (const provider of [
      { proxy_url: "https://x.example.com" },
      { display_name: "Bad-Name!", proxy_url: "https://x.example.com" },
      { display_name: "No Url" },
      { display_name: "Ftp Url", proxy_url: "ftp://x.example.com" },
      { display_name: "Bad Pattern", proxy_url: "https://x.example.com", auth_patterns: listValue([{ type: "TELEPATHY" }]) },
    ]) {
      const e = await grpcJsError(c.call("CreateCustomProvider", { provider }));
      expect(e.code, JSON.stringify(provider)).toBe(3);
      expect(e.status?.errorInfo?.errorCode).toBe("INVALID_ARGUMENT");
    }
    expect(await s.db.customProvider.count()).toBe(before);
    await c.call("CreateCustomProvider", { provider: { display_name: "Twice", proxy_url: "https://x.example.com", auth_patterns: listValue([BEARER]) } });
    const dup = await grpcJsError(c.call("CreateCustomProvider", { provider: { display_name: "twice", proxy_url: "https://y.example.com", auth_patterns: listValue([BEARER]) } }));
    expect(dup.code).toBe(3);
    expect(dup.status?.message).toBe("duplicate key not allowed");
    const missing = await grpcJsError(c.call("UpdateCustomProvider", { identifier: "nope", provider: { display_name: "Nope", description: "x", proxy_url: "https://x.example.com", auth_patterns: listValue([BEARER]) } }));
    expect(missing.code).toBe(5);
  });

  it("pages through custom providers with opaque tokens", async () => {
    for (let i = 0; i < 5; i++) await c.call("CreateCustomProvider", { provider: { display_name: `Paged ${i}`, proxy_url: "https://p.example.com", auth_patterns: listValue([BEARER]) } });
    const seen: string[] = [];
    let token = "";
    do {
      const page = await c.call("ListProviders", { filter: { provider_type: "CUSTOM" }, page_size: 2, page_token: token });
      expect(page.providers.length).toBeLessThanOrEqual(2);
      seen.push(...page.providers.map((p: any) => p.identifier));
      token = page.next_page_token;
    } while (token);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(["paged_0", "paged_1", "paged_2", "paged_3", "paged_4"]));
  });
});

describe("ProviderService over REST", () => {
  let plain: TestServer;
  beforeAll(async () => { plain = await startTestServer(); });
  afterAll(async () => { await plain?.close(); });

  it("POST /api/v1/custom-providers, GET /api/v1/providers, PUT and DELETE /api/v1/custom-providers/{identifier}", async () => {
    const created = await plain.rest("POST", "/api/v1/custom-providers", {
      display_name: "Rest Provider", proxy_url: "https://rest.example.com", proxy_enabled: true, auth_patterns: [BEARER],
    });
    expect([200, 201]).toContain(created.status);
    expect(created.body.provider).toMatchObject({ identifier: "rest_provider", is_custom: true, auth_patterns: [BEARER] });
    const list = await plain.rest("GET", "/api/v1/providers?identifier=rest_provider");
    expect(list.status).toBe(200);
    expect(list.body.providers.map((p: any) => p.identifier)).toEqual(["rest_provider"]);
    const put = await plain.rest("PUT", "/api/v1/custom-providers/rest_provider", { display_name: "Rest Provider", description: "via REST", proxy_url: "https://rest.example.com", auth_patterns: [BEARER], metadata: { a: "b" } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.provider).toMatchObject({ display_name: "Rest Provider", description: "via REST", proxy_url: "https://rest.example.com", auth_patterns: [BEARER], metadata: { a: "b" } });
    const bad = await plain.rest("POST", "/api/v1/custom-providers", { display_name: "" });
    expect(bad.status).toBe(400);
    expectErrorBody(bad.body, 3, "INVALID_ARGUMENT");
    const del = await plain.rest("DELETE", "/api/v1/custom-providers/rest_provider");
    expect(del.status).toBe(200);
    expect(del.body).toEqual({});
    expect((await plain.rest("DELETE", "/api/v1/custom-providers/rest_provider")).status).toBe(404);
  });
});
