// Every connected-account method of the Node SDK (client.connectedAccounts.* and the client.actions.* wrappers)
// against the running server over gRPC: create, get-or-create/upsert, get by locator, update, delete, list,
// magic link and user verification, with the SDK's own exception types on failures.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScalekitBadRequestException, ScalekitConflictException, ScalekitForbiddenException, ScalekitNotFoundException, type ScalekitClient } from "@scalekit-sdk/node";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { sdkClient, sdkRejection } from "../helpers/sdk.js";
import { connectedAccounts as pb } from "../../src/protocol/descriptors.js";
import { organization, unique } from "../rbac/fixtures.js";

const oauth = (accessToken: string) => ({ details: { case: "oauthToken" as const, value: { accessToken, refreshToken: `r-${accessToken}`, scopes: ["a", "b"] } } });

describe("Connected accounts through the Node SDK", () => {
  let s: TestServer;
  let sk: ScalekitClient;
  beforeAll(async () => { s = await startTestServer(); sk = sdkClient(s); });
  afterAll(async () => { await s?.close(); });

  it("connectedAccounts: create, getConnectedAccountByIdentifier, update, list, delete", async () => {
    const org = await organization(s, "SDK Org");
    const identifier = unique("sdk");
    const created = await sk.connectedAccounts.createConnectedAccount({
      connector: "gmail", identifier, organizationId: org,
      connectedAccount: { authorizationDetails: oauth("t1"), apiConfig: { region: "eu" } } as any,
    });
    const ca = created.connectedAccount!;
    expect(ca.id).toMatch(/^ca_\d{18}$/);
    expect(ca.status).toBe(pb.ConnectorStatus.ACTIVE);
    expect(ca.authorizationType).toBe(pb.ConnectorType.OAUTH);
    expect(ca.apiConfig).toEqual({ region: "eu" });
    expect(ca.authorizationDetails?.details).toMatchObject({ case: "oauthToken", value: { accessToken: "t1", refreshToken: "r-t1", scopes: ["a", "b"] } });

    const dup = await sdkRejection(sk.connectedAccounts.createConnectedAccount({ connector: "gmail", identifier, organizationId: org, connectedAccount: {} as any }));
    expect(dup).toBeInstanceOf(ScalekitConflictException);

    const got = await sk.connectedAccounts.getConnectedAccountByIdentifier({ connector: "gmail", identifier, organizationId: org });
    expect(got.connectedAccount?.id).toBe(ca.id);
    expect((await sk.connectedAccounts.getConnectedAccountByIdentifier({ connectedAccountId: ca.id } as any)).connectedAccount?.identifier).toBe(identifier);
    const missing = await sdkRejection(sk.connectedAccounts.getConnectedAccountByIdentifier({ connector: "gmail", identifier: "nobody" }));
    expect(missing).toBeInstanceOf(ScalekitNotFoundException);

    const updated = await sk.connectedAccounts.updateConnectedAccount({
      connectedAccountId: ca.id, connectedAccount: { authorizationDetails: oauth("t2"), apiConfig: { tier: "pro" } } as any,
    });
    expect(updated.connectedAccount?.apiConfig).toEqual({ region: "eu", tier: "pro" });
    expect(updated.connectedAccount?.authorizationDetails?.details.value).toMatchObject({ accessToken: "t2" });

    const list = await sk.connectedAccounts.listConnectedAccounts({ organizationId: org, connector: "gmail", pageSize: 5 });
    expect(list.totalSize).toBe(1);
    expect(list.connectedAccounts.map((a) => a.id)).toEqual([ca.id]);
    const byNames = await sk.connectedAccounts.listConnectedAccounts({ identifier, connectionNames: ["gmail", "slack"] });
    expect(byNames.connectedAccounts.map((a) => a.id)).toEqual([ca.id]);

    await sk.connectedAccounts.deleteConnectedAccount({ connector: "gmail", identifier, organizationId: org });
    expect(await s.db.connectedAccount.findUnique({ where: { id: ca.id } })).toBeNull();
    expect(await sdkRejection(sk.connectedAccounts.deleteConnectedAccount({ connectedAccountId: ca.id }))).toBeInstanceOf(ScalekitNotFoundException);
  });

  it("connectedAccounts.getOrCreateConnectedAccount / upsertConnectedAccount create once, then apply credentials", async () => {
    const identifier = unique("goc");
    const first = await sk.connectedAccounts.getOrCreateConnectedAccount({ connector: "notion", identifier });
    expect(first.connectedAccount?.status).toBe(pb.ConnectorStatus.PENDING_AUTH);
    const again = await sk.connectedAccounts.getOrCreateConnectedAccount({ connector: "notion", identifier });
    expect(again.connectedAccount?.id).toBe(first.connectedAccount?.id);
    const upserted = await sk.connectedAccounts.upsertConnectedAccount({ connector: "notion", identifier, authorizationDetails: oauth("n1") as any });
    expect(upserted.connectedAccount?.id).toBe(first.connectedAccount?.id);
    expect(upserted.connectedAccount?.status).toBe(pb.ConnectorStatus.ACTIVE);
    expect(await s.db.connectedAccount.count({ where: { identifier } })).toBe(1);
  });

  it("connectedAccounts.getMagicLinkForConnectedAccount and verifyConnectedAccountUser", async () => {
    const identifier = unique("ml");
    const link = await sk.connectedAccounts.getMagicLinkForConnectedAccount({ connector: "slack", identifier, state: "st", userVerifyUrl: "https://app.example.com/v" });
    expect(link.link.startsWith(`${s.url}/connect/`)).toBe(true);
    expect(Number(link.expiry!.seconds) * 1000).toBeGreaterThan(Date.now());
    const consent = await fetch(`${link.link}?access_token=sl-1`, { redirect: "manual" });
    expect(consent.status).toBe(302);
    const authRequestId = new URL(consent.headers.get("location")!).searchParams.get("auth_request_id")!;

    const wrong = await sdkRejection(sk.connectedAccounts.verifyConnectedAccountUser({ authRequestId, identifier: "other" }));
    expect(wrong).toBeInstanceOf(ScalekitForbiddenException);
    const ok = await sk.connectedAccounts.verifyConnectedAccountUser({ authRequestId, identifier });
    expect(ok.postUserVerifyRedirectUrl).toContain(`/connect/complete/${authRequestId}`);
    const acc = await sk.connectedAccounts.getConnectedAccountByIdentifier({ connector: "slack", identifier });
    expect(acc.connectedAccount?.status).toBe(pb.ConnectorStatus.ACTIVE);
    expect(acc.connectedAccount?.authorizationDetails?.details.value).toMatchObject({ accessToken: "sl-1" });
    const consumed = await sdkRejection(sk.connectedAccounts.verifyConnectedAccountUser({ authRequestId, identifier }));
    expect(consumed).toBeInstanceOf(ScalekitNotFoundException);
    expect(consumed.message).toBe("[not_found] auth request not found or no longer valid");
  });

  it("actions.*: the same operations under connectionName", async () => {
    const identifier = unique("act");
    const created = await sk.actions.createConnectedAccount({ connectionName: "linear", identifier, authorizationDetails: { details: { case: "staticAuth", value: { details: { api_key: "lin-key" } } } } as any });
    const id = created.connectedAccount!.id;
    expect(created.connectedAccount?.authorizationType).toBe(pb.ConnectorType.API_KEY);
    const got = await sk.actions.getConnectedAccount({ connectionName: "linear", identifier });
    expect(got.connectedAccount?.authorizationDetails?.details).toMatchObject({ case: "staticAuth", value: { details: { api_key: "lin-key" } } });
    const updated = await sk.actions.updateConnectedAccount({ connectedAccountId: id, apiConfig: { workspace: "w1" } });
    expect(updated.connectedAccount?.apiConfig).toEqual({ workspace: "w1" });
    const goc = await sk.actions.getOrCreateConnectedAccount({ connectionName: "linear", identifier });
    expect(goc.connectedAccount?.id).toBe(id);
    const up = await sk.actions.upsertConnectedAccount({ connectionName: "asana", identifier, authorizationDetails: oauth("as-1") as any });
    expect(up.connectedAccount?.status).toBe(pb.ConnectorStatus.ACTIVE);
    const list = await sk.actions.listConnectedAccounts({ identifier });
    expect(list.connectedAccounts.map((a) => a.connector).sort()).toEqual(["asana", "linear"]);
    const q = await sk.actions.listConnectedAccounts({ query: identifier, connectionName: "asana" });
    expect(q.connectedAccounts).toHaveLength(1);

    const link = await sk.actions.getAuthorizationLink({ connectionName: "asana", identifier });
    expect(link.link.startsWith(`${s.url}/connect/`)).toBe(true);
    const linkVerify = await sk.actions.getAuthorizationLink({ connectedAccountId: id, userVerifyUrl: "https://app.example.com/v" } as any);
    const consent = await fetch(`${linkVerify.link}?access_token=lin-oauth`, { redirect: "manual" });
    const authRequestId = new URL(consent.headers.get("location")!).searchParams.get("auth_request_id")!;
    const verified = await sk.actions.verifyConnectedAccountUser({ authRequestId, identifier });
    expect(verified.postUserVerifyRedirectUrl).toMatch(/^http/);

    await sk.actions.deleteConnectedAccount({ connectedAccountId: id });
    await sk.actions.deleteConnectedAccount({ connectionName: "asana", identifier });
    expect(await s.db.connectedAccount.count({ where: { identifier } })).toBe(0);
    const bad = await sdkRejection(sk.actions.getConnectedAccount({ connectedAccountId: "bogus" }));
    expect(bad).toBeInstanceOf(ScalekitBadRequestException);
  });
});
