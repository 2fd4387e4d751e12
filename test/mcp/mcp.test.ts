// McpService as the Python SDK calls it (scalekit/mcp.py: MCP configs and instances) through a grpc-core client
// (@grpc/grpc-js with the merged descriptors, snake_case messages), and over REST.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { grpcJsClient, grpcJsError, type GrpcJsClient } from "../helpers/grpc-js.js";
import { expectErrorBody } from "../helpers/openapi.js";
import { organization, unique } from "../rbac/fixtures.js";

let s: TestServer;
let c: GrpcJsClient;
beforeAll(async () => {
  s = await startTestServer();
  c = grpcJsClient(s.url, "scalekit.v1.mcp.McpService", { token: await s.token() });
  // two connectors the configs can map: one through a connected account (gmail), one as an app connection (linear)
  const org = await organization(s);
  const ca = await s.rest("POST", "/api/v1/connected_accounts", {
    connector: "gmail", identifier: "ada@example.com", organization_id: org,
    connected_account: { authorization_details: { oauth_token: { access_token: "t", refresh_token: "r", scopes: ["mail"] } } },
  });
  expect(ca.status, JSON.stringify(ca.body)).toBe(201);
  const app = await s.rest("POST", "/api/v1/connections?flags.is_app=true", { provider: "CUSTOM", type: "BEARER", provider_key: "linear", key_id: "linear" });
  expect(app.status, JSON.stringify(app.body)).toBe(200);
});
afterAll(async () => { c?.close(); await s?.close(); });

describe("McpService through grpc-js (the Python SDK's calls)", () => {
  it("configs: create, get, list with filters and search, update, delete (refused while instances use it)", async () => {
    const name = unique("cfg").replace(/_/g, "-");
    const created = (await c.call("CreateMcpConfig", { config: {
      name, description: "Mail and issues",
      connection_tool_mappings: [{ connection_name: "gmail", tools: ["gmail_send", "gmail_search"] }, { connection_name: "linear", tools: ["linear_create_issue"] }],
    } })).config;
    expect(created.id).toMatch(/^mcpc_\d{18}$/);
    expect(created).toMatchObject({ name, description: "Mail and issues" });
    expect(created.connection_tool_mappings.map((m: any) => [m.connection_name, m.provider, m.tools])).toEqual([
      ["gmail", "GMAIL", ["gmail_send", "gmail_search"]], ["linear", "LINEAR", ["linear_create_issue"]],
    ]);
    expect(created.connection_tool_mappings[0].connection_id).toMatch(/^conn_/);
    expect(await s.db.mcpConfig.count({ where: { name } })).toBe(1);

    expect((await c.call("GetMcpConfig", { config_id: created.id })).config.name).toBe(name);
    expect((await c.call("ListMcpConfigs", { filter: { name } })).configs.map((x: any) => x.id)).toEqual([created.id]);
    expect((await c.call("ListMcpConfigs", { search: name.slice(0, 6).toUpperCase() })).configs.map((x: any) => x.id)).toContain(created.id);
    expect((await c.call("ListMcpConfigs", { filter: { provider: "linear" } })).configs.map((x: any) => x.id)).toContain(created.id);

    const updated = (await c.call("UpdateMcpConfig", { config_id: created.id, description: "Just mail", connection_tool_mappings: [{ connection_name: "gmail", tools: ["gmail_send"] }] })).config;
    expect(updated).toMatchObject({ id: created.id, description: "Just mail" });
    expect(updated.connection_tool_mappings.map((m: any) => m.connection_name)).toEqual(["gmail"]);

    const inst = (await c.call("EnsureMcpInstance", { name: `${name}-ada`, config_name: name, user_identifier: "ada@example.com" })).instance;
    const blocked = await grpcJsError(c.call("DeleteMcpConfig", { config_id: created.id }));
    expect(blocked.code).toBe(9);
    await c.call("DeleteMcpInstance", { instance_id: inst.id });
    await c.call("DeleteMcpConfig", { config_id: created.id });
    expect(await s.db.mcpConfig.count({ where: { id: created.id } })).toBe(0);
    expect((await grpcJsError(c.call("GetMcpConfig", { config_id: created.id }))).code).toBe(5);
  });

  it("refuses bad configs with INVALID_ARGUMENT or NOT_FOUND and a taken name with 'duplicate key not allowed'", async () => {
    const before = await s.db.mcpConfig.count();
    const bad = await grpcJsError(c.call("CreateMcpConfig", { config: { name: "has space" } }));
    expect(bad.code).toBe(3);
    const unknown = await grpcJsError(c.call("CreateMcpConfig", { config: { name: unique("x"), connection_tool_mappings: [{ connection_name: "no-such-connection", tools: [] }] } }));
    expect(unknown.code).toBe(5);
    expect(await s.db.mcpConfig.count()).toBe(before);
    const name = unique("dup");
    await c.call("CreateMcpConfig", { config: { name } });
    const dup = await grpcJsError(c.call("CreateMcpConfig", { config: { name } }));
    expect(dup.code).toBe(3);
    expect(dup.status?.message).toBe("duplicate key not allowed");
  });

  it("instances: ensure is idempotent, get/list/update/delete, and the auth state shows the user's connected accounts", async () => {
    const cfg = unique("icfg");
    await c.call("CreateMcpConfig", { config: { name: cfg, connection_tool_mappings: [{ connection_name: "gmail", tools: ["gmail_send"] }, { connection_name: "linear", tools: [] }] } });
    const name = unique("inst");
    const first = (await c.call("EnsureMcpInstance", { name, config_name: cfg, user_identifier: "ada@example.com" })).instance;
    expect(first.id).toMatch(/^mcpi_\d{18}$/);
    expect(first).toMatchObject({ name, user_identifier: "ada@example.com", config: { name: cfg } });
    const again = (await c.call("EnsureMcpInstance", { name, config_name: cfg, user_identifier: "ada@example.com" })).instance;
    expect(again.id).toBe(first.id);
    expect(await s.db.mcpInstance.count({ where: { name } })).toBe(1);
    expect((await grpcJsError(c.call("EnsureMcpInstance", { name, config_name: cfg, user_identifier: "bob@example.com" }))).code).toBe(9);
    expect((await grpcJsError(c.call("EnsureMcpInstance", { name: unique("i"), config_name: "no-such-config", user_identifier: "x" }))).code).toBe(5);

    // the instance's config shows the user's accounts per connection
    const gmail = first.config.connection_tool_mappings.find((m: any) => m.connection_name === "gmail");
    expect(gmail).toMatchObject({ connected_account_status: "ACTIVE" });
    expect(gmail.connected_account_id).toMatch(/^ca_/);
    const state = (await c.call("GetMcpInstanceAuthState", { instance_id: first.id, include_auth_links: false })).connections;
    expect(state.map((x: any) => [x.connection_name, x.connected_account_status, x.authentication_link])).toEqual([["gmail", "ACTIVE", ""], ["linear", "NOT_CONNECTED", ""]]);
    // with links: the connection the user has not connected gets a magic link (and a pending account)
    const linked = (await c.call("GetMcpInstanceAuthState", { instance_id: first.id, include_auth_links: true })).connections;
    expect(linked[0].authentication_link).toBe("");
    expect(linked[1].authentication_link).toMatch(new RegExp(`^${s.url}/`));
    expect(await s.db.connectedAccount.findFirst({ where: { connector: "linear", identifier: "ada@example.com" } })).toMatchObject({ status: "PENDING_AUTH" });
    expect((await c.call("GetMcpInstanceAuthState", { instance_id: first.id })).connections[1].connected_account_status).toBe("PENDING_AUTH");

    expect((await c.call("GetMcpInstance", { instance_id: first.id })).instance.name).toBe(name);
    const listed = await c.call("ListMcpInstances", { filter: { user_identifier: "ada@example.com", config_name: cfg } });
    expect(listed.instances.map((i: any) => i.id)).toEqual([first.id]);
    expect(listed.total_size).toBe(1);
    const renamed = (await c.call("UpdateMcpInstance", { instance_id: first.id, name: `${name}-2` })).instance;
    expect(renamed).toMatchObject({ id: first.id, name: `${name}-2` });
    await c.call("DeleteMcpInstance", { instance_id: first.id });
    expect((await grpcJsError(c.call("GetMcpInstance", { instance_id: first.id }))).code).toBe(5);
    expect((await grpcJsError(c.call("DeleteMcpInstance", { instance_id: first.id }))).code).toBe(5);
  });
});

