// Effective permissions: a role's own permissions plus those of every role up its `extends` chain, each permission
// once, attributed to the nearest role that grants it. Always one recursive query, whatever the depth or the
// number of starting roles, so a 10-deep chain costs one round trip, not ten.
import { sql, type Sql } from "../db/sql.js";
import type { Db } from "../db/client.js";
import type { Tx } from "../db/tx.js";

export interface EffectivePermission {
  id: string;
  name: string;
  description: string;
  isScalekit: boolean;
  createTime: Date;
  updateTime: Date;
  /** the nearest role of the chain that grants it directly (the start role itself for direct permissions) */
  sourceRoleId: string;
  sourceRoleName: string;
  /** 0 for a direct permission, 1 for the base role's, … */
  depth: number;
}

interface Row {
  start_id: string; id: string; name: string; description: string; is_scalekit: boolean;
  create_time: Date; update_time: Date; source_role_id: string; source_role_name: string; depth: number;
}

/**
 * The recursive query. `seed` selects the starting roles from `roles r`. With `perStart` every starting role
 * keeps its own set (role listings); without it the sets are merged (what a user holding those roles may do).
 * The path array stops the walk on a cycle, which the write side never lets in; it is only a guard.
 * The nearest grant is chosen on narrow id rows before permissions are joined (a 10-deep chain granting the same
 * 500 permissions at every level sorts 5,000 id pairs, not 5,000 full rows), and byte order (COLLATE "C") makes
 * the order the same on every database whatever its default collation, and cheaper to compute.
 */
function query(seed: Sql, perStart: boolean): Sql {
  const start = perStart ? sql`c.start_id` : sql`''`;
  return sql`
    WITH RECURSIVE chain(start_id, role_id, depth, path) AS (
      SELECT r.id, r.id, 0, ARRAY[r.id] FROM roles r WHERE ${seed}
      UNION ALL
      SELECT c.start_id, r.base_role_id, c.depth + 1, c.path || r.base_role_id
      FROM chain c JOIN roles r ON r.id = c.role_id
      WHERE r.base_role_id IS NOT NULL AND NOT r.base_role_id = ANY(c.path)
    ),
    reach AS (
      SELECT ${start} AS start_id, c.role_id, min(c.depth) AS depth FROM chain c GROUP BY 1, 2
    ),
    best AS (
      SELECT DISTINCT ON (reach.start_id COLLATE "C", rp.permission_id COLLATE "C")
        reach.start_id, rp.permission_id, reach.role_id, reach.depth
      FROM reach JOIN role_permissions rp ON rp.role_id = reach.role_id
      ORDER BY reach.start_id COLLATE "C", rp.permission_id COLLATE "C", reach.depth, reach.role_id COLLATE "C"
    )
    SELECT best.start_id, p.id, p.name, p.description, p.is_scalekit, p.create_time, p.update_time,
      src.id AS source_role_id, src.name AS source_role_name, best.depth
    FROM best
    JOIN permissions p ON p.id = best.permission_id
    JOIN roles src ON src.id = best.role_id
    ORDER BY best.start_id COLLATE "C", p.name COLLATE "C"`;
}

const toPermission = (r: Row): EffectivePermission => ({
  id: r.id, name: r.name, description: r.description, isScalekit: r.is_scalekit, createTime: r.create_time,
  updateTime: r.update_time, sourceRoleId: r.source_role_id, sourceRoleName: r.source_role_name, depth: Number(r.depth),
});

/** The union of the effective permissions of the given roles, ordered by name. Unknown ids contribute nothing. */
export async function effectivePermissionsOfRoles(db: Db | Tx, roleIds: string[]): Promise<EffectivePermission[]> {
  if (!roleIds.length) return [];
  const rows = await db.$queryRaw<Row[]>(query(sql`r.id = ANY(${roleIds}::text[])`, false));
  return rows.map(toPermission);
}

/** Each role's own effective permissions (for listings with include=permissions:all), in one query. */
export async function effectivePermissionsByRole(db: Db | Tx, roleIds: string[]): Promise<Map<string, EffectivePermission[]>> {
  const out = new Map<string, EffectivePermission[]>(roleIds.map((id) => [id, []]));
  if (!roleIds.length) return out;
  const rows = await db.$queryRaw<Row[]>(query(sql`r.id = ANY(${roleIds}::text[])`, true));
  for (const r of rows) out.get(r.start_id)?.push(toPermission(r));
  return out;
}

/**
 * The union for roles named as an organization sees them: its own roles and the environment's (names never
 * clash between the two, see src/rbac/graph.ts). `organizationId` null means environment roles only.
 */
export async function effectivePermissionsOfRoleNames(db: Db | Tx, organizationId: string | null, names: string[]): Promise<EffectivePermission[]> {
  if (!names.length) return [];
  const visible = organizationId === null
    ? sql`r.organization_id IS NULL`
    : sql`(r.organization_id IS NULL OR r.organization_id = ${organizationId})`;
  const rows = await db.$queryRaw<Row[]>(query(sql`r.name = ANY(${names}::text[]) AND ${visible}`, false));
  return rows.map(toPermission);
}

/** What a user may do in an organization: the effective permissions of every role the user holds there. */
export async function effectivePermissionsOfUser(db: Db | Tx, organizationId: string, userId: string): Promise<EffectivePermission[]> {
  const held = sql`r.id IN (SELECT a.role_id FROM role_assignments a WHERE a.organization_id = ${organizationId} AND a.user_id = ${userId})`;
  const rows = await db.$queryRaw<Row[]>(query(held, false));
  return rows.map(toPermission);
}
