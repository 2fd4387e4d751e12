// Start-up of webhook delivery: reconcile configured endpoints, then run the worker (unless WEBHOOK_WORKER=off).
import type { FastifyBaseLogger } from "fastify";
import type { Logger } from "pino";
import type { Config } from "../config.js";
import type { Database } from "../db/client.js";
import { EndpointService, webhookSecretBox } from "./endpoints.js";
import { DeliveryWorker } from "./worker.js";

/** Polling, only while LISTEN is unavailable (PostgreSQL connection lost) or the database fails. */
const DEFAULT_POLL_MS = 1_000;
/**
 * While listening, with no deadline known: PGlite is one process, so nothing can set one behind the worker's back;
 * on PostgreSQL a replica that died may have left a retry due, which another replica picks up within this sweep.
 */
const SWEEP_MS = { pglite: Infinity, postgresql: 60_000 } as const;

export async function startWebhooks(config: Config, database: Database, log: FastifyBaseLogger): Promise<{ stop(): Promise<void> }> {
  const c = config.webhooks;
  const endpoints = new EndpointService(database.prisma, await webhookSecretBox(database.prisma), c.rotationGraceSeconds);
  await endpoints.reconcile(c.endpoints);
  if (!c.worker) return { stop: async () => {} };
  const worker = new DeliveryWorker(database, endpoints, {
    retrySchedule: c.retrySchedule, timeoutMs: c.timeoutMs, pollMs: c.pollMs ?? DEFAULT_POLL_MS, sweepMs: SWEEP_MS[database.kind],
    concurrency: c.concurrency, endpointConcurrency: c.endpointConcurrency,
  }, log.child({ component: "webhooks" }) as unknown as Logger);
  worker.start();
  return { stop: () => worker.stop() };
}