describe("McpService over REST", () => {
  it("POST/GET/PUT/DELETE /api/v1/mcp/configs and /api/v1/mcp/instances", async () => {
    const name = unique("rest").replace(/_/g, "-");
    const created = await s.rest("POST", "/api/v1/mcp/configs", { name, connection_tool_mappings: [{ connection_name: "gmail", tools: ["gmail_send"] }] });
    expect([200, 201]).toContain(created.status);
    const id = created.body.config.id;
    expect((await s.rest("GET", `/api/v1/mcp/configs/${id}`)).body.config.name).toBe(name);
    const put = await s.rest("PUT", `/api/v1/mcp/configs/${id}`, { description: "via REST" });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.config.description).toBe("via REST");
    const inst = await s.rest("POST", "/api/v1/mcp/instances", { name: `${name}-i`, config_name: name, user_identifier: "ada@example.com" });
    expect([200, 201]).toContain(inst.status);
    const state = await s.rest("POST", `/api/v1/mcp/instances/${inst.body.instance.id}:get_auth_state`, {});
    expect(state.status, JSON.stringify(state.body)).toBe(200);
    expect(state.body.connections[0]).toMatchObject({ connection_name: "gmail", connected_account_status: "ACTIVE" });
    const bad = await s.rest("POST", "/api/v1/mcp/configs", { name: "" });
    expect(bad.status).toBe(400);
    expectErrorBody(bad.body, 3, "INVALID_ARGUMENT");
    expect((await s.rest("DELETE", `/api/v1/mcp/instances/${inst.body.instance.id}`)).body).toEqual({});
    expect((await s.rest("DELETE", `/api/v1/mcp/configs/${id}`)).body).toEqual({});
  });
});
