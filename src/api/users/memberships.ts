// Memberships of existing users, organization user listings, and the roles and permissions a member holds.
import type { Role as RoleRow } from "../../generated/prisma/client.js";
import type { Tx } from "../../db/tx.js";
import { inTransaction } from "../../db/tx.js";
import { keysetPage } from "../../db/keyset-page.js";
import { effectivePermissionsOfUser } from "../../rbac/effective.js";
import { chainOf } from "../../rbac/graph.js";
import { invalidArgument, notFound } from "../../protocol/errors.js";
import type { users } from "../../protocol/descriptors.js";
import type { ServiceImplementation } from "../../protocol/rpc.js";
import type { ServiceDeps } from "../deps.js";
import { lockOrganization } from "../organizations/store.js";
import { findVisibleRole, requireOrganization } from "../roles/store.js";
import { addMembership, removeMembership, rolesForMembership, setRoles } from "./membership-writes.js";
import { mapOf, userMessage } from "./mapping.js";
import { emitMembershipEvent, findMembership, findUser, lockUser, userKeyOf, userView, userViews } from "./store.js";
import { usersWhere, searchWhere } from "./users.js";
import { checkMap, listPageSize, searchPageSize } from "./validation.js";

type Methods = ServiceImplementation<typeof users.UserService>["methods"];

const sameMap = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

async function heldRoles(tx: Tx, organizationId: string, userId: string): Promise<RoleRow[]> {
  const rows = await tx.roleAssignment.findMany({ where: { organizationId, userId }, include: { role: true }, orderBy: { createTime: "asc" } });
  return rows.map((r) => r.role);
}

