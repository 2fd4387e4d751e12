// The delivery worker: turns committed events into deliveries, claims due deliveries and POSTs them, records
// every attempt. It wakes on NOTIFY (the events insert rule; PGlite delivers it in process), on its own
// completions, and at the next deadline it knows of (a retry, a lease running out). An idle worker has no timer
// at all on PGlite; on PostgreSQL one slow sweep remains for deadlines set by replicas that died since. It polls
// only while it cannot LISTEN or the database fails.
// Any number of replicas may run one: claims are row locks (queue.ts), so each delivery goes to one of them.
import { setMaxListeners } from "node:events";
import type { Logger } from "pino";
import type { Database } from "../db/client.js";
import type { EndpointService } from "./endpoints.js";
import { EVENTS_CHANNEL, claimDue, completeMany, disableEndpoint, dispatchEvents, nextDueAt, release, type Claim, type Completion } from "./queue.js";
import { nextDelay } from "./retry.js";
import { postWebhook, type AttemptOutcome } from "./sender.js";
import { signatureHeader } from "./signing.js";

const DISPATCH_BATCH = 500;
const LISTEN_RETRY_MS = 2_000;
const USER_AGENT = "Scalekit-Webhooks/1.0 (scalekit-local)";
const RECORD_BATCH = 200;

export interface WorkerOptions {
  retrySchedule: number[];
  timeoutMs: number;
  /** how often to look for work while LISTEN is not available or the database fails */
  pollMs: number;
  /** while listening: the longest sleep without a known deadline (Infinity: none) */
  sweepMs: number;
  concurrency: number;
  endpointConcurrency: number;
}

const ENVELOPE_ORDER = ["spec_version", "id", "type", "object", "occurred_at", "environment_id", "organization_id", "display_name", "data"];

/** jsonb does not keep key order; receivers reading the body by eye expect the envelope's documented order. */
function envelopeInOrder(payload: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ENVELOPE_ORDER) if (k in payload) out[k] = payload[k];
  for (const [k, v] of Object.entries(payload)) if (!(k in out)) out[k] = v;
  return out;
}

export class DeliveryWorker {
  /** deliveries not finished (request or its record still under way): what stop() waits for */
  private readonly inFlight = new Set<Promise<void>>();
  /** HTTP requests under way, in all and per endpoint: what the concurrency limits count */
  private requests = 0;
  private readonly perEndpoint = new Map<string, number>();
  private readonly shutdown = new AbortController();
  private running: Promise<void> | undefined;
  private again = false;
  private dispatchWanted = true;
  /** a NOTIFY said events committed: skip the check for them */
  private notified = false;
  private timer: NodeJS.Timeout | undefined;
  private listenTimer: NodeJS.Timeout | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private stopping = false;
  /** warn once when the database starts failing, not on every poll until it is back */
  private failing = false;
  private readonly toRecord: { completion: Completion; done: (e?: unknown) => void }[] = [];
  private recording = false;
  /** earliest retry this process scheduled: lets a busy worker sleep exactly that long without asking the database */
  private nextRetryAt = Infinity;
  /** decrypted secrets by ciphertext: decrypting once per request would cost more than signing */
  private readonly secretCache = new Map<string, string>();
  /** a claim outlives the request timeout by this much before another worker may take the delivery over */
  private readonly leaseMs: number;

  constructor(
    private readonly database: Database,
    private readonly endpoints: EndpointService,
    private readonly opts: WorkerOptions,
    private readonly log: Logger,
  ) {
    this.leaseMs = opts.timeoutMs + 10_000;
    // one listener per request in flight
    setMaxListeners(0, this.shutdown.signal);
  }

  start(): void {
    void this.subscribe();
    this.wake(true);
  }

  /** Run a cycle now (or right after the current one); `dispatch` also looks for new events. */
  wake(dispatch = false): void {
    if (dispatch) this.dispatchWanted = true;
    if (this.stopping) return;
    if (this.running) { this.again = true; return; }
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    this.again = false;
    this.running = this.cycle().finally(() => {
      this.running = undefined;
      if (this.again && !this.stopping) this.wake();
    });
  }

