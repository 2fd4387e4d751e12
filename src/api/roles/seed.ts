// The roles every new Scalekit environment starts with: `admin` (given to whoever creates an organization) and
// `member` (given to members added without roles). They are ordinary environment roles afterwards: a user may
// rename, extend, delete or replace them, and the defaults may point elsewhere (UpdateDefaultRoles).
import type { Tx } from "../../db/tx.js";
import { newId } from "../../protocol/ids.js";

export const DEFAULT_ENVIRONMENT_ROLES = [
  { name: "admin", displayName: "Admin", description: "Can manage the organization: its settings, members and their roles" },
  { name: "member", displayName: "Member", description: "A member of the organization" },
] as const;

/**
 * Adds the two roles and makes them the environment's defaults. No events: nothing subscribes before the
 * environment exists, and the cloud sends none for its own provisioning either.
 */
export async function seedDefaultRoles(tx: Tx): Promise<void> {
  const ids: Record<string, string> = {};
  for (const r of DEFAULT_ENVIRONMENT_ROLES) {
    const row = await tx.role.create({
      data: { id: newId("role"), scope: "", organizationId: null, name: r.name, displayName: r.displayName, description: r.description },
    });
    ids[r.name] = row.id;
  }
  const data = { creatorRoleId: ids.admin, memberRoleId: ids.member };
  await tx.roleDefault.upsert({ where: { scope: "" }, create: { scope: "", ...data }, update: data });
}
