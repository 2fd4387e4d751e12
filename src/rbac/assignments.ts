// Role holders: role_assignments(organization_id, user_id, role_id), one row per role a user holds in an
// organization: a membership's roles (src/api/users). The membership writer deletes a membership's rows with it
// (there is no foreign key to memberships yet, because RBAC tests insert holders without users).
//
// Shape:
//   memberships(organization_id, user_id, status, metadata, …)   PRIMARY KEY (organization_id, user_id)
//   role_assignments(organization_id, user_id, role_id)           PRIMARY KEY (organization_id, user_id, role_id)
//     FOREIGN KEY (organization_id, user_id) REFERENCES memberships ON DELETE CASCADE   -- added then
//     FOREIGN KEY (role_id) REFERENCES roles ON DELETE NO ACTION                      -- exists now
// A membership's `roles` are its assignment rows; creating a membership without roles assigns the organization's
// default member role (role_defaults scope = org id, else scope ""), and the organization's creator gets the
// environment's default creator role. A role held in an organization must be an environment role or one of that
// organization's roles; the membership writer checks it (a foreign key cannot express "null or equal").
// Effective permissions of a member: effectivePermissionsOfUser() in ./effective.ts, one recursive query.
import { empty, sql } from "../db/sql.js";
import type { Db } from "../db/client.js";
import type { Tx } from "../db/tx.js";
import { rolesBelow } from "./graph.js";

/** Rows holding exactly this role (no inheritance): what blocks deleting it without a reassignment. */
export function directHolders(db: Db | Tx, roleId: string): Promise<number> {
  return db.roleAssignment.count({ where: { roleId } });
}

/**
 * Distinct users who have the role: holding it directly or holding a role that extends it (they carry its
 * permissions). `organizationId` limits the count to one organization's members.
 */
export async function usersWithRole(db: Db | Tx, roleId: string, organizationId?: string): Promise<number> {
  const inOrg = organizationId === undefined ? empty : sql`AND a.organization_id = ${organizationId}`;
  const rows = await db.$queryRaw<{ n: number }[]>`
    ${rolesBelow(roleId)}
    SELECT count(DISTINCT a.user_id)::int AS n
    FROM role_assignments a
    WHERE a.role_id IN (SELECT id FROM below) ${inOrg}`;
  return Number(rows[0]?.n ?? 0);
}

/** Moves every holder of `fromRoleId` to `toRoleId`; someone already holding both keeps one row. */
export async function reassignHolders(tx: Tx, fromRoleId: string, toRoleId: string): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO role_assignments (organization_id, user_id, role_id)
    SELECT organization_id, user_id, ${toRoleId} FROM role_assignments WHERE role_id = ${fromRoleId}
    ON CONFLICT DO NOTHING`;
  await tx.roleAssignment.deleteMany({ where: { roleId: fromRoleId } });
}
