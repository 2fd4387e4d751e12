// Expired OAuth tokens are refreshed before use: execute_tool (and the proxy) call the connector's token_url with
// the refresh_token grant, store the new tokens and emit token_refresh_succeeded; a refused refresh marks the
// account EXPIRED, emits token_refresh_failed and refuses the call.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { expectErrorBody, expectResponse } from "../helpers/openapi.js";
import { eventsSince, lastEventId, unique } from "../rbac/fixtures.js";
import { localService, toolExecutor, upstreamApi, type LocalService } from "./local-services.js";

describe("Token refresh before use", () => {
  let s: TestServer;
  let executor: LocalService;
  let upstream: LocalService;
  let tokenEndpoint: LocalService;
  let refuse = false;
  const connector = unique("crm").replace(/_/g, "-");

  beforeAll(async () => {
    s = await startTestServer();
    executor = await toolExecutor();
    upstream = await upstreamApi();
    tokenEndpoint = await localService((r, res) => {
      const form = new URLSearchParams(r.body);
      res.writeHead(refuse ? 400 : 200, { "content-type": "application/json" });
      res.end(JSON.stringify(refuse ? { error: "invalid_grant" } : { access_token: `new-for-${form.get("refresh_token")}`, refresh_token: "rotated", expires_in: 3600, token_type: "Bearer" }));
    });
    const c = await s.rest("PUT", `/local/v1/connectors/${connector}`, {
      provider: "CRMCO", tool_executor_url: executor.url, proxy_base_url: upstream.url, token_url: `${tokenEndpoint.url}/oauth/token`, client_id: "cid", client_secret: "csecret-value",
    });
    expect(c.status).toBe(200);
    expect(c.body.connector).toMatchObject({ token_url: `${tokenEndpoint.url}/oauth/token`, client_id: "cid", client_secret_set: true });
    expect(JSON.stringify(c.body)).not.toContain("csecret-value");
    const raw = await s.db.$queryRaw<{ t: string }[]>`SELECT row_to_json(c)::text AS t FROM account_connectors c WHERE name = ${connector}`;
    expect(raw[0].t).not.toContain("csecret-value");
    expect((await s.rest("POST", "/api/v1/tools", { provider: "CRMCO", definition: { name: "crm_lookup" } })).status).toBe(200);
  });
  afterAll(async () => { await executor?.close(); await upstream?.close(); await tokenEndpoint?.close(); await s?.close(); });

  /** An account whose access token expired a minute ago. */
  async function expiredAccount(refreshToken = "r-1") {
    const res = await s.rest("POST", "/api/v1/connected_accounts", { connector, identifier: unique("u"), connected_account: { authorization_details: { oauth_token: { access_token: "old", refresh_token: refreshToken } } } });
    expect(res.status).toBe(201);
    await s.db.connectedAccount.update({ where: { id: res.body.connected_account.id }, data: { tokenExpiresAt: new Date(Date.now() - 60_000) } });
    return res.body.connected_account;
  }

  it("refreshes an expired token before running the tool", async () => {
    refuse = false;
    const account = await expiredAccount("r-1");
    const since = await lastEventId(s);
    const before = tokenEndpoint.received.length;
    const res = await s.rest("POST", "/api/v1/execute_tool", { tool_name: "crm_lookup", connected_account_id: account.id });
    expectResponse(res, "ToolService_ExecuteTool", 200);
    expect(res.body.data.token).toBe("new-for-r-1");
    expect(tokenEndpoint.received).toHaveLength(before + 1);
    const form = new URLSearchParams(tokenEndpoint.received[before].body);
    expect(Object.fromEntries(form)).toEqual({ grant_type: "refresh_token", refresh_token: "r-1", client_id: "cid", client_secret: "csecret-value" });
    const auth = await s.rest("GET", `/api/v1/connected_accounts/auth?id=${account.id}`);
    expect(auth.body.connected_account.authorization_details.oauth_token).toMatchObject({ access_token: "new-for-r-1", refresh_token: "rotated" });
    expect(Date.parse(auth.body.connected_account.token_expires_at)).toBeGreaterThan(Date.now() + 3000_000);
    const events = await eventsSince(s, since);
    expect(events.map((e) => e.type)).toEqual(["connected_account.token_refresh_succeeded"]);
    expect(events[0].data).toMatchObject({ id: account.id, status: "ACTIVE" });
    expect(events[0].data.token_expires_at).toBe(auth.body.connected_account.token_expires_at);

    // not expired any more: no second refresh
    await s.rest("POST", "/api/v1/execute_tool", { tool_name: "crm_lookup", connected_account_id: account.id });
    expect(tokenEndpoint.received).toHaveLength(before + 1);
  });

  it("refreshes before proxying too", async () => {
    refuse = false;
    const account = await expiredAccount("r-2");
    const res = await s.rest("GET", "/proxy/contacts", undefined, { headers: { connection_name: connector, identifier: account.identifier } });
    expect(res.status).toBe(200);
    expect(res.body.authorization).toBe("Bearer new-for-r-2");
  });

  it("marks the account EXPIRED when the refresh is refused, and refuses the call", async () => {
    refuse = true;
    const account = await expiredAccount("r-3");
    const since = await lastEventId(s);
    const executed = executor.received.length;
    const res = await s.rest("POST", "/api/v1/execute_tool", { tool_name: "crm_lookup", connected_account_id: account.id });
    expect(res.status).toBe(400);
    expectErrorBody(res.body, 9, "FAILED_PRECONDITION");
    expect(res.body.message).toContain("invalid_grant");
    expect(executor.received.length).toBe(executed);
    expect((await s.db.connectedAccount.findUniqueOrThrow({ where: { id: account.id } })).status).toBe("EXPIRED");
    const events = await eventsSince(s, since);
    expect(events.map((e) => e.type)).toEqual(["connected_account.token_refresh_failed"]);
    expect(events[0].data).toMatchObject({ id: account.id, status: "EXPIRED" });
    const again = await s.rest("POST", "/api/v1/execute_tool", { tool_name: "crm_lookup", connected_account_id: account.id });
    expect(again.status).toBe(400);
    expect(again.body.message).toContain("EXPIRED");
    // new credentials bring it back
    const up = await s.rest("PUT", "/api/v1/connected_accounts", { id: account.id, connected_account: { authorization_details: { oauth_token: { access_token: "fresh" } } } });
    expect(up.body.connected_account.status).toBe("ACTIVE");
    expect((await s.rest("POST", "/api/v1/execute_tool", { tool_name: "crm_lookup", connected_account_id: account.id })).body.data.token).toBe("fresh");
  });
});
