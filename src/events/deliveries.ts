// Inspecting deliveries and attempts, and replaying: a replayed delivery goes back to pending with a fresh retry
// schedule (its attempt history stays), and reaches the receiver with the same webhook-id as before.
import type { Prisma, WebhookAttempt, WebhookDelivery, WebhookEndpoint } from "../generated/prisma/client.js";
import type { Db } from "../db/client.js";
import { keysetPage, prismaKeyset, type Page } from "../db/keyset-page.js";
import { inTransaction } from "../db/tx.js";
import { invalidArgument, notFound } from "../protocol/errors.js";
import { newId } from "../protocol/ids.js";
import { EVENTS_CHANNEL } from "./queue.js";

export const DELIVERY_STATUSES = ["pending", "succeeded", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryFilter { eventId?: string; endpointId?: string; organizationId?: string; status?: string }
export interface AttemptFilter { deliveryId?: string; eventId?: string; endpointId?: string; status?: string }

function checkStatus(status: string | undefined, allowed: readonly string[]): void {
  if (status !== undefined && !allowed.includes(status)) throw invalidArgument("status", `must be one of ${allowed.join(", ")}`);
}

function matches(ep: Pick<WebhookEndpoint, "eventTypes" | "organizationIds">, type: string, organizationId: string | null): boolean {
  if (ep.eventTypes.length && !ep.eventTypes.includes(type)) return false;
  return !ep.organizationIds.length || (!!organizationId && ep.organizationIds.includes(organizationId));
}

export class DeliveryService {
  constructor(private readonly db: Db) {}

  listDeliveries(f: DeliveryFilter, pageSize: number, pageToken: string): Promise<Page<WebhookDelivery>> {
    checkStatus(f.status, DELIVERY_STATUSES);
    const where: Prisma.WebhookDeliveryWhereInput = { eventId: f.eventId, endpointId: f.endpointId, organizationId: f.organizationId, status: f.status };
    return keysetPage(prismaKeyset(this.db.webhookDelivery, where), pageSize, pageToken);
  }

  async getDelivery(id: string): Promise<{ delivery: WebhookDelivery; attempts: WebhookAttempt[] }> {
    const delivery = await this.db.webhookDelivery.findUnique({ where: { id } });
    if (!delivery) throw notFound("webhook delivery", id);
    const attempts = await this.db.webhookAttempt.findMany({ where: { deliveryId: id }, orderBy: { id: "asc" } });
    return { delivery, attempts };
  }

  listAttempts(f: AttemptFilter, pageSize: number, pageToken: string): Promise<Page<WebhookAttempt>> {
    checkStatus(f.status, ["succeeded", "failed"]);
    const where: Prisma.WebhookAttemptWhereInput = { deliveryId: f.deliveryId, eventId: f.eventId, endpointId: f.endpointId, status: f.status };
    return keysetPage(prismaKeyset(this.db.webhookAttempt, where), pageSize, pageToken);
  }

  /**
   * Sends one event again: to `endpointId`, or to every enabled endpoint whose filters match it (including endpoints
   * created after the event). A delivery still pending is already on its way and is left alone.
   */
  async replayEvent(eventId: string, endpointId?: string): Promise<WebhookDelivery[]> {
    const out = await inTransaction(this.db, async (tx) => {
      const event = await tx.event.findUnique({ where: { id: eventId }, select: { id: true, type: true, organizationId: true } });
      if (!event) throw notFound("event", eventId);
      let targets: WebhookEndpoint[];
      if (endpointId) {
        const ep = await tx.webhookEndpoint.findUnique({ where: { id: endpointId } });
        if (!ep) throw notFound("webhook endpoint", endpointId);
        targets = [ep];
      } else {
        targets = (await tx.webhookEndpoint.findMany({ where: { enabled: true } })).filter((ep) => matches(ep, event.type, event.organizationId));
      }
      const now = new Date();
      const result: WebhookDelivery[] = [];
      for (const ep of targets) {
        const existing = await tx.webhookDelivery.findUnique({ where: { eventId_endpointId: { eventId, endpointId: ep.id } } });
        if (!existing) {
          result.push(await tx.webhookDelivery.create({
            data: { id: newId("whd"), eventId, endpointId: ep.id, organizationId: event.organizationId, eventType: event.type, nextAttemptAt: now, createdAt: now },
          }));
        } else if (existing.status !== "pending") {
          result.push(await tx.webhookDelivery.update({
            where: { id: existing.id, status: existing.status },
            data: { status: "pending", scheduleBase: existing.attempts, nextAttemptAt: now, completedAt: null },
          }));
        } else {
          result.push(existing);
        }
      }
      return result;
    });
    await this.wakeWorkers();
    return out;
  }

  /** Every failed delivery (of one endpoint, or all) back to pending with a fresh schedule; returns how many. */
  async replayFailed(endpointId?: string): Promise<number> {
    if (endpointId && !(await this.db.webhookEndpoint.findUnique({ where: { id: endpointId }, select: { id: true } })))
      throw notFound("webhook endpoint", endpointId);
    const now = new Date();
    const n = endpointId
      ? await this.db.$executeRaw`UPDATE webhook_deliveries SET status = 'pending', schedule_base = attempts, next_attempt_at = ${now}::timestamp(3), completed_at = NULL
          WHERE status = 'failed' AND endpoint_id = ${endpointId}`
      : await this.db.$executeRaw`UPDATE webhook_deliveries SET status = 'pending', schedule_base = attempts, next_attempt_at = ${now}::timestamp(3), completed_at = NULL
          WHERE status = 'failed'`;
    await this.wakeWorkers();
    return n;
  }

  /** Every replica's worker listens on this channel; on PGlite nobody listens and the poll picks the work up. */
  async wakeWorkers(): Promise<void> {
    await this.db.$queryRaw`SELECT 1 AS sent FROM pg_notify(${EVENTS_CHANNEL}, '')`;
  }
}

export function deliveryJson(d: WebhookDelivery) {
  return {
    id: d.id, event_id: d.eventId, endpoint_id: d.endpointId, organization_id: d.organizationId ?? "", event_type: d.eventType,
    status: d.status, attempts: d.attempts,
    next_attempt_time: d.status === "pending" ? d.nextAttemptAt.toISOString() : "",
    last_attempt_time: d.lastAttemptAt?.toISOString() ?? "", last_status_code: d.lastStatusCode ?? 0, last_error: d.lastError ?? "",
    create_time: d.createdAt.toISOString(), complete_time: d.completedAt?.toISOString() ?? "",
  };
}

export function attemptJson(a: WebhookAttempt) {
  return {
    id: a.id, delivery_id: a.deliveryId, event_id: a.eventId, endpoint_id: a.endpointId, attempt: a.attempt, status: a.status,
    response_status: a.responseStatus ?? 0, response_excerpt: a.responseExcerpt, error: a.error ?? "", latency_ms: a.latencyMs,
    attempt_time: a.attemptedAt.toISOString(),
  };
}
