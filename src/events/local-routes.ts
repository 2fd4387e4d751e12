// The local API for webhooks (/local/v1/webhooks/...): endpoint management, delivery and attempt inspection,
// replay. Bodies and query strings are snake_case JSON like the rest of the API; mistakes are 400s naming the field.
import type { FastifyInstance } from "fastify";
import type { ServiceDeps } from "../api/deps.js";
import { invalidArgument } from "../protocol/errors.js";
import { attemptJson, deliveryJson, DeliveryService } from "./deliveries.js";
import { EndpointService, endpointJson, webhookSecretBox, type EndpointPatch } from "./endpoints.js";

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;

type Json = Record<string, unknown>;

function bodyOf(raw: unknown): Json {
  if (raw === undefined || raw === null || raw === "") return {};
  if (typeof raw !== "object" || Array.isArray(raw)) throw invalidArgument("body", "must be a JSON object");
  return raw as Json;
}

function str(b: Json, field: string): string | undefined {
  const v = b[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalidArgument(field, "must be a string");
  return v;
}

function strings(b: Json, field: string): string[] | undefined {
  const v = b[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw invalidArgument(field, "must be an array of strings");
  return v as string[];
}

function bool(b: Json, field: string): boolean | undefined {
  const v = b[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw invalidArgument(field, "must be true or false");
  return v;
}

function int(b: Json, field: string): number | undefined {
  const v = b[field];
  if (v === undefined || v === null || v === "") return undefined;
  const n = typeof v === "string" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n)) throw invalidArgument(field, "must be an integer");
  return n;
}

function paging(q: Json): { size: number; token: string } {
  const size = int(q, "page_size") ?? DEFAULT_PAGE_SIZE;
  if (size < 0) throw invalidArgument("page_size", "must not be negative");
  return { size: Math.min(size || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE), token: str(q, "page_token") ?? "" };
}

function patchOf(b: Json): EndpointPatch {
  return {
    url: str(b, "url"), description: str(b, "description"), eventTypes: strings(b, "event_types"),
    organizationIds: strings(b, "organization_ids"), enabled: bool(b, "enabled"),
  };
}

const pageJson = <T>(key: string, page: { items: T[]; nextPageToken: string; prevPageToken: string; totalSize: number }, map: (x: T) => unknown) =>
  ({ [key]: page.items.map(map), next_page_token: page.nextPageToken, prev_page_token: page.prevPageToken, total_size: page.totalSize });

export async function webhookLocalRoutes(scope: FastifyInstance, deps: ServiceDeps): Promise<void> {
  const endpoints = new EndpointService(deps.db, await webhookSecretBox(deps.db), deps.config.webhooks.rotationGraceSeconds);
  const deliveries = new DeliveryService(deps.db);
  type P = { Params: { id: string } };

  scope.post("/webhooks/endpoints", async (req, reply) => {
    const b = bodyOf(req.body);
    const url = str(b, "url");
    if (!url) throw invalidArgument("url", "is required");
    const created = await endpoints.create({ ...patchOf(b), url, secret: str(b, "secret") });
    // the only response that carries the secret
    return reply.code(201).send({ endpoint: endpointJson(created.endpoint), secret: created.secret });
  });
  scope.get("/webhooks/endpoints", async (req) => {
    const { size, token } = paging(req.query as Json);
    return pageJson("endpoints", await endpoints.list(size, token), endpointJson);
  });
  scope.get<P>("/webhooks/endpoints/:id", async (req) => ({ endpoint: endpointJson(await endpoints.get(req.params.id)) }));
  scope.patch<P>("/webhooks/endpoints/:id", async (req) => {
    const updated = await endpoints.update(req.params.id, patchOf(bodyOf(req.body)));
    if (updated.enabled) await deliveries.wakeWorkers(); // deliveries held while it was disabled can go now
    return { endpoint: endpointJson(updated) };
  });
  scope.delete<P>("/webhooks/endpoints/:id", async (req) => {
    await endpoints.remove(req.params.id);
    return {};
  });
  scope.post<P>("/webhooks/endpoints/:id/rotate-secret", async (req) => {
    const b = bodyOf(req.body);
    const rotated = await endpoints.rotate(req.params.id, { graceSeconds: int(b, "grace_period_seconds"), secret: str(b, "secret") });
    return { endpoint: endpointJson(rotated.endpoint), secret: rotated.secret };
  });

  scope.get("/webhooks/deliveries", async (req) => {
    const q = req.query as Json;
    const { size, token } = paging(q);
    const page = await deliveries.listDeliveries(
      { eventId: str(q, "event_id"), endpointId: str(q, "endpoint_id"), organizationId: str(q, "organization_id"), status: str(q, "status") }, size, token);
    return pageJson("deliveries", page, deliveryJson);
  });
  scope.get<P>("/webhooks/deliveries/:id", async (req) => {
    const { delivery, attempts } = await deliveries.getDelivery(req.params.id);
    return { delivery: deliveryJson(delivery), attempts: attempts.map(attemptJson) };
  });
  scope.post("/webhooks/deliveries/replay-failed", async (req) => {
    const replayed = await deliveries.replayFailed(str(bodyOf(req.body), "endpoint_id"));
    return { replayed };
  });
  scope.get("/webhooks/attempts", async (req) => {
    const q = req.query as Json;
    const { size, token } = paging(q);
    const page = await deliveries.listAttempts(
      { deliveryId: str(q, "delivery_id"), eventId: str(q, "event_id"), endpointId: str(q, "endpoint_id"), status: str(q, "status") }, size, token);
    return pageJson("attempts", page, attemptJson);
  });
  scope.post<P>("/webhooks/events/:id/replay", async (req) => {
    const replayed = await deliveries.replayEvent(req.params.id, str(bodyOf(req.body), "endpoint_id"));
    return { deliveries: replayed.map(deliveryJson) };
  });
}
