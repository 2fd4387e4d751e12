// Fills an environment with a bit of everything through the real API (reset and snapshot tests start from it),
// and reads every table's row count from the catalog, so the tests cover tables added after they were written.
import { expect } from "vitest";
import type { TestServer } from "../helpers/server.js";

export async function ok(s: TestServer, method: string, path: string, body?: unknown): Promise<any> {
  const r = await s.rest(method, path, body);
  expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
  return r.body;
}

export interface Populated { orgId: string; userId: string; endpointId: string }

export async function populate(s: TestServer, receiverUrl = "http://127.0.0.1:9/hook"): Promise<Populated> {
  const endpoint = await ok(s, "POST", "/local/v1/webhooks/endpoints", { url: receiverUrl });
  const org = (await ok(s, "POST", "/api/v1/organizations", { display_name: "Acme", external_id: "acme-ext" })).organization;
  await ok(s, "POST", `/api/v1/organizations/${org.id}/domains`, { domain: "acme-reset.com", domain_type: "ORGANIZATION_DOMAIN" });
  await ok(s, "POST", "/api/v1/permissions", { name: "reset:read", description: "read" });
  await ok(s, "POST", "/api/v1/roles", { name: "reset_viewer", display_name: "Viewer", permissions: ["reset:read"] });
  const user = (await ok(s, "POST", `/api/v1/organizations/${org.id}/users`, { email: "ada@acme-reset.com", user_profile: { first_name: "Ada" } })).user;
  await ok(s, "POST", `/api/v1/organizations/${org.id}/connections`, { provider: "OKTA", type: "OIDC" });
  await ok(s, "POST", `/api/v1/organizations/${org.id}/directories`, { directory_type: "SCIM", directory_provider: "OKTA" });
  await ok(s, "POST", `/api/v1/organizations/${org.id}/clients`, { name: "reset-m2m", description: "m2m" });
  await ok(s, "POST", "/api/v1/passwordless/email/send", { email: "otp@acme-reset.com" });
  return { orgId: org.id, userId: user.id, endpointId: endpoint.endpoint.id };
}

export async function tableCounts(s: TestServer): Promise<Record<string, number>> {
  const tables = await s.db.$queryRawUnsafe<{ name: string }[]>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind IN ('r','p') AND c.relname <> '_prisma_migrations' ORDER BY 1`);
  const out: Record<string, number> = {};
  for (const { name } of tables) {
    const [row] = await s.db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "${name}"`);
    out[name] = row.n;
  }
  return out;
}
