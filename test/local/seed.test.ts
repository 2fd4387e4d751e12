// SEED_FILE: the example file applied at start with its fixed ids, idempotent on a second application, applied
// again after a reset; a file with an error names the file and the path inside it, and changes nothing.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { applySeedFile, loadSeedFile, SeedFileError } from "../../src/local/seed.js";
import { tableCounts } from "./populate.js";

const EXAMPLE = path.resolve("examples/seed.yaml");
let s: TestServer;

beforeAll(async () => { s = await startTestServer({ env: { SEED_FILE: EXAMPLE } }); });
afterAll(async () => { await s?.close(); });

function tmpFile(name: string, text: string): string {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sk-seed-")), name);
  fs.writeFileSync(f, text);
  return f;
}

async function checkExample() {
  const org = await s.rest("GET", "/api/v1/organizations/org_100000000000000001");
  expect(org.status, JSON.stringify(org.body)).toBe(200);
  expect(org.body.organization).toMatchObject({ display_name: "Acme Corp", external_id: "acme", metadata: { plan: "enterprise" } });
  const doms = await s.rest("GET", "/api/v1/organizations/org_100000000000000001/domains");
  expect(doms.body.domains.map((d: any) => d.domain)).toEqual(["acme.test"]);
  const conn = await s.rest("GET", "/api/v1/organizations/org_100000000000000001/connections/conn_100000000000000001");
  expect(conn.status).toBe(200);
  expect(conn.body.connection).toMatchObject({ provider: "OKTA", type: "OIDC" });
  const dir = await s.rest("GET", "/api/v1/organizations/org_100000000000000001/directories/dir_100000000000000001");
  expect(dir.status).toBe(200);
  const user = await s.rest("GET", "/api/v1/users/usr_100000000000000001");
  expect(user.status).toBe(200);
  expect(user.body.user.email).toBe("ada@acme.test");
  expect(user.body.user.user_profile.given_name).toBe("Ada");
  expect(user.body.user.memberships[0].roles.map((r: any) => r.name)).toEqual(["billing_admin"]);
  const role = await s.rest("GET", "/api/v1/roles/billing_admin");
  expect(role.status).toBe(200);
  expect(role.body.role.extends).toBe("billing_viewer");
  // the M2M client logs in with the file's fixed secret
  const tok = await fetch(`${s.url}/oauth/token`, {
    method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", client_id: "m2morg_100000000000000001", client_secret: "acme_backend_fixed_secret_0123456789abcdef" }),
  });
  expect(tok.status).toBe(200);
  const hooks = await s.rest("GET", "/local/v1/webhooks/endpoints");
  expect(hooks.body.endpoints.map((e: any) => e.url)).toContain("http://127.0.0.1:9999/webhooks");
}

describe("seed file", () => {
  it("applies the example at start with its fixed ids", async () => {
    await checkExample();
  });

  it("changes nothing when applied a second time", async () => {
    const before = await tableCounts(s);
    await applySeedFile(s.built.deps, EXAMPLE);
    expect(await tableCounts(s)).toEqual(before);
  });

  it("is applied again after a reset", async () => {
    const before = await tableCounts(s);
    await s.rest("POST", "/api/v1/organizations", { display_name: "Not in the file" });
    const r = await s.rest("POST", "/local/v1/reset");
    expect(r.status).toBe(200);
    expect(r.body.seed_file).toBe(EXAMPLE);
    await checkExample();
    const after = await tableCounts(s);
    expect(after.organizations).toBe(before.organizations);
  });

  it("names the file, the path and the problem, and applies nothing of a bad file", async () => {
    const bad = tmpFile("bad.yaml", "organizations:\n  - display_name: Ok\n    domains:\n      - domain: 42\n  - id: org_abc\n    display_name: X\nusers:\n  - email: a@b.test\n    memberships: []\n    colour: red\n");
    expect(() => loadSeedFile(bad)).toThrow(SeedFileError);
    try { loadSeedFile(bad); } catch (e) {
      const m = (e as Error).message;
      expect(m).toContain("bad.yaml");
      expect(m).toContain("organizations[0].domains[0].domain: must be a non-empty string");
      expect(m).toContain("organizations[1].id: must be \"org_\" followed by digits");
      expect(m).toContain("users[0].colour: is not a known field");
    }
    // a problem only a service can see (a role that does not exist) rolls back what came before it
    const before = await tableCounts(s);
    const late = tmpFile("late.json", JSON.stringify({
      permissions: [{ name: "late:read" }],
      organizations: [{ display_name: "Late Org" }],
      users: [{ email: "late@late.test", memberships: [{ organization_id: "org_100000000000000001", roles: ["no_such_role"] }] }],
    }));
    await expect(applySeedFile(s.built.deps, late)).rejects.toThrow(/late\.json: users\[0\]\.memberships\[0\]: .*no_such_role/);
    expect(await tableCounts(s)).toEqual(before);
    const broken = tmpFile("broken.yaml", "roles: [\n");
    expect(() => loadSeedFile(broken)).toThrow(/broken\.yaml: not valid YAML/);
  });

  it("stops start-up on a bad file", async () => {
    const bad = tmpFile("start.yaml", "roles:\n  - display_name: nameless\n");
    await expect(startTestServer({ env: { SEED_FILE: bad } })).rejects.toThrow(/start\.yaml: roles\[0\]\.name: is required/);
  });
});
