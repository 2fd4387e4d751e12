// Tools over REST: registration (versions, one default per name, 409 on a duplicate version), the three listings,
// and POST /api/v1/execute_tool against a loopback executor: success, validation, account state, and executor
// failures reported as TOOL_ERROR with tool_error_info.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { expectErrorBody, expectResponse } from "../helpers/openapi.js";
import { unique } from "../rbac/fixtures.js";
import { toolExecutor, type LocalService } from "./local-services.js";

const TOOL_ERROR_INFO = (body: any) => body.details.find((d: any) => d.error_code === "TOOL_ERROR")?.tool_error_info;

describe("Tools over REST", () => {
  let s: TestServer;
  let executor: LocalService;
  const connector = unique("mail").replace(/_/g, "-");
  const provider = "MAILCO";
  let account: any;
  const identifier = unique("user");

  beforeAll(async () => {
    s = await startTestServer();
    executor = await toolExecutor();
    const c = await s.rest("PUT", `/local/v1/connectors/${connector}`, { provider, tool_executor_url: executor.url });
    expect(c.status).toBe(200);
    expect(c.body.connector).toMatchObject({ name: connector, provider, authorization_type: "OAUTH", tool_executor_url: executor.url });
    const created = await s.rest("POST", "/api/v1/connected_accounts", { connector, identifier, connected_account: { authorization_details: { oauth_token: { access_token: "mail-token" } }, api_config: { base: "eu" } } });
    expect(created.status).toBe(201);
    account = created.body.connected_account;
    expect(account.provider).toBe(provider);
  });
  afterAll(async () => { await executor?.close(); await s?.close(); });

  const tool = (name: string, extra: Record<string, unknown> = {}) => ({
    provider, tags: ["mail"],
    definition: { name, description: `does ${name}`, input_schema: { type: "object", properties: { to: { type: "string" }, count: { type: "integer" } }, required: ["to"] } },
    ...extra,
  });

  it("registers tools with versions and one default per name; lists them", async () => {
    const v1 = await s.rest("POST", "/api/v1/tools", tool("mail_send"));
    expect(v1.status).toBe(200); // CreateTool is not in the REST contract: 200, like every unlisted POST
    expect(v1.body.tool).toMatchObject({ provider, is_default: true, tags: ["mail"], definition: { name: "mail_send" } });
    expect(v1.body.tool.id).toMatch(/^tol_\d{18}$/);
    const v2 = await s.rest("POST", "/api/v1/tools", tool("mail_send", { metadata: { tool_version: "2" } }));
    expect(v2.status).toBe(200);
    expect(v2.body.tool.is_default).toBe(false);
    const dup = await s.rest("POST", "/api/v1/tools", tool("mail_send", { metadata: { tool_version: "2" } }));
    expect(dup.status).toBe(409);
    expectErrorBody(dup.body, 6, "ALREADY_EXISTS");
    const bad = await s.rest("POST", "/api/v1/tools", { provider, definition: { description: "no name" } });
    expect(bad.status).toBe(400);
    expectErrorBody(bad.body, 3, "INVALID_ARGUMENT");

    const setDefault = await s.rest("POST", "/api/v1/tools:set_default", { name: "mail_send", schema_version: "1", tool_version: "2" });
    expect(setDefault.status).toBe(200);
    expect(setDefault.body.tool).toMatchObject({ id: v2.body.tool.id, is_default: true });
    expect((await s.db.tool.findUniqueOrThrow({ where: { id: v1.body.tool.id } })).isDefault).toBe(false);
    expect((await s.rest("POST", "/api/v1/tools:set_default", { name: "mail_send", schema_version: "1", tool_version: "9" })).status).toBe(404);

    const upd = await s.rest("PUT", "/api/v1/tools", { id: v1.body.tool.id, tags: ["mail", "v1"], definition: v1.body.tool.definition });
    expect(upd.status).toBe(200);
    expect(upd.body.tool).toMatchObject({ tags: ["mail", "v1"], definition: { name: "mail_send", description: "does mail_send" } });

    await s.rest("POST", "/api/v1/tools", tool("mail_list"));
    await s.rest("POST", "/api/v1/tools", { provider: "OTHERCO", definition: { name: "other_tool" } });

    const byProvider = await s.rest("GET", `/api/v1/tools?filter.provider=${provider}&page_size=2`);
    expect(byProvider.status).toBe(200);
    expect(byProvider.body.total_size).toBe(3);
    expect(byProvider.body.tool_names).toEqual(["mail_send", "mail_send"]);
    const next = await s.rest("GET", `/api/v1/tools?filter.provider=${provider}&page_size=2&page_token=${byProvider.body.next_page_token}`);
    expect(next.body.tool_names).toEqual(["mail_list"]);
    const summary = await s.rest("GET", `/api/v1/tools?filter.tool_name=mail_list&filter.summary=true`);
    expect(summary.body.tools).toHaveLength(1);
    expect(summary.body.tools[0].definition).toEqual({ name: "mail_list", description: "does mail_list" });
    const forAccount = await s.rest("GET", `/api/v1/tools?filter.connected_account_id=${account.id}`);
    expect(forAccount.body.tool_names.sort()).toEqual(["mail_list", "mail_send", "mail_send"]);

    const available = await s.rest("GET", `/api/v1/tools/available?identifier=${identifier}`);
    expect(available.status).toBe(200);
    expect(available.body.tools.map((t: any) => t.definition.name).sort()).toEqual(["mail_list", "mail_send"]);
    expect(available.body.tools.find((t: any) => t.definition.name === "mail_send").id).toBe(v2.body.tool.id);

    const scoped = await s.rest("GET", `/api/v1/tools/scoped?identifier=${identifier}&filter.tool_names=mail_send`);
    expect(scoped.status).toBe(200);
    expect(scoped.body.tools).toEqual([expect.objectContaining({ identifier, connected_account_id: account.id, tool: expect.objectContaining({ id: v2.body.tool.id }) })]);
    const scopedOther = await s.rest("GET", `/api/v1/tools/scoped?identifier=${identifier}&filter.providers=OTHERCO`);
    expect(scopedOther.body.tools).toEqual([]);
    expect((await s.rest("GET", "/api/v1/tools/available")).status).toBe(400);

    // deleting the default hands it to the newest remaining version
    const del = await s.rest("DELETE", `/api/v1/tools/${v2.body.tool.id}`);
    expect(del.status).toBe(200);
    expect(del.body).toEqual({});
    expect((await s.db.tool.findUniqueOrThrow({ where: { id: v1.body.tool.id } })).isDefault).toBe(true);
    expect((await s.rest("DELETE", `/api/v1/tools/${v2.body.tool.id}`)).status).toBe(404);
  });

  it("executes a tool through the connector's executor with the account's decrypted credentials", async () => {
    await s.rest("POST", "/api/v1/tools", tool("mail_draft"));
    const before = executor.received.length;
    const res = await s.rest("POST", "/api/v1/execute_tool", { tool_name: "mail_draft", connected_account_id: account.id, params: { to: "a@b.c", count: 2 } });
    expectResponse(res, "ToolService_ExecuteTool", 200);
    expect(res.body.execution_id).toMatch(/^exec_\d{18}$/);
    expect(res.body.data).toEqual({ ok: true, tool: "mail_draft", echo: { to: "a@b.c", count: 2 }, token: "mail-token" });
    expect(executor.received).toHaveLength(before + 1);
    const call = JSON.parse(executor.received[before].body);
    expect(call).toMatchObject({
      execution_id: res.body.execution_id, tool_name: "mail_draft", provider, connector, connected_account_id: account.id, identifier,
      params: { to: "a@b.c", count: 2 }, authorization_details: { oauth_token: { access_token: "mail-token" } }, api_config: { base: "eu" },
    });
    expect(executor.received[before].headers["x-scalekit-execution-id"]).toBe(res.body.execution_id);
    expect((await s.db.connectedAccount.findUniqueOrThrow({ where: { id: account.id } })).lastUsedAt).toBeInstanceOf(Date);

    // by connector + identifier, and by identifier alone (its one account of the tool's provider)
    const byLocator = await s.rest("POST", "/api/v1/execute_tool", { tool_name: "mail_draft", connector, identifier, params: { to: "x" } });
    expectResponse(byLocator, "ToolService_ExecuteTool", 200);
    const byIdentifier = await s.rest("POST", "/api/v1/execute_tool", { tool_name: "mail_draft", identifier, params: { to: "y" } });
    expectResponse(byIdentifier, "ToolService_ExecuteTool", 200);
    expect(byIdentifier.body.data.echo).toEqual({ to: "y" });
  });

  it("refuses unknown tools and accounts (404), bad params and inactive accounts (400)", async () => {
    const before = executor.received.length;
    const unknownTool = await s.rest("POST", "/api/v1/execute_tool", { tool_name: "nope", connected_account_id: account.id });
    expect(unknownTool.status).toBe(404);
    expectErrorBody(unknownTool.body, 5, "NOT_FOUND");
    const unknownAccount = await s.rest("POST", "/api/v1/execute_tool", { tool_name: "mail_draft", connected_account_id: "ca_000000000000000001", params: { to: "x" } });
    expect(unknownAccount.status).toBe(404);
    const missingParam = await s.rest("POST", "/api/v1/execute_tool", { tool_name: "mail_draft", connected_account_id: account.id, params: { count: 1 } });
    expect(missingParam.status).toBe(400);
    expectErrorBody(missingParam.body, 3, "INVALID_ARGUMENT");
    expect(missingParam.body.message).toContain("params.to");
    const wrongType = await s.rest("POST", "/api/v1/execute_tool", { tool_name: "mail_draft", connected_account_id: account.id, params: { to: "x", count: "two" } });
    expect(wrongType.status).toBe(400);
    const noTool = await s.rest("POST", "/api/v1/execute_tool", { connected_account_id: account.id });
    expect(noTool.status).toBe(400);

    const pending = await s.rest("POST", "/api/v1/connected_accounts", { connector, identifier: unique("pending"), connected_account: {} });
    const inactive = await s.rest("POST", "/api/v1/execute_tool", { tool_name: "mail_draft", connected_account_id: pending.body.connected_account.id, params: { to: "x" } });
    expect(inactive.status).toBe(400);
    expectErrorBody(inactive.body, 9, "FAILED_PRECONDITION");
    expect(inactive.body.message).toContain("PENDING_AUTH");
    expect(executor.received.length).toBe(before); // none of these reached the executor
  });

  it("reports executor failures as TOOL_ERROR with tool_error_info", async () => {
    for (const name of ["mail_fail", "mail_limited", "mail_badjson", "mail_ping"]) await s.rest("POST", "/api/v1/tools", { provider, definition: { name } });
    const fail = await s.rest("POST", "/api/v1/execute_tool", { tool_name: "mail_fail", connected_account_id: account.id });
    expect(fail.status).toBe(500);
    expectErrorBody(fail.body, 13, "TOOL_ERROR");
    expect(TOOL_ERROR_INFO(fail.body)).toMatchObject({ tool_error_code: "PROVIDER_DOWN", tool_error_message: "the provider is down" });
    expect(TOOL_ERROR_INFO(fail.body).execution_id).toMatch(/^exec_\d{18}$/);
    expect(fail.body).toMatchObject({ code: 13 });
    const limited = await s.rest("POST", "/api/v1/execute_tool", { tool_name: "mail_limited", connected_account_id: account.id });
    expect(limited.status).toBe(429);
    expect(TOOL_ERROR_INFO(limited.body)).toMatchObject({ tool_error_code: "HTTP_429", tool_error_message: "slow down" });
    const badJson = await s.rest("POST", "/api/v1/execute_tool", { tool_name: "mail_badjson", connected_account_id: account.id });
    expect(badJson.status).toBe(500);
    expect(TOOL_ERROR_INFO(badJson.body).tool_error_code).toBe("INVALID_RESPONSE");

    // an executor nobody listens on
    const gone = await toolExecutor();
    await gone.close();
    const deadConnector = unique("dead").replace(/_/g, "-");
    await s.rest("PUT", `/local/v1/connectors/${deadConnector}`, { provider, tool_executor_url: gone.url });
    const dead = await s.rest("POST", "/api/v1/connected_accounts", { connector: deadConnector, identifier, connected_account: { authorization_details: { oauth_token: { access_token: "t" } } } });
    const refused = await s.rest("POST", "/api/v1/execute_tool", { tool_name: "mail_ping", connected_account_id: dead.body.connected_account.id });
    expect(refused.status).toBe(500);
    expect(TOOL_ERROR_INFO(refused.body).tool_error_code).toBe("EXECUTOR_UNREACHABLE");

    // no executor configured: the caller's setup is incomplete, not a tool failure
    const bare = unique("bare").replace(/_/g, "-");
    await s.rest("PUT", `/local/v1/connectors/${bare}`, { provider });
    const acc = await s.rest("POST", "/api/v1/connected_accounts", { connector: bare, identifier, connected_account: { authorization_details: { oauth_token: { access_token: "t" } } } });
    const none = await s.rest("POST", "/api/v1/execute_tool", { tool_name: "mail_ping", connected_account_id: acc.body.connected_account.id });
    expect(none.status).toBe(400);
    expectErrorBody(none.body, 9, "FAILED_PRECONDITION");
    expect(none.body.message).toContain("/local/v1/connectors/");
  });

  it("validates connector settings on the local API", async () => {
    const bad = await s.rest("PUT", `/local/v1/connectors/${connector}`, { tool_executor_url: "not a url" });
    expect(bad.status).toBe(400);
    expectErrorBody(bad.body, 3, "INVALID_ARGUMENT");
    expect((await s.rest("PUT", `/local/v1/connectors/${connector}`, { authorization_type: "MAGIC" })).status).toBe(400);
    expect((await s.rest("GET", "/local/v1/connectors/nobody")).status).toBe(404);
    const got = await s.rest("GET", `/local/v1/connectors/${connector}`);
    expect(got.body.connector.tool_executor_url).toBe(executor.url);
    expect((await s.rest("GET", `/local/v1/connectors/${connector}`, undefined, { token: "" })).status).toBe(401);
  });
});
