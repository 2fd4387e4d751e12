// Every domain method of the real @scalekit-sdk/node client against the server (gRPC over HTTP/2), plus the
// DomainService RPCs the SDK does not wrap (UpdateDomain, VerifyDomain, the external-id and connection scopes).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScalekitClient } from "@scalekit-sdk/node";
import { domains } from "../../src/protocol/descriptors.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { sdk, sdkClient, sdkRejection } from "../helpers/sdk.js";
import { rpcClient } from "../helpers/grpc.js";
import { organization, unique } from "../rbac/fixtures.js";

const name = (stem: string) => `${unique(stem).replace(/_/g, "-").toLowerCase()}.example.org`;

describe("Domains through the Node SDK", () => {
  let s: TestServer;
  let client: ScalekitClient;
  beforeAll(async () => { s = await startTestServer(); client = sdkClient(s); });
  afterAll(async () => { await s?.close(); });

  it("createDomain, getDomain, listDomains, deleteDomain", async () => {
    const org = await organization(s);
    const a = name("a");
    const created = await client.domain.createDomain(org, a.toUpperCase(), { domainType: "ALLOWED_EMAIL_DOMAIN" });
    expect(created.domain).toMatchObject({
      domain: a, organizationId: org, environmentId: s.built.environmentId, domainType: domains.DomainType.ALLOWED_EMAIL_DOMAIN,
      verificationStatus: domains.VerificationStatus.VERIFIED,
    });
    expect(created.domain!.id).toMatch(/^dom_\d{18}$/);
    // no type: the SDK omits the field, the server picks ORGANIZATION_DOMAIN
    const b = await client.domain.createDomain(org, name("b"));
    expect(b.domain!.domainType).toBe(domains.DomainType.ORGANIZATION_DOMAIN);
    const c = await client.domain.createDomain(org, name("c"), { domainType: domains.DomainType.ORGANIZATION_DOMAIN });

    expect((await client.domain.getDomain(org, created.domain!.id)).domain).toEqual(created.domain);
    const all = await client.domain.listDomains(org);
    expect(all.domains.map((d) => d.id)).toEqual([created.domain!.id, b.domain!.id, c.domain!.id]);
    expect(all.pageNumber).toBe(0);
    const sso = await client.domain.listDomains(org, { domainType: "ORGANIZATION_DOMAIN" });
    expect(sso.domains.map((d) => d.id)).toEqual([b.domain!.id, c.domain!.id]);

    await client.domain.deleteDomain(org, b.domain!.id);
    expect(await sdkRejection(client.domain.getDomain(org, b.domain!.id))).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect(await s.db.domain.findUnique({ where: { id: b.domain!.id } })).toBeNull();
  });

  it("errors: public domain (400), invalid domain (400), duplicate (409), unknown organization or domain (404)", async () => {
    const org = await organization(s);
    const pub = await sdkRejection(client.domain.createDomain(org, "gmail.com"));
    expect(pub).toBeInstanceOf(sdk.ScalekitBadRequestException);
    expect(pub.message).toMatch(/public or disposable/);
    expect(await sdkRejection(client.domain.createDomain(org, "not a domain"))).toBeInstanceOf(sdk.ScalekitBadRequestException);
    const d = name("dup");
    await client.domain.createDomain(org, d);
    expect(await sdkRejection(client.domain.createDomain(await organization(s), d))).toBeInstanceOf(sdk.ScalekitConflictException);
    expect(await sdkRejection(client.domain.createDomain("org_999999999999999999", name("x")))).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect(await sdkRejection(client.domain.deleteDomain(org, "dom_999999999999999999"))).toBeInstanceOf(sdk.ScalekitNotFoundException);
  });

  it("UpdateDomain, VerifyDomain and organizations named by external id (gRPC)", async () => {
    const ext = unique("domext");
    const orgRes = await s.rest("POST", "/api/v1/organizations", { display_name: "Ext", external_id: ext });
    const org = orgRes.body.organization.id;
    const rpc = rpcClient(s.url, domains.DomainService, "grpc", await s.token());
    const created = await rpc.createDomain({ identities: { case: "externalId", value: ext }, domain: { domain: name("ext") } });
    expect(created.domain!.organizationId).toBe(org);
    expect((await rpc.listDomains({ identities: { case: "externalId", value: ext } })).domains).toHaveLength(1);
    const verified = await rpc.verifyDomain({ identities: { case: "organizationId", value: org }, id: created.domain!.id });
    expect(verified.verified).toBe(true);
    const updated = await rpc.updateDomain({ identities: { case: "organizationId", value: org }, id: created.domain!.id, domain: {} });
    expect(updated.domain!.id).toBe(created.domain!.id);
    // a domain created for a connection is assigned to it, and the list can be narrowed to that connection
    const conn = (await s.rest("POST", `/api/v1/organizations/${org}/connections`, { provider: "OKTA", type: "SAML" })).body.connection;
    const forConn = await rpc.createDomain({ identities: { case: "organizationId", value: org }, connectionId: conn.id, domain: { domain: name("conn") } });
    expect((await rpc.listDomains({ identities: { case: "organizationId", value: org }, connectionId: conn.id })).domains.map((d) => d.id)).toEqual([forConn.domain!.id]);
    expect(await s.db.connectionDomain.count({ where: { connectionId: conn.id, domainId: forConn.domain!.id } })).toBe(1);
    await expect(rpc.createDomain({ identities: { case: "organizationId", value: org }, connectionId: "conn_999999999999999999", domain: { domain: name("nc") } })).rejects.toMatchObject({ code: 5 });
    await expect(rpc.getDomain({ identities: { case: "externalId", value: "nobody" }, id: created.domain!.id })).rejects.toMatchObject({ code: 5 });
    await expect(rpc.getDomain({ identities: { case: undefined }, id: created.domain!.id })).rejects.toMatchObject({ code: 3 });
  });
});
