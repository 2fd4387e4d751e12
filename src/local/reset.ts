// Reset: back to what a fresh environment has, in one transaction, keeping the environment itself (its id, signing
// keys and client credentials, so SDK clients stay valid). Which tables are data comes from the database catalog
// (tables.ts), so a table a migration adds is reset without anyone remembering to list it.
//
// Concurrency: TRUNCATE takes ACCESS EXCLUSIVE locks, so a write in flight either commits before the reset (and is
// removed by it) or waits and runs after it (and then fails on a missing parent like any write racing a delete, or
// succeeds against the fresh state). The webhook worker's claim and completion statements wait the same way; a
// completion for a delivery the reset removed updates and records nothing (queue.ts joins on the delivery row).
// TRUNCATE fires no row rules, so no NOTIFY is sent for what it removes; the fresh seed's own events notify as usual.
import { Type } from "@sinclair/typebox";
import { route } from "../http/route.js";
import type { FastifyInstance } from "fastify";
import type { ServiceDeps } from "../api/deps.js";
import { inTransaction, type Tx } from "../db/tx.js";
import { seedFreshEnvironment } from "../environment/fresh.js";
import { dataTables, KEPT_ROWS, parentsFirst, quoteIdent, readCatalog, type Catalog } from "./tables.js";

export interface ResetResult {
  /** data tables emptied (kept rows of mixed tables stay) */
  tables: string[];
  /** the seed file applied after the fresh-environment seed, if one is configured */
  seedFile: string | undefined;
  durationMs: number;
}

/** Something to run in the reset's transaction after the fresh seed (the seed file); set by seed.ts. */
export type AfterReset = (tx: Tx, deps: ServiceDeps) => Promise<string | undefined>;

let afterReset: AfterReset | undefined;

/** seed.ts registers the configured seed file here, so reset and start-up apply the same one. */
export function setAfterReset(fn: AfterReset | undefined): void {
  afterReset = fn;
}

/** Removes the environment's data inside `tx`; returns the data tables. */
export async function clearData(tx: Tx, catalog: Catalog): Promise<string[]> {
  const data = dataTables(catalog);
  // TRUNCATE refuses a table another table references unless that one is truncated too: tables referenced from
  // rows that stay (organizations, by organization M2M clients) are deleted row-wise after their children instead
  const truncatable = new Set(data.filter((t) => !(t in KEPT_ROWS)));
  for (let changed = true; changed;) {
    changed = false;
    for (const [src, dsts] of catalog.references) {
      if (truncatable.has(src)) continue;
      for (const d of dsts) if (truncatable.delete(d)) changed = true;
    }
  }
  if (truncatable.size) await tx.$executeRawUnsafe(`TRUNCATE ${[...truncatable].map(quoteIdent).join(", ")}`);
  const childrenFirst = parentsFirst(data.filter((t) => !truncatable.has(t)), catalog).reverse();
  for (const t of childrenFirst) {
    const keep = KEPT_ROWS[t];
    await tx.$executeRawUnsafe(`DELETE FROM ${quoteIdent(t)}${keep ? ` WHERE NOT (${keep})` : ""}`);
  }
  return data;
}

const isWriteConflict = (e: unknown) => (e as { code?: string })?.code === "P2034";

/**
 * Empties every data table, seeds what a fresh environment has, then applies the seed file if one is configured,
 * all in one transaction. A deadlock with a concurrent writer (PostgreSQL aborts one of the two) is retried.
 */
export async function resetEnvironment(deps: ServiceDeps): Promise<ResetResult> {
  const started = performance.now();
  for (let attempt = 1; ; attempt++) {
    try {
      const { tables, seedFile } = await inTransaction(deps.db, async (tx) => {
        const tables = await clearData(tx, await readCatalog(tx));
        await seedFreshEnvironment(tx, deps);
        const seedFile = afterReset ? await afterReset(tx, deps) : undefined;
        return { tables, seedFile };
      });
      return { tables, seedFile, durationMs: Math.round((performance.now() - started) * 10) / 10 };
    } catch (e) {
      if (!isWriteConflict(e) || attempt >= 5) throw e;
    }
  }
}

export async function resetLocalRoutes(scope: FastifyInstance, deps: ServiceDeps): Promise<void> {
  route(scope, {
    method: "POST", url: "/reset", body: Type.Object({}, { additionalProperties: false }),
    handler: async () => {
      const r = await resetEnvironment(deps);
      return { tables_cleared: r.tables.length, seed_file: r.seedFile ?? "", duration_ms: r.durationMs };
    },
  });
}
