// The role graph: every role extends at most one base role, so the graph is a forest as long as no cycle gets in.
// A cycle check reads the graph and then writes an edge; two transactions doing that concurrently (a→b and b→a)
// could each pass their check and together close a loop. So every change to roles takes one transaction-scoped
// lock first, and checks run against a graph nobody else is changing. Role writes are rare administrative calls,
// so serialising them costs nothing that matters; reads never take the lock. The lock is the transaction's first
// statement and transactions run READ COMMITTED (the default), so every statement after it sees all that earlier
// holders committed.
import { sql, type Sql } from "../db/sql.js";
import type { Db } from "../db/client.js";
import type { Tx } from "../db/tx.js";

// Arbitrary but fixed: one role graph per database (one environment per server).
const ROLE_GRAPH_LOCK_KEY = 7_262_911_2041;

export async function lockRoleGraph(tx: Tx): Promise<void> {
  await tx.$queryRaw(sql`SELECT 1 AS locked FROM pg_advisory_xact_lock(${ROLE_GRAPH_LOCK_KEY}::bigint)`);
}

export interface RoleRef { id: string; name: string }

/**
 * The role itself followed by its bases, nearest first. The path guard makes the walk finish even on a graph
 * that somehow holds a cycle, so a reader can never spin.
 */
export async function chainOf(db: Db | Tx, roleId: string): Promise<RoleRef[]> {
  return db.$queryRaw<RoleRef[]>`
    WITH RECURSIVE up(id, depth, path) AS (
      SELECT id, 0, ARRAY[id] FROM roles WHERE id = ${roleId}
      UNION ALL
      SELECT r.base_role_id, up.depth + 1, up.path || r.base_role_id
      FROM up JOIN roles r ON r.id = up.id
      WHERE r.base_role_id IS NOT NULL AND NOT r.base_role_id = ANY(up.path)
    )
    SELECT up.id, r.name FROM up JOIN roles r ON r.id = up.id ORDER BY up.depth`;
}

/**
 * Why `roleId` may not extend `baseId`: the loop it would close, as role names (["a", "b", "a"]), or undefined
 * when the edge is safe. Call it under lockRoleGraph so the answer still holds when the edge is written.
 */
export async function cycleThrough(tx: Tx, roleId: string, baseId: string): Promise<string[] | undefined> {
  const chain = await chainOf(tx, baseId);
  const at = chain.findIndex((r) => r.id === roleId);
  if (at < 0) return undefined;
  const names = chain.slice(0, at + 1).map((r) => r.name);
  return at === 0 ? [names[0], names[0]] : [chain[at].name, ...names];
}

/**
 * `below(id)`: the role and every role that extends it, directly or through others. The path guard keeps a
 * cycle that somehow got in from recursing forever. One fragment for every query that walks down the graph.
 */
export function rolesBelow(roleId: string): Sql {
  return sql`WITH RECURSIVE below(id, path) AS (
      SELECT id, ARRAY[id] FROM roles WHERE id = ${roleId}
      UNION ALL
      SELECT r.id, below.path || r.id
      FROM below JOIN roles r ON r.base_role_id = below.id
      WHERE NOT r.id = ANY(below.path)
    )`;
}

/** Ids of the role and of every role that extends it, directly or through others. */
export async function descendantsOf(db: Db | Tx, roleId: string): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`${rolesBelow(roleId)} SELECT id FROM below`;
  return rows.map((r) => r.id);
}
