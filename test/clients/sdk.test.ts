// Every method of the SDK's m2m client (ClientService organization-client RPCs over gRPC) against the server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScalekitClient } from "@scalekit-sdk/node";
import { clients } from "../../src/protocol/descriptors.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { sdk, sdkClient, sdkRejection } from "../helpers/sdk.js";
import { organization } from "../rbac/fixtures.js";

let s: TestServer;
let client: ScalekitClient;
beforeAll(async () => { s = await startTestServer(); client = sdkClient(s); });
afterAll(async () => { await s?.close(); });

describe("organization clients through the Node SDK", () => {
  it("creates, gets, updates, lists and deletes clients and their secrets", async () => {
    const org = await organization(s);
    const created = await client.m2m.createOrganizationClient(org, {
      name: "billing-sync", description: "nightly sync", scopes: ["billing:read"], audience: ["https://billing.example.com"],
      customClaims: { region: "eu" },
    });
    const c = created.client!;
    expect(c.clientId).toMatch(/^m2morg_\d{18}$/);
    expect(c).toMatchObject({
      organizationId: org, name: "billing-sync", description: "nightly sync", scopes: ["billing:read"],
      audience: ["https://billing.example.com"], expiry: 3600n,
    });
    expect(c.customClaims.map((x) => [x.key, x.value])).toEqual([["region", "eu"]]);
    expect(created.plainSecret).toMatch(/^test_/);
    expect(c.secrets).toHaveLength(1);
    expect(c.secrets[0].status).toBe(clients.ClientSecretStatus.ACTIVE);
    expect(c.secrets[0].plainSecret).toBeUndefined();

    const got = await client.m2m.getOrganizationClient(org, c.clientId);
    expect(got.client).toEqual(c);

    const updated = await client.m2m.updateOrganizationClient(org, c.clientId, { name: "billing-sync-2", scopes: ["billing:read", "billing:write"] });
    expect(updated.client).toMatchObject({ name: "billing-sync-2", description: "nightly sync", scopes: ["billing:read", "billing:write"] });

    const added = await client.m2m.addOrganizationClientSecret(org, c.clientId);
    expect(added.plainSecret).toMatch(/^test_/);
    expect(added.secret!.id).toMatch(/^sec_/);
    expect(added.secret!.secretSuffix).toBe(added.plainSecret.slice(-4));
    // the new secret works at the token endpoint, through the SDK's own client-credentials call
    const token = await client.generateClientToken(c.clientId, added.plainSecret);
    expect(await client.validateAccessToken(token, { audience: ["https://billing.example.com"], requiredScopes: ["billing:write"] })).toBe(true);

    await client.m2m.removeOrganizationClientSecret(org, c.clientId, c.secrets[0].id);
    expect((await client.m2m.getOrganizationClient(org, c.clientId)).client!.secrets.map((x) => x.id)).toEqual([added.secret!.id]);
    const noSecret = await sdkRejection(client.generateClientToken(c.clientId, created.plainSecret));
    expect(noSecret.httpStatus).toBe(401);

    const second = await client.m2m.createOrganizationClient(org, { name: "second" });
    const page1 = await client.m2m.listOrganizationClients(org, { pageSize: 1 });
    expect(page1.totalSize).toBe(2);
    expect(page1.clients.map((x) => x.clientId)).toEqual([c.clientId]);
    const page2 = await client.m2m.listOrganizationClients(org, { pageSize: 1, pageToken: page1.nextPageToken });
    expect(page2.clients.map((x) => x.clientId)).toEqual([second.client!.clientId]);
    expect(page2.nextPageToken).toBe("");

    await client.m2m.deleteOrganizationClient(org, c.clientId);
    expect(await sdkRejection(client.m2m.getOrganizationClient(org, c.clientId))).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect(await sdkRejection(client.generateClientToken(c.clientId, added.plainSecret))).toBeInstanceOf(sdk.ScalekitServerException);
  });

  it("maps errors to the SDK's exceptions", async () => {
    const org = await organization(s);
    expect(await sdkRejection(client.m2m.createOrganizationClient(org, {}))).toBeInstanceOf(sdk.ScalekitBadRequestException);
    expect(await sdkRejection(client.m2m.createOrganizationClient("org_000000000000000001", { name: "x" }))).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect(await sdkRejection(client.m2m.getOrganizationClient(org, "m2morg_000000000000000001"))).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect(await sdkRejection(client.m2m.removeOrganizationClientSecret(org, "m2morg_000000000000000001", "sec_1"))).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect(await sdkRejection(client.m2m.listOrganizationClients("bad"))).toBeInstanceOf(sdk.ScalekitBadRequestException);
  });
});
