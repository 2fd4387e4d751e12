// Users of the environment: create (with a first membership), read, update, delete, list and search.
import type { Prisma, User as UserRow } from "../../generated/prisma/client.js";
import type { Db } from "../../db/client.js";
import { inTransaction } from "../../db/tx.js";
import { keysetPage, prismaKeyset, type KeysetSource } from "../../db/keyset-page.js";
import { invalidArgument } from "../../protocol/errors.js";
import { newId } from "../../protocol/ids.js";
import type { users } from "../../protocol/descriptors.js";
import type { ServiceImplementation } from "../../protocol/rpc.js";
import type { ServiceDeps } from "../deps.js";
import { lockOrganization } from "../organizations/store.js";
import { addMembership, removeMembership } from "./membership-writes.js";
import { mapOf, userMessage } from "./mapping.js";
import { profileForCreate, profileForUpdate } from "./profile.js";
import { findUser, lockUser, userConflict, userKeyOf, userView, userViews } from "./store.js";
import { deleteAccountsOf } from "../connected-accounts/store.js";
import { checkEmail, checkExternalId, checkMap, checkSearchQuery, listPageSize, optionalExternalId, searchPageSize } from "./validation.js";

type Methods = ServiceImplementation<typeof users.UserService>["methods"];

export function usersWhere(db: Db, where: Prisma.UserWhereInput): KeysetSource<UserRow> {
  return prismaKeyset(db.user, where);
}

/** Case-insensitive substring match over email, id and external id; LIKE's own wildcards are escaped. */
export function searchWhere(query: string): Prisma.UserWhereInput {
  const like = { contains: checkSearchQuery(query).replace(/[\\%_]/g, (c) => `\\${c}`), mode: "insensitive" as const };
  return { OR: [{ email: like }, { id: like }, { externalId: like }] };
}

const sameMap = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

export function userCrud({ db, outbox, environmentId, config }: ServiceDeps): Methods {
  const message = (v: Awaited<ReturnType<typeof userView>>) => userMessage(v, environmentId);
  const pageOf = async (where: Prisma.UserWhereInput, size: number, token: string, org?: string) => {
    const page = await keysetPage(usersWhere(db, where), size, token);
    const views = await userViews(db, page.items, org);
    return { users: views.map(message), totalSize: page.totalSize, nextPageToken: page.nextPageToken, prevPageToken: page.prevPageToken };
  };

  return {
    async createUserAndMembership(req) {
      const u = req.user;
      if (!u) throw invalidArgument("user", "is required");
      const email = checkEmail(u.email);
      const values = {
        id: newId("usr"), profileId: newId("usp"), email, emailKey: email.toLowerCase(),
        externalId: optionalExternalId(u.externalId), metadata: checkMap("metadata", u.metadata, 10), ...profileForCreate(u.userProfile),
      };
      const membershipMetadata = checkMap("membership.metadata", u.membership?.metadata ?? {}, 10);
      try {
        const row = await inTransaction(db, async (tx) => {
          const org = await lockOrganization(tx, { id: req.organizationId });
          const user = await tx.user.create({ data: values });
          await addMembership(tx, outbox, environmentId, config.environmentUrl, {
            org, user, roleNames: (u.membership?.roles ?? []).map((r) => r.name), metadata: membershipMetadata,
            inviterEmail: u.membership?.inviterEmail, invite: req.sendInvitationEmail ?? true,
          });
          return userView(tx, user);
        });
        return { user: message(row) };
      } catch (e) {
        throw userConflict(e, values);
      }
    },

    async getUser(req) {
      return { user: message(await userView(db, await findUser(db, userKeyOf(req.identities)))) };
    },

    async updateUser(req) {
      const key = userKeyOf(req.identities);
      const patch = req.user;
      if (!patch) throw invalidArgument("user", "is required");
      const data: Prisma.UserUpdateInput = profileForUpdate(patch.userProfile);
      if (patch.externalId !== undefined) data.externalId = patch.externalId ? checkExternalId(patch.externalId) : null;
      const metadata = Object.keys(patch.metadata).length ? checkMap("metadata", patch.metadata, 10) : undefined;
      try {
        const view = await inTransaction(db, async (tx) => {
          const current = await lockUser(tx, key);
          if (metadata && !sameMap(metadata, mapOf(current.metadata))) data.metadata = metadata;
          if (!Object.keys(data).length) return userView(tx, current);
          return userView(tx, await tx.user.update({ where: { id: current.id }, data: { ...data, updateTime: new Date() } }));
        });
        return { user: message(view) };
      } catch (e) {
        throw userConflict(e, { externalId: typeof data.externalId === "string" ? data.externalId : undefined });
      }
    },

    /** Removes the user everywhere: each membership goes with its event, then the user (sessions cascade). */
    async deleteUser(req) {
      const key = userKeyOf(req.identities);
      await inTransaction(db, async (tx) => {
        const user = await lockUser(tx, key);
        const memberships = await tx.membership.findMany({ where: { userId: user.id }, include: { organization: true } });
        for (const m of memberships) await removeMembership(tx, outbox, environmentId, m.organization, user);
        await tx.roleAssignment.deleteMany({ where: { userId: user.id } });
        await deleteAccountsOf(tx, outbox, { userId: user.id });
        await tx.user.delete({ where: { id: user.id } });
      });
      return {};
    },

    async listUsers(req) {
      return pageOf({}, listPageSize(req.pageSize), req.pageToken);
    },

    async searchUsers(req) {
      return pageOf(searchWhere(req.query), searchPageSize(req.pageSize), req.pageToken);
    },
  };
}
