// The delivery queue in SQL. Deliveries are claimed with FOR UPDATE SKIP LOCKED, so replicas never take the same
// row, and leased by moving next_attempt_at past the request timeout: a claim whose worker died becomes due again
// on its own, with no coordinator. `attempts` is the fencing token: only the claim that made attempt N may record
// attempt N's result.
import type { Db } from "../db/client.js";
import { inTransaction } from "../db/tx.js";
import { newId } from "../protocol/ids.js";

export interface Claim {
  id: string;
  event_id: string;
  endpoint_id: string;
  attempts: number;
  schedule_base: number;
  payload: Record<string, unknown>;
  url: string;
  secret_cipher: string;
  previous_cipher: string | null;
  previous_expires_at: Date | null;
}

export interface Completion {
  claim: Claim;
  status: "pending" | "succeeded" | "failed";
  nextAttemptAt: Date;
  attemptedAt: Date;
  responseStatus: number | null;
  error: string | null;
  excerpt: string;
  latencyMs: number;
}

/** NOTIFYed by the events insert rule (see the webhooks migration) and by replays */
export const EVENTS_CHANNEL = "scalekit_events";

// arbitrary but fixed: serialises the fan-out step across replicas so deliveries are created in event order
const DISPATCH_LOCK_KEY = 7_262_911_2027;

/**
 * Turns undispatched events into one delivery per matching enabled endpoint and marks them dispatched, in one
 * transaction. Returns how many events it took (a full batch means: call again).
 */
