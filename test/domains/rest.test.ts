// REST conformance of the Domains tag: bodies checked against the OpenAPI schema of each operation, errors against
// the error envelope, and the database state behind each answer (uniqueness by index, cascade on organization delete).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { expectErrorBody, expectResponse, operationsOfTag, validatedOperations } from "../helpers/openapi.js";
import { organization, RFC3339, unique } from "../rbac/fixtures.js";

const domainsOf = (org: string) => `/api/v1/organizations/${org}/domains`;
const name = (stem: string) => `${unique(stem).replace(/_/g, "-").toLowerCase()}.example.com`;

describe("Domains REST", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(async () => { await s?.close(); });

  it("creates a domain: 200 (as the spec says), normalised, typed, verified by the admin", async () => {
    const org = await organization(s);
    const raw = name("Create").toUpperCase();
    const res = await s.rest("POST", domainsOf(org), { domain: `  ${raw}.  `, domain_type: "ALLOWED_EMAIL_DOMAIN" });
    expectResponse(res, "DomainService_CreateDomain", 200);
    const d = res.body.domain;
    expect(d).toMatchObject({
      domain: raw.toLowerCase(), domain_type: "ALLOWED_EMAIL_DOMAIN", organization_id: org, environment_id: s.built.environmentId,
      verification_status: "VERIFIED", verification_method: "ADMIN",
    });
    expect(d.id).toMatch(/^dom_\d{18}$/);
    expect(d.create_time).toMatch(RFC3339);
    expect(await s.db.domain.findUnique({ where: { id: d.id } })).toMatchObject({ domain: raw.toLowerCase(), organizationId: org });

    // the type defaults to ORGANIZATION_DOMAIN (SSO discovery)
    const plain = await s.rest("POST", domainsOf(org), { domain: name("plain") });
    expectResponse(plain, "DomainService_CreateDomain", 200);
    expect(plain.body.domain.domain_type).toBe("ORGANIZATION_DOMAIN");

    // internationalised names are stored as punycode
    const idn = await s.rest("POST", domainsOf(org), { domain: `Bücher${process.pid}.example` });
    expectResponse(idn, "DomainService_CreateDomain", 200);
    expect(idn.body.domain.domain).toBe(new URL(`http://bücher${process.pid}.example`).hostname);
    expect(idn.body.domain.domain).toMatch(/^xn--/);
  });

  it("refuses invalid, public and disposable domains with 400 naming the field, and changes nothing", async () => {
    const org = await organization(s);
    const before = await s.db.domain.count();
    for (const bad of ["", "localhost", "https://acme.com", "user@acme.com", "acme..com", "-acme.com", "acme.c", "*.acme.com", "acme .com", "a".repeat(64) + ".com"]) {
      const res = await s.rest("POST", domainsOf(org), { domain: bad });
      expect(res.status, bad).toBe(400);
      expectErrorBody(res.body, 3, "INVALID_ARGUMENT");
      expect(res.body.message, bad).toMatch(/^domain(\.domain)?:/);
    }
    for (const pub of ["gmail.com", "GoogleMail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com", "icloud.com", "aol.com",
      "proton.me", "protonmail.com", "mail.com", "gmx.com", "yandex.com", "zoho.com", "mailinator.com", "guerrillamail.com",
      "10minutemail.com", "tempmail.com", "eu.mailinator.com"]) {
      const res = await s.rest("POST", domainsOf(org), { domain: pub });
      expect(res.status, pub).toBe(400);
      expectErrorBody(res.body, 3, "INVALID_ARGUMENT");
      expect(res.body.message).toMatch(/^domain\.domain: .*public or disposable/);
      expect(res.body.details[0].validation_error_info.field_violations[0].field).toBe("domain.domain");
    }
    const badType = await s.rest("POST", domainsOf(org), { domain: name("type"), domain_type: "PERSONAL" });
    expect(badType.status).toBe(400);
    expect(badType.body.message).toMatch(/domain_type/);
    expect(await s.db.domain.count()).toBe(before);
  });

  it("a domain belongs to one organization per environment: 409 from the unique index, case-insensitively", async () => {
    const a = await organization(s);
    const b = await organization(s);
    const d = name("dup");
    expectResponse(await s.rest("POST", domainsOf(a), { domain: d }), "DomainService_CreateDomain", 200);
    for (const [org, value] of [[a, d], [b, d.toUpperCase()]]) {
      const res = await s.rest("POST", domainsOf(org), { domain: value });
      expect(res.status).toBe(409);
      expectErrorBody(res.body, 6, "ALREADY_EXISTS");
      expect(res.body.message).toContain(d);
    }
    expect(await s.db.domain.count({ where: { domain: d } })).toBe(1);
  });

  it("concurrent creations of one domain: exactly one wins, the others get 409", async () => {
    const orgs = await Promise.all([0, 1, 2, 3].map(() => organization(s)));
    const d = name("race");
    const results = await Promise.all(orgs.map((o) => s.rest("POST", domainsOf(o), { domain: d })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    expect(await s.db.domain.count({ where: { domain: d } })).toBe(1);
  });

  it("404 for an unknown organization or domain", async () => {
    const org = await organization(s);
    const unknownOrg = await s.rest("POST", domainsOf("org_999999999999999999"), { domain: name("x") });
    expect(unknownOrg.status).toBe(404);
    expectErrorBody(unknownOrg.body, 5, "NOT_FOUND");
    const get = await s.rest("GET", `${domainsOf(org)}/dom_999999999999999999`);
    expect(get.status).toBe(404);
    expectErrorBody(get.body, 5, "NOT_FOUND");
    const del = await s.rest("DELETE", `${domainsOf(org)}/dom_999999999999999999`);
    expect(del.status).toBe(404);
    // a domain is only reachable through its own organization
    const other = await organization(s);
    const created = (await s.rest("POST", domainsOf(org), { domain: name("mine") })).body.domain;
    expect((await s.rest("GET", `${domainsOf(other)}/${created.id}`)).status).toBe(404);
    expect((await s.rest("DELETE", `${domainsOf(other)}/${created.id}`)).status).toBe(404);
    expect(await s.db.domain.findUnique({ where: { id: created.id } })).not.toBeNull();
  });

  it("gets, lists with page_number/page_size/domain_type, and deletes ({})", async () => {
    const org = await organization(s);
    const created: any[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await s.rest("POST", domainsOf(org), { domain: name(`list${i}`), domain_type: i % 2 ? "ALLOWED_EMAIL_DOMAIN" : "ORGANIZATION_DOMAIN" });
      created.push(res.body.domain);
    }
    const get = await s.rest("GET", `${domainsOf(org)}/${created[1].id}`);
    expectResponse(get, "DomainService_GetDomain", 200);
    expect(get.body.domain).toEqual(created[1]);

    const all = await s.rest("GET", domainsOf(org));
    expectResponse(all, "DomainService_ListDomains", 200);
    expect(all.body).toMatchObject({ page_number: 0, page_size: 30 });
    expect(all.body.domains.map((d: any) => d.id)).toEqual(created.map((d) => d.id));

    const p0 = await s.rest("GET", `${domainsOf(org)}?page_size=2&page_number=0`);
    const p2 = await s.rest("GET", `${domainsOf(org)}?page_size=2&page_number=2`);
    expectResponse(p2, "DomainService_ListDomains", 200);
    expect(p0.body.domains.map((d: any) => d.id)).toEqual(created.slice(0, 2).map((d) => d.id));
    expect(p2.body).toMatchObject({ page_number: 2, page_size: 2 });
    expect(p2.body.domains.map((d: any) => d.id)).toEqual([created[4].id]);
    expect((await s.rest("GET", `${domainsOf(org)}?page_size=500`)).body.page_size).toBe(100);
    const negative = await s.rest("GET", `${domainsOf(org)}?page_number=-1`);
    expect(negative.status).toBe(400);
    expect(negative.body.message).toMatch(/^page_number/);

    const allowed = await s.rest("GET", `${domainsOf(org)}?domain_type=ALLOWED_EMAIL_DOMAIN`);
    expectResponse(allowed, "DomainService_ListDomains", 200);
    expect(allowed.body.domains.map((d: any) => d.id)).toEqual([created[1].id, created[3].id]);
    const bad = await s.rest("GET", `${domainsOf(org)}?domain_type=NOPE`);
    expect(bad.status).toBe(400);
    expectErrorBody(bad.body, 3, "INVALID_ARGUMENT");

    const del = await s.rest("DELETE", `${domainsOf(org)}/${created[0].id}`);
    expectResponse(del, "DomainService_DeleteDomain", 200);
    expect(del.body).toEqual({});
    expect(await s.db.domain.findUnique({ where: { id: created[0].id } })).toBeNull();
    expect((await s.rest("GET", `${domainsOf(org)}/${created[0].id}`)).status).toBe(404);
    // the name is free again
    expectResponse(await s.rest("POST", domainsOf(org), { domain: created[0].domain }), "DomainService_CreateDomain", 200);
  });

  it("deleting an organization deletes its domains (no orphans)", async () => {
    const org = await organization(s);
    const d = (await s.rest("POST", domainsOf(org), { domain: name("orphan") })).body.domain;
    expect((await s.rest("DELETE", `/api/v1/organizations/${org}`)).status).toBe(200);
    expect(await s.db.domain.findUnique({ where: { id: d.id } })).toBeNull();
    expectResponse(await s.rest("POST", domainsOf(await organization(s)), { domain: d.domain }), "DomainService_CreateDomain", 200);
  });

  it("covers every operation of the Domains tag", () => {
    const covered = validatedOperations();
    for (const op of operationsOfTag("Domains")) expect([...covered].some((c) => c.startsWith(`${op.operationId} `)), op.operationId).toBe(true);
  });
});