  /** Stops claiming, aborts requests in flight and hands their claims back, so a restart resends them at once. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearTimeout(this.timer);
    clearTimeout(this.listenTimer);
    await this.unlisten?.().catch(() => {});
    await this.running?.catch(() => {});
    this.shutdown.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  private async cycle(): Promise<void> {
    const db = this.database.prisma;
    let failed = false;
    try {
      do {
        this.again = false;
        if (this.dispatchWanted) {
          const notified = this.notified;
          this.dispatchWanted = this.notified = false;
          while (!this.stopping && (await dispatchEvents(db, DISPATCH_BATCH, notified)) === DISPATCH_BATCH);
        }
        await this.fill();
      } while (this.again && !this.stopping);
      if (this.failing) this.log.info("webhook worker: database reachable again");
      this.failing = false;
    } catch (e) {
      failed = true;
      this.dispatchWanted = true;
      if (!this.failing && !this.stopping) this.log.warn({ err: (e as Error)?.message }, "webhook worker: database error, retrying");
      this.failing = true;
    }
    if (!this.stopping) await this.arm(failed);
  }

  /** Claims as many due deliveries as there are free slots, keeping each endpoint under its own limit. */
  private async fill(): Promise<void> {
    while (!this.stopping) {
      // a slot frees when the response arrives; recording it is batched, but not allowed to fall far behind
      const free = Math.min(this.opts.concurrency - this.requests, 2 * this.opts.concurrency - this.inFlight.size);
      if (free <= 0) return;
      const saturated = [...this.perEndpoint].filter(([, n]) => n >= this.opts.endpointConcurrency).map(([id]) => id);
      // at most one endpoint's share per claim, so a claim cannot hand every slot to one (perhaps slow) endpoint
      const want = Math.min(free, this.opts.endpointConcurrency);
      const claims = await claimDue(this.database.prisma, want, saturated, this.leaseMs);
      for (const c of claims) {
        if (this.stopping) await release(this.database.prisma, c).catch(() => {});
        else this.launch(c);
      }
      if (claims.length < want) return;
    }
  }

