// Tools and actions through the Node SDK: listTools / listScopedTools / listAvailableTools / executeTool,
// actions.executeTool against a loopback executor (the SDK raises its Tool exceptions on executor failures, without
// retrying), and actions.request through /proxy to a loopback provider API with the account's credentials injected.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ScalekitBadRequestException, ScalekitNotFoundException, ScalekitToolException, ScalekitToolRateLimitException, isToolException, type ScalekitClient,
} from "@scalekit-sdk/node";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { sdkClient, sdkRejection } from "../helpers/sdk.js";
import { unique } from "../rbac/fixtures.js";
import { toolExecutor, upstreamApi, type LocalService } from "./local-services.js";

describe("Tools and actions through the Node SDK", () => {
  let s: TestServer;
  let sk: ScalekitClient;
  let executor: LocalService;
  let upstream: LocalService;
  const provider = "DOCSCO";
  const connector = unique("docs").replace(/_/g, "-");
  const keyConnector = unique("keyed").replace(/_/g, "-");
  const identifier = unique("ident");
  let accountId = "";

  beforeAll(async () => {
    s = await startTestServer();
    sk = sdkClient(s);
    executor = await toolExecutor();
    upstream = await upstreamApi();
    expect((await s.rest("PUT", `/local/v1/connectors/${connector}`, { provider, tool_executor_url: executor.url, proxy_base_url: `${upstream.url}/v2` })).status).toBe(200);
    expect((await s.rest("PUT", `/local/v1/connectors/${keyConnector}`, { provider: "KEYCO", authorization_type: "API_KEY", proxy_base_url: upstream.url, proxy_headers: { "X-Api-Key": "{{api_key}}" } })).status).toBe(200);
    for (const name of ["docs_search", "docs_fail", "docs_limited"]) {
      const r = await s.rest("POST", "/api/v1/tools", { provider, definition: { name, description: name, input_schema: { type: "object", properties: { q: { type: "string" } } } } });
      expect(r.status).toBe(200);
    }
    const acc = await sk.actions.createConnectedAccount({ connectionName: connector, identifier, authorizationDetails: { details: { case: "oauthToken", value: { accessToken: "docs-token", scopes: [] } } } as any });
    accountId = acc.connectedAccount!.id;
    await sk.actions.createConnectedAccount({ connectionName: keyConnector, identifier, authorizationDetails: { details: { case: "staticAuth", value: { details: { api_key: "k-999" } } } } as any });
  });
  afterAll(async () => { await executor?.close(); await upstream?.close(); await s?.close(); });

  it("tools.listTools, listScopedTools, listAvailableTools", async () => {
    const all = await sk.tools.listTools({ filter: { provider } as any, pageSize: 2 });
    expect(all.totalSize).toBe(3);
    expect(all.tools).toHaveLength(2);
    expect(all.toolNames).toEqual(["docs_search", "docs_fail"]);
    const next = await sk.tools.listTools({ filter: { provider } as any, pageToken: all.nextPageToken });
    expect(next.toolNames).toEqual(["docs_limited"]);
    const named = await sk.tools.listTools({ filter: { toolName: ["docs_search"], summary: true } as any });
    expect(named.tools[0].definition).toEqual({ name: "docs_search", description: "docs_search" });

    const scoped = await sk.tools.listScopedTools(identifier, { filter: { connectionNames: [connector], toolNames: ["docs_search"] } as any });
    expect(scoped.tools).toHaveLength(1);
    expect(scoped.tools[0]).toMatchObject({ identifier, connectedAccountId: accountId });
    expect(scoped.tools[0].tool?.definition?.name).toBe("docs_search");
    const available = await sk.tools.listAvailableTools(identifier);
    expect(available.tools.map((t) => t.definition?.name).sort()).toEqual(["docs_fail", "docs_limited", "docs_search"]);
    expect((await sk.tools.listAvailableTools(unique("nobody"))).tools).toEqual([]);
  });

  it("tools.executeTool and actions.executeTool run the tool on the executor", async () => {
    const viaTools = await sk.tools.executeTool({ toolName: "docs_search", connectedAccountId: accountId, params: { q: "hello" } });
    expect(viaTools.executionId).toMatch(/^exec_\d{18}$/);
    expect(viaTools.data).toEqual({ ok: true, tool: "docs_search", echo: { q: "hello" }, token: "docs-token" });
    const viaActions = await sk.actions.executeTool({ toolName: "docs_search", identifier, connector, toolInput: { q: "again" } });
    expect(viaActions.data).toMatchObject({ echo: { q: "again" } });
    const byIdentifier = await sk.actions.executeTool({ toolName: "docs_search", identifier, toolInput: { q: "x" } });
    expect(byIdentifier.data).toMatchObject({ tool: "docs_search" });

    expect(await sdkRejection(sk.actions.executeTool({ toolName: "nope", connectedAccountId: accountId, toolInput: {} }))).toBeInstanceOf(ScalekitNotFoundException);
    expect(await sdkRejection(sk.actions.executeTool({ toolName: "docs_search", connectedAccountId: accountId, toolInput: { q: 5 } }))).toBeInstanceOf(ScalekitBadRequestException);
  });

  it("executor failures surface as the SDK's Tool exceptions, sent once (no retry)", async () => {
    const before = executor.received.length;
    const fail = await sdkRejection(sk.actions.executeTool({ toolName: "docs_fail", connectedAccountId: accountId, toolInput: {} }));
    expect(fail).toBeInstanceOf(ScalekitToolException);
    expect(isToolException(fail)).toBe(true);
    expect(fail).toMatchObject({ toolErrorCode: "PROVIDER_DOWN", toolErrorMessage: "the provider is down" });
    expect((fail as ScalekitToolException).executionId).toMatch(/^exec_\d{18}$/);
    const limited = await sdkRejection(sk.tools.executeTool({ toolName: "docs_limited", connectedAccountId: accountId }));
    expect(limited).toBeInstanceOf(ScalekitToolRateLimitException);
    expect(executor.received.length).toBe(before + 2);
  });

  it("actions.request goes through /proxy to the connector's upstream with the credentials injected", async () => {
    await sk.connectedAccounts.listConnectedAccounts({ identifier }); // the SDK sends its token on /proxy only once it has one
    const before = upstream.received.length;
    const get = await sk.actions.request({ connectionName: connector, identifier, path: "/files", queryParams: { q: "report", n: 2 } });
    expect(get.status).toBe(200);
    expect(get.headers["x-upstream"]).toBe("yes");
    expect(get.data).toEqual({ method: "GET", url: "/v2/files?q=report&n=2", authorization: "Bearer docs-token", api_key: null, body: "" });
    const seen = upstream.received[before];
    expect(seen.headers.connection_name).toBeUndefined();
    expect(seen.headers.identifier).toBeUndefined();

    const post = await sk.actions.request({ connectionName: connector, identifier, path: "files", method: "POST", body: { name: "a.txt" } });
    expect(post.data).toMatchObject({ method: "POST", url: "/v2/files", authorization: "Bearer docs-token" });
    expect(JSON.parse(post.data.body)).toEqual({ name: "a.txt" });

    const keyed = await sk.actions.request({ connectionName: keyConnector, identifier, path: "/me" });
    expect(keyed.data).toMatchObject({ url: "/me", api_key: "k-999", authorization: null });

    // the upstream's own status comes back as the SDK's exception for it
    const missing = await sdkRejection(sk.actions.request({ connectionName: connector, identifier, path: "/missing" }));
    expect(missing).toBeInstanceOf(ScalekitNotFoundException);
    const unknown = await sdkRejection(sk.actions.request({ connectionName: connector, identifier: "nobody", path: "/x" }));
    expect(unknown).toBeInstanceOf(ScalekitNotFoundException);
    expect(upstream.received.length).toBe(before + 4);
  });

  it("/proxy refuses callers without a token, missing headers, and inactive accounts", async () => {
    const noToken = await fetch(`${s.url}/proxy/x`, { headers: { connection_name: connector, identifier } });
    expect(noToken.status).toBe(401);
    const noHeaders = await s.rest("GET", "/proxy/x");
    expect(noHeaders.status).toBe(400);
    expect(noHeaders.body.message).toContain("connection_name");
    const pending = unique("pend");
    await s.rest("POST", "/api/v1/connected_accounts", { connector, identifier: pending, connected_account: {} });
    const inactive = await s.rest("GET", "/proxy/x", undefined, { headers: { connection_name: connector, identifier: pending } });
    expect(inactive.status).toBe(400);
    expect(inactive.body.message).toContain("PENDING_AUTH");

    // a path that climbs out of the connector's base path (sent raw: fetch would resolve it first)
    const token = await s.token();
    const escaped = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const r = http.request({ host: "127.0.0.1", port: new URL(s.url).port, path: "/proxy/%2e%2e/secret", headers: { authorization: `Bearer ${token}`, connection_name: connector, identifier } }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode!, body }));
      });
      r.on("error", reject);
      r.end();
    });
    expect(escaped.status).toBe(400);
    expect(escaped.body).toContain("proxy_base_url");
  });
});