export function membershipMethods({ db, outbox, environmentId, config }: ServiceDeps): Methods {
  const message = (v: Awaited<ReturnType<typeof userView>>) => userMessage(v, environmentId);
  const orgPage = async (organizationId: string, where: Parameters<typeof usersWhere>[1], size: number, token: string) => {
    await requireOrganization(db, organizationId);
    const page = await keysetPage(usersWhere(db, { AND: [where, { memberships: { some: { organizationId } } }] }), size, token);
    const views = await userViews(db, page.items);
    return { users: views.map(message), totalSize: page.totalSize, nextPageToken: page.nextPageToken, prevPageToken: page.prevPageToken };
  };
  /** Runs `fn` on a member under both row locks, then returns the user as it is afterwards. */
  const onMember = <T>(organizationId: string, userId: string, fn: (tx: Tx, org: Awaited<ReturnType<typeof lockOrganization>>, user: Awaited<ReturnType<typeof lockUser>>) => Promise<T>) =>
    inTransaction(db, async (tx) => {
      const org = await lockOrganization(tx, { id: organizationId });
      const user = await lockUser(tx, { id: userId });
      await findMembership(tx, org.id, user.id);
      return fn(tx, org, user);
    });

  return {
    async createMembership(req) {
      const key = userKeyOf(req.identities);
      const metadata = checkMap("membership.metadata", req.membership?.metadata ?? {}, 10);
      const view = await inTransaction(db, async (tx) => {
        const org = await lockOrganization(tx, { id: req.organizationId });
        const user = await lockUser(tx, key);
        await addMembership(tx, outbox, environmentId, config.environmentUrl, {
          org, user, roleNames: (req.membership?.roles ?? []).map((r) => r.name), metadata,
          inviterEmail: req.membership?.inviterEmail, invite: req.sendInvitationEmail ?? true,
        });
        return userView(tx, user);
      });
      return { user: message(view) };
    },

    /** A non-empty roles list replaces the roles; the SDK always sends empty roles and metadata, meaning "unchanged". */
    async updateMembership(req) {
      const key = userKeyOf(req.identities);
      const patch = req.membership;
      const metadata = patch && Object.keys(patch.metadata).length ? checkMap("membership.metadata", patch.metadata, 10) : undefined;
      const roleNames = (patch?.roles ?? []).map((r) => r.name).filter((n) => n);
      const view = await inTransaction(db, async (tx) => {
        const org = await lockOrganization(tx, { id: req.organizationId });
        const user = await lockUser(tx, key);
        const current = await findMembership(tx, org.id, user.id);
        let changed = false;
        if (roleNames.length) {
          const want = await rolesForMembership(tx, org.id, roleNames);
          const had = (await heldRoles(tx, org.id, user.id)).map((r) => r.id).sort();
          if (JSON.stringify(had) !== JSON.stringify(want.map((r) => r.id).sort())) {
            await setRoles(tx, org.id, user.id, want);
            changed = true;
          }
        }
        if (metadata && !sameMap(metadata, mapOf(current.metadata))) {
          await tx.membership.update({ where: { organizationId_userId: { organizationId: org.id, userId: user.id } }, data: { metadata } });
          changed = true;
        }
        if (changed) await emitMembershipEvent(outbox, tx, "user.organization_membership_updated", org, user, environmentId);
        return userView(tx, user);
      });
      return { user: message(view) };
    },

    /** With cascade, a user left without memberships is deleted too. */
    async deleteMembership(req) {
      const key = userKeyOf(req.identities);
      await inTransaction(db, async (tx) => {
        const org = await lockOrganization(tx, { id: req.organizationId });
        const user = await lockUser(tx, key);
        await findMembership(tx, org.id, user.id);
        await removeMembership(tx, outbox, environmentId, org, user);
        if (req.cascade && !(await tx.membership.count({ where: { userId: user.id } }))) {
          await tx.user.delete({ where: { id: user.id } });
        }
      });
      return {};
    },

    async listOrganizationUsers(req) {
      return orgPage(req.organizationId, {}, listPageSize(req.pageSize), req.pageToken);
    },

    async searchOrganizationUsers(req) {
      return orgPage(req.organizationId, searchWhere(req.query), searchPageSize(req.pageSize), req.pageToken);
    },

    /** The roles held directly and the roles they extend, each once, nearest first. */
    async listUserRoles(req) {
      await requireOrganization(db, req.organizationId);
      await findUser(db, { id: req.userId });
      await findMembership(db, req.organizationId, req.userId);
      const direct = await db.roleAssignment.findMany({ where: { organizationId: req.organizationId, userId: req.userId }, orderBy: { createTime: "asc" } });
      const seen = new Set<string>();
      const ids: string[] = [];
      for (const a of direct) for (const r of await chainOf(db, a.roleId)) if (!seen.has(r.id)) { seen.add(r.id); ids.push(r.id); }
      const rows = await db.role.findMany({ where: { id: { in: ids } } });
      const byId = new Map(rows.map((r) => [r.id, r]));
      return { roles: ids.map((id) => byId.get(id)!).map((r) => ({ id: r.id, name: r.name, displayName: r.displayName })) };
    },

    async listUserPermissions(req) {
      await requireOrganization(db, req.organizationId);
      await findUser(db, { id: req.userId });
      await findMembership(db, req.organizationId, req.userId);
      const perms = await effectivePermissionsOfUser(db, req.organizationId, req.userId);
      return { permissions: perms.map((p) => ({ id: p.id, name: p.name, description: p.description, tags: [] })) };
    },

    /** Adds roles to the membership (those already held stay); answers with every role now held. */
    async assignUserRoles(req) {
      if (!req.roles.length) throw invalidArgument("roles", "at least one role is required");
      const held = await onMember(req.organizationId, req.userId, async (tx, org, user) => {
        const before = await heldRoles(tx, org.id, user.id);
        const add: RoleRow[] = [];
        for (const r of req.roles) {
          if (r.roleName) add.push(await findVisibleRole(tx, org.id, r.roleName));
          else if (r.id) {
            const byId = await tx.role.findFirst({ where: { id: r.id, OR: [{ organizationId: null }, { organizationId: org.id }] } });
            if (!byId) throw notFound("role", r.id);
            add.push(byId);
          } else throw invalidArgument("roles", "each role needs an id or a role_name");
        }
        const next = [...before, ...add.filter((r) => !before.some((b) => b.id === r.id))];
        if (next.length !== before.length) {
          await setRoles(tx, org.id, user.id, next);
          await emitMembershipEvent(outbox, tx, "user.organization_membership_updated", org, user, environmentId);
        }
        return heldRoles(tx, org.id, user.id);
      });
      return { roles: held.map((r) => ({ id: r.id, name: r.name, displayName: r.displayName })) };
    },

    async removeUserRole(req) {
      await onMember(req.organizationId, req.userId, async (tx, org, user) => {
        const role = await findVisibleRole(tx, org.id, req.roleName);
        const { count } = await tx.roleAssignment.deleteMany({ where: { organizationId: org.id, userId: user.id, roleId: role.id } });
        if (!count) throw notFound(`role ${req.roleName} of user`, user.id);
        await emitMembershipEvent(outbox, tx, "user.organization_membership_updated", org, user, environmentId);
      });
      return {};
    },
  };
}