  /**
   * Sleeps until the earliest known deadline; without one, until a NOTIFY or a completion wakes it (polling only
   * while it cannot listen). While requests are in flight their completions wake the worker anyway, so the
   * database is asked for the next deadline only when it is idle.
   */
  private async arm(failed: boolean): Promise<void> {
    let due = this.nextRetryAt;
    if (!failed && this.inFlight.size === 0) {
      const at = await nextDueAt(this.database.prisma).catch(() => undefined);
      if (at) due = Math.min(due, at.getTime());
    }
    const cap = failed || !this.unlisten ? this.opts.pollMs : this.opts.sweepMs;
    const delay = Math.min(cap, Math.max(0, due - Date.now()));
    if (this.stopping || delay === Infinity) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.nextRetryAt <= Date.now()) this.nextRetryAt = Infinity;
      this.wake(true);
    }, delay);
    this.timer.unref();
  }

  private launch(c: Claim): void {
    this.requests++;
    this.perEndpoint.set(c.endpoint_id, (this.perEndpoint.get(c.endpoint_id) ?? 0) + 1);
    let freed = false;
    const freeSlot = () => {
      if (freed) return;
      freed = true;
      this.requests--;
      const n = (this.perEndpoint.get(c.endpoint_id) ?? 1) - 1;
      if (n > 0) this.perEndpoint.set(c.endpoint_id, n);
      else this.perEndpoint.delete(c.endpoint_id);
      this.wake();
    };
    const p: Promise<void> = this.deliver(c, freeSlot)
      .catch((e) => { this.log.error({ err: (e as Error)?.message, delivery: c.id }, "webhook worker: could not record an attempt"); })
      .finally(() => {
        freeSlot();
        this.inFlight.delete(p);
        this.wake();
      });
    this.inFlight.add(p);
  }

  private async deliver(c: Claim, requestDone: () => void): Promise<void> {
    const db = this.database.prisma;
    const attemptedAt = new Date();
    let outcome: AttemptOutcome;
    let secrets: string[] | undefined;
    try {
      secrets = this.signingSecrets(c);
    } catch {
      // never sent unsigned: the attempt fails visibly and is retried like any other failure
      outcome = { ok: false, error: "the endpoint's signing secret cannot be decrypted (server_settings.webhook_secret_key changed?)", excerpt: "", latencyMs: 0, aborted: false };
    }
    if (secrets) {
      const body = JSON.stringify(envelopeInOrder(c.payload));
      const timestamp = Math.floor(attemptedAt.getTime() / 1000);
      outcome = await postWebhook(c.url, body, {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        // the event id: the same across retries and replays, so receivers can drop duplicates
        "webhook-id": c.event_id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": signatureHeader(secrets, c.event_id, timestamp, body),
      }, this.opts.timeoutMs, this.shutdown.signal);
      if (outcome.aborted) { await release(db, c); return; }
    }
    requestDone();
    await this.record(c, outcome!, attemptedAt);
  }

  private async record(c: Claim, o: AttemptOutcome, attemptedAt: Date): Promise<void> {
    const db = this.database.prisma;
    let status: "pending" | "succeeded" | "failed" = "succeeded";
    let next = new Date();
    if (!o.ok && o.status === 410) {
      status = "failed";
      await disableEndpoint(db, c.endpoint_id, `the receiver answered 410 Gone at ${attemptedAt.toISOString()}`);
      this.log.warn({ endpoint: c.endpoint_id }, "webhook endpoint disabled: the receiver answered 410 Gone");
    } else if (!o.ok) {
      const delay = nextDelay(this.opts.retrySchedule, c.attempts - c.schedule_base, o.retryAfterMs);
      if (delay === undefined) {
        status = "failed";
        this.log.warn({ endpoint: c.endpoint_id, delivery: c.id, attempts: c.attempts }, "webhook delivery failed after its last attempt");
      } else {
        status = "pending";
        next = new Date(Date.now() + delay);
        this.nextRetryAt = Math.min(this.nextRetryAt, next.getTime());
      }
    }
    await this.enqueue({
      claim: c, status, nextAttemptAt: next, attemptedAt, responseStatus: o.status ?? null,
      error: o.ok ? null : (o.error ?? `HTTP ${o.status}`), excerpt: o.excerpt || (o.error ?? ""), latencyMs: o.latencyMs,
    });
  }

  /**
   * Group commit: results that finish while a write is under way go together in the next one, so the database
   * sees one statement per batch instead of one per request. Resolves once this result is stored.
   */
  private enqueue(completion: Completion): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.toRecord.push({ completion, done: (e) => (e ? reject(e) : resolve()) });
      if (!this.recording) void this.recordAll();
    });
  }

  private async recordAll(): Promise<void> {
    this.recording = true;
    try {
      while (this.toRecord.length) {
        const batch = this.toRecord.splice(0, RECORD_BATCH);
        try {
          await completeMany(this.database.prisma, batch.map((b) => b.completion));
          for (const b of batch) b.done();
        } catch (e) {
          // unrecorded claims stay leased and are retried when the lease ends: at least once, never lost
          for (const b of batch) b.done(e);
        }
      }
    } finally {
      this.recording = false;
    }
  }

  private signingSecrets(c: Claim): string[] {
    const open = (cipher: string) => {
      let plain = this.secretCache.get(cipher);
      if (plain === undefined) {
        if (this.secretCache.size > 1000) this.secretCache.clear();
        plain = this.endpoints.openSecret(cipher);
        this.secretCache.set(cipher, plain);
      }
      return plain;
    };
    const out = [open(c.secret_cipher)];
    if (c.previous_cipher && c.previous_expires_at && c.previous_expires_at > new Date()) out.push(open(c.previous_cipher));
    return out;
  }

  private async subscribe(): Promise<void> {
    const listen = this.database.listen;
    if (!listen || this.stopping) return;
    try {
      const unlisten = await listen(EVENTS_CHANNEL, () => { this.notified = true; this.wake(true); }, (e) => {
        this.unlisten = undefined;
        this.log.warn({ err: e.message }, "webhook worker: lost its LISTEN connection, reconnecting");
        this.retrySubscribe();
      });
      if (this.stopping) { await unlisten(); return; }
      this.unlisten = unlisten;
      this.wake(true); // events committed while nobody was listening; and re-arms without the poll
    } catch (e) {
      this.log.warn({ err: (e as Error)?.message }, "webhook worker: cannot LISTEN, polling until it can");
      this.retrySubscribe();
    }
  }

  private retrySubscribe(): void {
    if (this.stopping) return;
    this.listenTimer = setTimeout(() => void this.subscribe(), LISTEN_RETRY_MS);
    this.listenTimer.unref();
  }
}
