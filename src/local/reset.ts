// Reset: back to what a fresh environment has, in one transaction, keeping the environment itself (its id, signing
// keys and client credentials, so SDK clients stay valid). Which tables are data comes from the database catalog
// (tables.ts), so a table a migration adds is reset without anyone remembering to list it.
//
// Concurrency: a write in flight either commits before the reset (and is removed by it) or touches rows the reset
// deletes and waits for its commit, then runs after it (and then fails on a missing parent like any write racing a delete, or
// succeeds against the fresh state). The webhook worker's claim and completion statements wait the same way; a
// completion for a delivery the reset removed updates and records nothing (queue.ts joins on the delivery row).
// Deletes fire no insert rule, so no NOTIFY is sent for what they remove; the fresh seed's own events notify as usual.
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

/**
 * Removes the environment's data inside `tx`; returns the data tables. Row-wise DELETEs, children first, so each
 * cascade finds its children gone: TRUNCATE of the ~40 tables costs ~900 ms on PostgreSQL (a new file per table
 * and index, synced at commit) against ~20 ms of DELETEs; both lock out writers until the commit.
 */
export async function clearData(tx: Tx, catalog: Catalog): Promise<string[]> {
  const data = dataTables(catalog);
  for (const t of parentsFirst(data, catalog).reverse()) {
    const keep = KEPT_ROWS[t];
    await tx.$executeRawUnsafe(`DELETE FROM ${quoteIdent(t)}${keep ? ` WHERE NOT (${keep})` : ""}`);
  }
  return data;
}

/** an arbitrary constant naming the reset's advisory lock */
const RESET_LOCK = 0x5eed_0017;

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
        // one reset at a time (replicas included): two would delete the same rows and seed the same names
        await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${RESET_LOCK})`);
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
