// The local API for webhooks (/local/v1/webhooks/...): endpoint management, delivery and attempt inspection,
// replay. Bodies and query strings are snake_case JSON like the rest of the API; mistakes are 400s naming the field.
import type { FastifyInstance } from "fastify";
import { Type, type Static } from "@sinclair/typebox";
import type { ServiceDeps } from "../api/deps.js";
import { IdParams, PageQuery, paging } from "../http/fields.js";
import { route } from "../http/route.js";
import { invalidArgument } from "../protocol/errors.js";
import { attemptJson, deliveryJson, DeliveryService } from "./deliveries.js";
import { EndpointService, endpointJson, webhookSecretBox, type EndpointPatch } from "./endpoints.js";

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;

const Strings = Type.Array(Type.String());
const EndpointFields = Type.Object({
  url: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  event_types: Type.Optional(Strings),
  organization_ids: Type.Optional(Strings),
  enabled: Type.Optional(Type.Boolean()),
  secret: Type.Optional(Type.String()),
});
const Rotation = Type.Object({ grace_period_seconds: Type.Optional(Type.Integer()), secret: Type.Optional(Type.String()) });
const EndpointChoice = Type.Object({ endpoint_id: Type.Optional(Type.String()) });
const DeliveryFilter = Type.Composite([PageQuery, Type.Object({
  event_id: Type.Optional(Type.String()), endpoint_id: Type.Optional(Type.String()),
  organization_id: Type.Optional(Type.String()), status: Type.Optional(Type.String()),
})]);
const AttemptFilter = Type.Composite([PageQuery, Type.Object({
  delivery_id: Type.Optional(Type.String()), event_id: Type.Optional(Type.String()),
  endpoint_id: Type.Optional(Type.String()), status: Type.Optional(Type.String()),
})]);

function patchOf(b: Static<typeof EndpointFields>): EndpointPatch {
  return { url: b.url, description: b.description, eventTypes: b.event_types, organizationIds: b.organization_ids, enabled: b.enabled };
}

const pageJson = <T>(key: string, page: { items: T[]; nextPageToken: string; prevPageToken: string; totalSize: number }, map: (x: T) => unknown) =>
  ({ [key]: page.items.map(map), next_page_token: page.nextPageToken, prev_page_token: page.prevPageToken, total_size: page.totalSize });

export async function webhookLocalRoutes(scope: FastifyInstance, deps: ServiceDeps): Promise<void> {
  const endpoints = new EndpointService(deps.db, await webhookSecretBox(deps.db), deps.config.webhooks.rotationGraceSeconds);
  const deliveries = new DeliveryService(deps.db);

  route(scope, {
    method: "POST", url: "/webhooks/endpoints", body: EndpointFields,
    handler: async (req, reply) => {
      const { url, secret } = req.body;
      if (!url) throw invalidArgument("url", "is required");
      const created = await endpoints.create({ ...patchOf(req.body), url, secret });
      // the only response that carries the secret
      return reply.code(201).send({ endpoint: endpointJson(created.endpoint), secret: created.secret });
    },
  });
  route(scope, {
    method: "GET", url: "/webhooks/endpoints", query: PageQuery,
    handler: async (req) => {
      const { size, token } = paging(req.query, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
      return pageJson("endpoints", await endpoints.list(size, token), endpointJson);
    },
  });
  route(scope, {
    method: "GET", url: "/webhooks/endpoints/:id", params: IdParams,
    handler: async (req) => ({ endpoint: endpointJson(await endpoints.get(req.params.id)) }),
  });
  route(scope, {
    method: "PATCH", url: "/webhooks/endpoints/:id", params: IdParams, body: EndpointFields,
    handler: async (req) => {
      const updated = await endpoints.update(req.params.id, patchOf(req.body));
      if (updated.enabled) await deliveries.wakeWorkers(); // deliveries held while it was disabled can go now
      return { endpoint: endpointJson(updated) };
    },
  });
  route(scope, {
    method: "DELETE", url: "/webhooks/endpoints/:id", params: IdParams,
    handler: async (req) => {
      await endpoints.remove(req.params.id);
      return {};
    },
  });
  route(scope, {
    method: "POST", url: "/webhooks/endpoints/:id/rotate-secret", params: IdParams, body: Rotation,
    handler: async (req) => {
      const rotated = await endpoints.rotate(req.params.id, { graceSeconds: req.body.grace_period_seconds, secret: req.body.secret });
      return { endpoint: endpointJson(rotated.endpoint), secret: rotated.secret };
    },
  });

  route(scope, {
    method: "GET", url: "/webhooks/deliveries", query: DeliveryFilter,
    handler: async (req) => {
      const q = req.query;
      const { size, token } = paging(q, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
      const page = await deliveries.listDeliveries(
        { eventId: q.event_id, endpointId: q.endpoint_id, organizationId: q.organization_id, status: q.status }, size, token);
      return pageJson("deliveries", page, deliveryJson);
    },
  });
  route(scope, {
    method: "GET", url: "/webhooks/deliveries/:id", params: IdParams,
    handler: async (req) => {
      const { delivery, attempts } = await deliveries.getDelivery(req.params.id);
      return { delivery: deliveryJson(delivery), attempts: attempts.map(attemptJson) };
    },
  });
  route(scope, {
    method: "POST", url: "/webhooks/deliveries/replay-failed", body: EndpointChoice,
    handler: async (req) => ({ replayed: await deliveries.replayFailed(req.body.endpoint_id) }),
  });
  route(scope, {
    method: "GET", url: "/webhooks/attempts", query: AttemptFilter,
    handler: async (req) => {
      const q = req.query;
      const { size, token } = paging(q, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
      const page = await deliveries.listAttempts(
        { deliveryId: q.delivery_id, eventId: q.event_id, endpointId: q.endpoint_id, status: q.status }, size, token);
      return pageJson("attempts", page, attemptJson);
    },
  });
  route(scope, {
    method: "POST", url: "/webhooks/events/:id/replay", params: IdParams, body: EndpointChoice,
    handler: async (req) => {
      const replayed = await deliveries.replayEvent(req.params.id, req.body.endpoint_id);
      return { deliveries: replayed.map(deliveryJson) };
    },
  });
}