export async function dispatchEvents(db: Db, batch: number, knownPending = false): Promise<number> {
  if (!knownPending) {
    // cheap check outside a transaction: most timer wake-ups find nothing to do
    const any = await db.$queryRaw<{ id: string }[]>`SELECT id FROM events WHERE dispatched_at IS NULL LIMIT 1`;
    if (!any.length) return 0;
  }
  return inTransaction(db, async (tx) => {
    await tx.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(${DISPATCH_LOCK_KEY}::bigint)`;
    const now = new Date();
    const events = await tx.$queryRaw<{ id: string; type: string; organization_id: string | null }[]>`
      WITH batch AS (
        SELECT id FROM events WHERE dispatched_at IS NULL ORDER BY id LIMIT ${batch} FOR UPDATE SKIP LOCKED
      )
      UPDATE events e SET dispatched_at = ${now}::timestamp(3) FROM batch WHERE e.id = batch.id
      RETURNING e.id, e.type, e.organization_id`;
    if (!events.length) return 0;
    const endpoints = await tx.webhookEndpoint.findMany({ where: { enabled: true }, select: { id: true, eventTypes: true, organizationIds: true } });
    const rows = [];
    // in event order, so delivery ids (and the claim order among equals) follow the events
    events.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const ev of events) {
      for (const ep of endpoints) {
        if (ep.eventTypes.length && !ep.eventTypes.includes(ev.type)) continue;
        if (ep.organizationIds.length && !(ev.organization_id && ep.organizationIds.includes(ev.organization_id))) continue;
        rows.push({ id: newId("whd"), eventId: ev.id, endpointId: ep.id, organizationId: ev.organization_id, eventType: ev.type, nextAttemptAt: now, createdAt: now });
      }
    }
    if (rows.length) await tx.webhookDelivery.createMany({ data: rows, skipDuplicates: true });
    return events.length;
  });
}

/**
 * Claims up to `limit` due deliveries of enabled endpoints (skipping `saturated` endpoints), oldest first. A
 * delivery waits while an earlier event of the same organization to the same endpoint is still pending, so one
 * receiver sees an organization's events in order; other organizations and endpoints are not held up.
 */
export async function claimDue(db: Db, limit: number, saturated: string[], leaseMs: number): Promise<Claim[]> {
  const now = new Date();
  const leaseUntil = new Date(now.getTime() + leaseMs);
  return db.$queryRaw<Claim[]>`
    WITH picked AS (
      SELECT d.id FROM webhook_deliveries d
      JOIN webhook_endpoints e ON e.id = d.endpoint_id
      WHERE d.status = 'pending' AND d.next_attempt_at <= ${now}::timestamp(3) AND e.enabled
        AND NOT (d.endpoint_id = ANY(${saturated}::text[]))
        AND NOT EXISTS (
          SELECT 1 FROM webhook_deliveries p
          WHERE p.endpoint_id = d.endpoint_id AND p.organization_id = d.organization_id
            AND p.status = 'pending' AND p.event_id < d.event_id)
      ORDER BY d.next_attempt_at, d.event_id
      LIMIT ${limit}
      FOR UPDATE OF d SKIP LOCKED
    )
    UPDATE webhook_deliveries w
    SET attempts = w.attempts + 1, last_attempt_at = ${now}::timestamp(3), next_attempt_at = ${leaseUntil}::timestamp(3)
    FROM picked, events ev, webhook_endpoints e
    WHERE w.id = picked.id AND ev.id = w.event_id AND e.id = w.endpoint_id
    RETURNING w.id, w.event_id, w.endpoint_id, w.attempts, w.schedule_base, ev.payload, e.url,
      e.secret_cipher, e.previous_cipher, e.previous_expires_at`;
}

/**
 * Records attempts (always: they happened) and, for each claim still current, the delivery's new state. One
 * statement for a whole batch: at high rates, completions are grouped instead of paying a round trip each.
 */
export async function completeMany(db: Db, batch: Completion[]): Promise<void> {
  if (!batch.length) return;
  const col = <T>(f: (c: Completion) => T) => batch.map(f);
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  await db.$executeRaw`
    WITH input AS (
      SELECT * FROM unnest(
        ${col((c) => c.claim.id)}::text[], ${col((c) => c.claim.attempts)}::int[], ${col((c) => c.status)}::text[],
        ${col((c) => iso(c.nextAttemptAt))}::text[], ${col((c) => c.responseStatus)}::int[], ${col((c) => c.error)}::text[],
        ${col((c) => (c.status === "pending" ? null : iso(c.attemptedAt)))}::text[], ${col(() => newId("wha"))}::text[],
        ${col((c) => (c.status === "succeeded" ? "succeeded" : "failed"))}::text[], ${col((c) => c.excerpt)}::text[],
        ${col((c) => c.latencyMs)}::int[], ${col((c) => iso(c.attemptedAt))}::text[]
      ) AS t(id, attempt, status, next_at, code, err, completed_at, attempt_id, attempt_status, excerpt, latency, attempted_at)
    ), upd AS (
      UPDATE webhook_deliveries d
      SET status = i.status, next_attempt_at = i.next_at::timestamp(3), last_status_code = i.code, last_error = i.err,
        completed_at = i.completed_at::timestamp(3)
      FROM input i WHERE d.id = i.id AND d.attempts = i.attempt
      RETURNING d.id
    )
    INSERT INTO webhook_attempts (id, delivery_id, event_id, endpoint_id, attempt, status, response_status, response_excerpt, error, latency_ms, attempted_at)
    SELECT i.attempt_id, d.id, d.event_id, d.endpoint_id, i.attempt, i.attempt_status, i.code, i.excerpt, i.err, i.latency, i.attempted_at::timestamp(3)
    FROM input i JOIN webhook_deliveries d ON d.id = i.id`;
}

/** Hands back a claim this process will not finish (shutdown): due now, and the attempt does not count. */
export async function release(db: Db, claim: Claim): Promise<void> {
  await db.$executeRaw`
    UPDATE webhook_deliveries SET attempts = attempts - 1, next_attempt_at = ${new Date()}::timestamp(3)
    WHERE id = ${claim.id} AND attempts = ${claim.attempts}::int`;
}

/** 410 Gone: the receiver asks not to be called again. */
export async function disableEndpoint(db: Db, endpointId: string, reason: string): Promise<void> {
  await db.webhookEndpoint.updateMany({ where: { id: endpointId, enabled: true }, data: { enabled: false, disabledReason: reason } });
}

/** When the next delivery falls due in the future (retries, leases), to sleep exactly until then. */
export async function nextDueAt(db: Db): Promise<Date | undefined> {
  const rows = await db.$queryRaw<{ at: Date | null }[]>`
    SELECT min(next_attempt_at) AS at FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at > ${new Date()}::timestamp(3)`;
  return rows[0]?.at ?? undefined;
}
