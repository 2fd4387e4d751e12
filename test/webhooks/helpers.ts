// Shared pieces of the webhook tests: endpoints through the local API, events through the real REST API.
import { expect } from "vitest";
import type { TestServer } from "../helpers/server.js";

export interface EndpointOptions { event_types?: string[]; organization_ids?: string[]; secret?: string; description?: string }

export async function createEndpoint(s: TestServer, url: string, o: EndpointOptions = {}): Promise<{ id: string; secret: string; endpoint: any }> {
  const r = await s.rest("POST", "/local/v1/webhooks/endpoints", { url, ...o });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { id: r.body.endpoint.id, secret: r.body.secret, endpoint: r.body.endpoint };
}

export async function deleteEndpoint(s: TestServer, id: string): Promise<void> {
  const r = await s.rest("DELETE", `/local/v1/webhooks/endpoints/${id}`);
  expect(r.status).toBe(200);
}

export async function createOrg(s: TestServer, name = "Acme"): Promise<string> {
  const r = await s.rest("POST", "/api/v1/organizations", { display_name: name });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.organization.id;
}

export async function updateOrg(s: TestServer, id: string, name: string): Promise<void> {
  const r = await s.rest("PATCH", `/api/v1/organizations/${id}`, { display_name: name });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

/** Polls the local API until `predicate` holds for the delivery list of a query. */
export async function waitForDeliveries(s: TestServer, query: string, predicate: (ds: any[]) => boolean, timeoutMs = 20_000): Promise<any[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await s.rest("GET", `/local/v1/webhooks/deliveries?page_size=200&${query}`);
    expect(r.status).toBe(200);
    if (predicate(r.body.deliveries)) return r.body.deliveries;
    if (Date.now() > until) throw new Error(`deliveries (${query}) never matched: ${JSON.stringify(r.body.deliveries.map((d: any) => [d.status, d.attempts, d.last_error]))}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

export const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

export const TEST_SECRET = "whsec_" + Buffer.alloc(32, 7).toString("base64");
