// Default roles: the environment's creator role (given to whoever creates an organization) and member role (given
// to new members), and an organization's own member role, which wins over the environment's for that
// organization. Stored in role_defaults, scope "" for the environment and the organization id otherwise.
import type { Role as RoleRow } from "../../generated/prisma/client.js";
import { inTransaction, type Tx } from "../../db/tx.js";
import { invalidArgument, notFound } from "../../protocol/errors.js";
import type { roles } from "../../protocol/descriptors.js";
import type { ServiceImplementation } from "../../protocol/rpc.js";
import { lockRoleGraph } from "../../rbac/graph.js";
import type { ServiceDeps } from "../deps.js";
import { roleMessage } from "./mapping.js";
import { findVisibleRole, requireOrganization, roleViews } from "./store.js";
import { orgIdOf } from "./organization-roles.js";

type Methods = ServiceImplementation<typeof roles.RolesService>["methods"];

/**
 * The role a request names for one default: the current field (`default_member_role`) or the deprecated object
 * (`default_member: {id, name}`). Both may be given if they agree. Undefined when the request leaves it alone.
 */
async function chosenRole(tx: Tx, field: string, name: string | undefined, legacy: roles.UpdateDefaultRole | undefined): Promise<RoleRow | undefined> {
  const picks: RoleRow[] = [];
  if (name) picks.push(await findVisibleRole(tx, null, name));
  if (legacy?.name) picks.push(await findVisibleRole(tx, null, legacy.name));
  if (legacy?.id) {
    const byId = await tx.role.findFirst({ where: { id: legacy.id, organizationId: null } });
    if (!byId) throw notFound("role", legacy.id);
    picks.push(byId);
  }
  if (picks.some((p) => p.id !== picks[0].id))
    throw invalidArgument(field, `names different roles (${[...new Set(picks.map((p) => p.name))].join(", ")})`);
  return picks[0];
}

export function defaultRoles({ db }: ServiceDeps): Methods {
  return {
    /** Environment defaults must be environment roles: they apply in every organization. */
    async updateDefaultRoles(req) {
      const views = await inTransaction(db, async (tx) => {
        await lockRoleGraph(tx);
        const creator = await chosenRole(tx, "default_creator_role", req.defaultCreatorRole, req.defaultCreator);
        const member = await chosenRole(tx, "default_member_role", req.defaultMemberRole, req.defaultMember);
        const data = { ...(creator ? { creatorRoleId: creator.id } : {}), ...(member ? { memberRoleId: member.id } : {}) };
        const row = await tx.roleDefault.upsert({ where: { scope: "" }, create: { scope: "", ...data }, update: data });
        const ids = [row.creatorRoleId, row.memberRoleId].filter((x): x is string => x !== null);
        const rows = await tx.role.findMany({ where: { id: { in: ids } } });
        return roleViews(tx, rows, null);
      });
      const view = (flag: "defaultCreator" | "defaultMember") => views.find((v) => v[flag]);
      const creator = view("defaultCreator");
      const member = view("defaultMember");
      return { defaultCreator: creator && roleMessage(creator), defaultMember: member && roleMessage(member) };
    },

    /** The organization's member default: one of its own roles or an environment role. */
    async updateDefaultOrganizationRoles(req) {
      const org = orgIdOf(req.orgId);
      const view = await inTransaction(db, async (tx) => {
        await lockRoleGraph(tx);
        await requireOrganization(tx, org);
        const role = await findVisibleRole(tx, org, req.defaultMemberRole);
        await tx.roleDefault.upsert({
          where: { scope: org },
          create: { scope: org, organizationId: org, memberRoleId: role.id },
          update: { memberRoleId: role.id },
        });
        return (await roleViews(tx, [role], org))[0];
      });
      return { defaultMember: roleMessage(view) };
    },
  };
}
