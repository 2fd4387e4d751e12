// Connected accounts over REST: create (201, 409 on the same owner + connector + identifier), read with
// credentials by id or locator, partial update with api_config merging, delete, list and search with paging,
// credentials encrypted at rest, events written with each change; every body checked against the OpenAPI schema.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { expectErrorBody, expectResponse } from "../helpers/openapi.js";
import { eventsSince, lastEventId, organization, RFC3339, unique } from "../rbac/fixtures.js";

const CA = "/api/v1/connected_accounts";
const oauth = (access: string, extra: Record<string, unknown> = {}) => ({ oauth_token: { access_token: access, refresh_token: `r-${access}`, scopes: ["read", "write"], domain: "example.com", ...extra } });

describe("Connected accounts over REST", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(async () => { await s?.close(); });

  const create = (body: Record<string, unknown>) => s.rest("POST", CA, { connected_account: {}, ...body });

  it("creates accounts: PENDING_AUTH without credentials, ACTIVE with them, and emits connected_account.created", async () => {
    const since = await lastEventId(s);
    const identifier = unique("bruce");
    const pending = await create({ connector: "canva", identifier });
    expectResponse(pending, "ConnectedAccountService_CreateConnectedAccount", 201);
    const ca = pending.body.connected_account;
    expect(ca.id).toMatch(/^ca_\d{18}$/);
    expect(ca).toMatchObject({ identifier, connector: "canva", provider: "CANVA", status: "PENDING_AUTH", authorization_type: "OAUTH" });
    expect(ca.connection_id).toMatch(/^conn_\d{18}$/);
    expect(ca.updated_at).toMatch(RFC3339);
    expect(ca.authorization_details).toBeUndefined();

    const active = await create({ connector: "canva", identifier: unique("clark"), connected_account: { authorization_details: oauth("tok-1"), api_config: { region: "eu" } } });
    expectResponse(active, "ConnectedAccountService_CreateConnectedAccount", 201);
    expect(active.body.connected_account).toMatchObject({
      status: "ACTIVE", connection_id: ca.connection_id, api_config: { region: "eu" },
      authorization_details: { oauth_token: { access_token: "tok-1", refresh_token: "r-tok-1", scopes: ["read", "write"], domain: "example.com" } },
    });

    const staticAcc = await create({ connector: "acme-api", identifier: unique("diana"), connected_account: { authorization_details: { static_auth: { details: { api_key: "k-123" } } } } });
    expectResponse(staticAcc, "ConnectedAccountService_CreateConnectedAccount", 201);
    expect(staticAcc.body.connected_account).toMatchObject({ provider: "ACME_API", authorization_type: "API_KEY", status: "ACTIVE", authorization_details: { static_auth: { details: { api_key: "k-123" } } } });

    const events = await eventsSince(s, since, ["connected_account.created"]);
    expect(events).toHaveLength(3);
    expect(events[0]).toMatchObject({ type: "connected_account.created", object: "ConnectedAccount", environment_id: s.built.environmentId });
    expect(events[0].data).toEqual({ id: ca.id, identifier, provider: "CANVA", status: "PENDING_AUTH", authorization_type: "OAUTH", connection_id: ca.connection_id });
    expect(JSON.stringify(events)).not.toContain("tok-1");
  });

  it("refuses a second account for the same owner, connector and identifier (409), with or without an owner", async () => {
    const org = await organization(s, "Wayne");
    const identifier = unique("dup");
    expect((await create({ connector: "gmail", identifier })).status).toBe(201);
    const again = await create({ connector: "gmail", identifier, connected_account: { authorization_details: oauth("x") } });
    expect(again.status).toBe(409);
    expectErrorBody(again.body, 6, "ALREADY_EXISTS");
    expect((await create({ connector: "gmail", identifier, organization_id: org })).status).toBe(201);
    const dupOrg = await create({ connector: "gmail", identifier, organization_id: org });
    expect(dupOrg.status).toBe(409);
    expect(await s.db.connectedAccount.count({ where: { identifier } })).toBe(2);
    // other connector, same identifier: fine
    expect((await create({ connector: "slack", identifier })).status).toBe(201);
  });

  it("validates input: connector, identifier, owners", async () => {
    const bad = [
      [{ identifier: "a" }, "connector"],
      [{ connector: "gmail" }, "identifier"],
      [{ connector: "gm/ail", identifier: "a" }, "connector"],
      [{ connector: "gmail", identifier: "a", organization_id: "org_000000000000000001" }, "organization_id"],
    ] as const;
    for (const [body, field] of bad) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expectErrorBody(res.body, 3, "INVALID_ARGUMENT");
      expect(res.body.message).toContain(field);
    }
    expect(await s.db.connectedAccount.count({ where: { identifier: "a" } })).toBe(0);
  });

  it("stores credentials encrypted (AES-256-GCM), never in plain text", async () => {
    const secret = `plaintext-access-token-${unique("s")}`;
    const res = await create({ connector: "github", identifier: unique("enc"), connected_account: { authorization_details: oauth(secret) } });
    expect(res.status).toBe(201);
    const rows = await s.db.$queryRaw<{ credentials: string }[]>`SELECT credentials FROM connected_accounts WHERE id = ${res.body.connected_account.id}`;
    expect(rows[0].credentials).toMatch(/^v1(\.[A-Za-z0-9_-]+){3}$/);
    expect(rows[0].credentials).not.toContain(secret);
    expect(Buffer.from(rows[0].credentials.slice(3), "base64url").toString("latin1")).not.toContain(secret);
    const st = await create({ connector: "github", identifier: unique("enc"), connected_account: { authorization_details: { static_auth: { details: { password: secret } } } } });
    const raw = await s.db.$queryRaw<{ t: string }[]>`SELECT row_to_json(c)::text AS t FROM connected_accounts c WHERE id = ${st.body.connected_account.id}`;
    expect(raw[0].t).not.toContain(secret);
    // the same credentials read back through the API
    const got = await s.rest("GET", `${CA}/auth?id=${st.body.connected_account.id}`);
    expect(got.body.connected_account.authorization_details.static_auth.details.password).toBe(secret);
  });

  it("reads an account with its credentials by id or by locator; 404 and 400 otherwise", async () => {
    const org = await organization(s, "Daily Planet");
    const identifier = unique("lois");
    const c = await create({ connector: "notion", identifier, organization_id: org, connected_account: { authorization_details: oauth("n-1") } });
    const id = c.body.connected_account.id;
    const byId = await s.rest("GET", `${CA}/auth?id=${id}`);
    expectResponse(byId, "ConnectedAccountService_GetConnectedAccountAuth", 200);
    expect(byId.body.connected_account.authorization_details.oauth_token.access_token).toBe("n-1");
    const byLocator = await s.rest("GET", `${CA}/auth?connector=notion&identifier=${identifier}&organization_id=${org}`);
    expectResponse(byLocator, "ConnectedAccountService_GetConnectedAccountAuth", 200);
    expect(byLocator.body.connected_account.id).toBe(id);
    // the only account with that connector + identifier is found without naming its owner
    expect((await s.rest("GET", `${CA}/auth?connector=notion&identifier=${identifier}`)).body.connected_account.id).toBe(id);

    const missing = await s.rest("GET", `${CA}/auth?connector=notion&identifier=nobody`);
    expect(missing.status).toBe(404);
    expectErrorBody(missing.body, 5, "NOT_FOUND");
    expect((await s.rest("GET", `${CA}/auth?id=ca_000000000000000001`)).status).toBe(404);
    const noLocator = await s.rest("GET", `${CA}/auth`);
    expect(noLocator.status).toBe(400);
    expectErrorBody(noLocator.body, 3, "INVALID_ARGUMENT");
    expect((await s.rest("GET", `${CA}/auth?id=xyz_1`)).status).toBe(400);
  });

  it("updates partially: credentials replace, api_config merges; 404 for an unknown account", async () => {
    const identifier = unique("upd");
    const c = await create({ connector: "hubspot", identifier, connected_account: { api_config: { region: "eu", tier: "free" } } });
    expect(c.body.connected_account.status).toBe("PENDING_AUTH");
    const since = await lastEventId(s);
    const up = await s.rest("PUT", CA, { connector: "hubspot", identifier, connected_account: { authorization_details: oauth("h-2"), api_config: { tier: "pro", seats: 3 } } });
    expectResponse(up, "ConnectedAccountService_UpdateConnectedAccount", 200);
    expect(up.body.connected_account).toMatchObject({
      status: "ACTIVE", api_config: { region: "eu", tier: "pro", seats: 3 }, authorization_details: { oauth_token: { access_token: "h-2" } },
    });
    const onlyConfig = await s.rest("PUT", CA, { id: c.body.connected_account.id, connected_account: { api_config: { region: "us" } } });
    expectResponse(onlyConfig, "ConnectedAccountService_UpdateConnectedAccount", 200);
    expect(onlyConfig.body.connected_account.api_config).toEqual({ region: "us", tier: "pro", seats: 3 });
    expect(onlyConfig.body.connected_account.authorization_details.oauth_token.access_token).toBe("h-2");
    const events = await eventsSince(s, since);
    expect(events.map((e) => e.type)).toEqual(["connected_account.updated", "connected_account.updated"]);
    expect(events[0].data).toMatchObject({ id: c.body.connected_account.id, status: "ACTIVE" });

    const unknown = await s.rest("PUT", CA, { connector: "hubspot", identifier: "nobody", connected_account: { api_config: { a: 1 } } });
    expect(unknown.status).toBe(404);
    expectErrorBody(unknown.body, 5, "NOT_FOUND");
    const empty = await s.rest("PUT", CA, { id: c.body.connected_account.id, connected_account: { authorization_details: { oauth_token: {} } } });
    expect(empty.status).toBe(400);
  });

  it("deletes by locator or id ({}), emitting connected_account.deleted; 404 afterwards", async () => {
    const identifier = unique("del");
    const c = await create({ connector: "zoom", identifier, connected_account: { authorization_details: oauth("z") } });
    const since = await lastEventId(s);
    const del = await s.rest("POST", `${CA}:delete`, { connector: "zoom", identifier });
    expectResponse(del, "ConnectedAccountService_DeleteConnectedAccount", 200);
    expect(del.body).toEqual({});
    expect(await s.db.connectedAccount.findUnique({ where: { id: c.body.connected_account.id } })).toBeNull();
    const [e] = await eventsSince(s, since);
    expect(e).toMatchObject({ type: "connected_account.deleted", data: { id: c.body.connected_account.id, identifier, status: "ACTIVE" } });
    const again = await s.rest("POST", `${CA}:delete`, { id: c.body.connected_account.id });
    expect(again.status).toBe(404);
    expectErrorBody(again.body, 5, "NOT_FOUND");
  });

  it("lists with filters and pages, and searches", async () => {
    const org = await organization(s, "Star Labs");
    const stem = unique("barry");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await create({ connector: i % 2 ? "jira" : "confluence", identifier: `${stem}_${i}`, organization_id: org });
      ids.push(r.body.connected_account.id);
    }
    const all = await s.rest("GET", `${CA}?organization_id=${org}&page_size=2`);
    expectResponse(all, "ConnectedAccountService_ListConnectedAccounts", 200);
    expect(all.body.total_size).toBe(5);
    expect(all.body.connected_accounts.map((a: any) => a.id)).toEqual(ids.slice(0, 2));
    expect(all.body.connected_accounts[0].authorization_details).toBeUndefined();
    const p2 = await s.rest("GET", `${CA}?organization_id=${org}&page_size=2&page_token=${all.body.next_page_token}`);
    expect(p2.body.connected_accounts.map((a: any) => a.id)).toEqual(ids.slice(2, 4));
    expect(p2.body.prev_page_token).not.toBe("");
    const jira = await s.rest("GET", `${CA}?organization_id=${org}&connector=jira`);
    expect(jira.body.connected_accounts.map((a: any) => a.id)).toEqual([ids[1], ids[3]]);
    const byProvider = await s.rest("GET", `${CA}?organization_id=${org}&provider=CONFLUENCE&identifier=${stem}_2`);
    expect(byProvider.body.connected_accounts.map((a: any) => a.id)).toEqual([ids[2]]);
    const q = await s.rest("GET", `${CA}?query=${stem}_4`);
    expect(q.body.connected_accounts.map((a: any) => a.id)).toEqual([ids[4]]);
    expect((await s.rest("GET", `${CA}?page_token=garbage!`)).status).toBe(400);

    const search = await s.rest("GET", `${CA}:search?query=${stem}&page_size=3`);
    expectResponse(search, "ConnectedAccountService_SearchConnectedAccounts", 200);
    expect(search.body.total_size).toBe(5);
    expect(search.body.connected_accounts).toHaveLength(3);
    const connectionId = search.body.connected_accounts.find((a: any) => a.connector === "jira").connection_id;
    const byConn = await s.rest("GET", `${CA}:search?query=${stem}&connection_id=${connectionId}`);
    expect(byConn.body.connected_accounts.map((a: any) => a.id)).toEqual([ids[1], ids[3]]);
    const short = await s.rest("GET", `${CA}:search?query=ab`);
    expect(short.status).toBe(400);
    expectErrorBody(short.body, 3, "INVALID_ARGUMENT");
  });
  it("reads without credentials by id or locator, and disconnects (credentials revoked, DISCONNECTED)", async () => {
    const identifier = unique("disc");
    const c = await create({ connector: "dropbox", identifier, connected_account: { authorization_details: oauth("d-1") } });
    const id = c.body.connected_account.id;
    const byId = await s.rest("GET", `${CA}/${id}`);
    expect(byId.status).toBe(200);
    expect(byId.body.connected_account).toMatchObject({ id, identifier, status: "ACTIVE" });
    expect(byId.body.connected_account.authorization_details).toBeUndefined();
    const details = await s.rest("GET", `${CA}/details?connector=dropbox&identifier=${identifier}`);
    expect(details.status).toBe(200);
    expect(details.body.connected_account.id).toBe(id);
    expect(details.body.connected_account.authorization_details).toBeUndefined();

    const since = await lastEventId(s);
    const disc = await s.rest("POST", `${CA}/${id}:disconnect`, {});
    expect(disc.status).toBe(200);
    expect(disc.body.connected_account.status).toBe("DISCONNECTED");
    expect((await s.db.connectedAccount.findUniqueOrThrow({ where: { id } })).credentials).toBeNull();
    expect((await eventsSince(s, since)).map((e) => [e.type, e.data.status])).toEqual([["connected_account.updated", "DISCONNECTED"]]);
    expect((await s.rest("GET", `${CA}/auth?id=${id}`)).body.connected_account.authorization_details).toBeUndefined();
    expect((await s.rest("GET", `${CA}/ca_000000000000000001`)).status).toBe(404);
    expect((await s.rest("POST", `${CA}/ca_000000000000000001:disconnect`, {})).status).toBe(404);
  });
  it("deleting an organization or a user deletes their accounts, each with connected_account.deleted", async () => {
    const org = await organization(s);
    const user = (await s.rest("POST", `/api/v1/organizations/${org}/users`, { email: `${unique("ca")}@example.com` })).body.user.id;
    const other = await organization(s);
    const ofOrg = (await create({ connector: "gmail", identifier: unique("o"), organization_id: org })).body.connected_account;
    const ofUser = (await create({ connector: "gmail", identifier: unique("u"), user_id: user })).body.connected_account;
    const kept = (await create({ connector: "gmail", identifier: unique("k"), organization_id: other })).body.connected_account;
    const since = await lastEventId(s);
    expect((await s.rest("DELETE", `/api/v1/users/${user}`)).status).toBe(200);
    expect((await s.rest("DELETE", `/api/v1/organizations/${org}`)).status).toBe(200);
    expect(await s.db.connectedAccount.findMany({ where: { id: { in: [ofOrg.id, ofUser.id, kept.id] } }, select: { id: true } })).toEqual([{ id: kept.id }]);
    const deleted = await eventsSince(s, since, ["connected_account.deleted"]);
    expect(deleted.map((e) => e.data.id).sort()).toEqual([ofOrg.id, ofUser.id].sort());
  });
});
