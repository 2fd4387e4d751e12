// Invitations: issuing one (token, expiry, the email in the local mailbox, the event) and ResendInvite, which
// reminds while the invitation is valid, issues a new one once it expired, and refuses an accepted one.
import { randomBytes } from "node:crypto";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Membership as MembershipRow, Organization as OrganizationRow, User as UserRow } from "../../generated/prisma/client.js";
import { inTransaction, type Tx } from "../../db/tx.js";
import { deliverMail } from "../../mail/mailbox.js";
import { commons, type users } from "../../protocol/descriptors.js";
import { Code } from "@connectrpc/connect";
import { apiError } from "../../protocol/errors.js";
import type { ServiceImplementation } from "../../protocol/rpc.js";
import type { ServiceDeps } from "../deps.js";
import { lockOrganization } from "../organizations/store.js";
import { emitMembershipEvent, findMembership, lockUser } from "./store.js";

type Methods = ServiceImplementation<typeof users.UserService>["methods"];

/** How long an invitation stays valid; there is no setting for it yet. */
export const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** The membership columns of a fresh invitation. */
export function freshInvite(now: Date) {
  return {
    status: commons.MembershipStatus.PENDING_INVITE, invitedAt: now, expiresAt: new Date(now.getTime() + INVITE_TTL_MS),
    inviteToken: randomBytes(24).toString("base64url"),
  };
}

export function inviteLink(environmentUrl: string, token: string): string {
  return `${environmentUrl.replace(/\/$/, "")}/invite/accept?token=${token}`;
}

export async function mailInvite(tx: Tx, environmentUrl: string, org: OrganizationRow, user: UserRow, m: MembershipRow, reminder: boolean) {
  const link = inviteLink(environmentUrl, m.inviteToken ?? "");
  const subject = `${reminder ? "Reminder: you" : "You"} have been invited to join ${org.displayName}`;
  const by = m.inviterEmail ? ` by ${m.inviterEmail}` : "";
  await deliverMail(tx, {
    to: user.email, kind: "invitation", subject, links: [link],
    body: `You have been invited${by} to join ${org.displayName}.\n\nAccept the invitation: ${link}\n\nThe invitation expires at ${m.expiresAt?.toISOString()}.\n`,
  });
}

export function inviteMessage(m: MembershipRow) {
  return {
    organizationId: m.organizationId, userId: m.userId, inviterEmail: m.inviterEmail ?? undefined, status: "PENDING_INVITE",
    createdAt: m.invitedAt ? timestampFromDate(m.invitedAt) : undefined, expiresAt: m.expiresAt ? timestampFromDate(m.expiresAt) : undefined,
    resentAt: m.resentAt ? timestampFromDate(m.resentAt) : undefined, resentCount: m.resentCount,
  };
}

export function inviteMethods({ db, outbox, environmentId, config }: ServiceDeps): Methods {
  return {
    async resendInvite(req) {
      const m = await inTransaction(db, async (tx) => {
        const org = await lockOrganization(tx, { id: req.organizationId });
        const user = await lockUser(tx, { id: req.id });
        const current = await findMembership(tx, org.id, user.id);
        if (current.status !== commons.MembershipStatus.PENDING_INVITE && current.status !== commons.MembershipStatus.INVITE_EXPIRED)
          // the cloud's words (the Node SDK's own tests look for "invite not found"): no pending invite to resend
          throw apiError(Code.NotFound, "invite not found", {
            resourceInfo: { resourceName: user.id, description: `user ${user.id} has no pending invite to organization ${org.id}` },
          });
        const now = new Date();
        const expired = current.status === commons.MembershipStatus.INVITE_EXPIRED || !current.expiresAt || current.expiresAt <= now;
        const updated = await tx.membership.update({
          where: { organizationId_userId: { organizationId: org.id, userId: user.id } },
          data: { ...(expired ? freshInvite(now) : {}), resentAt: now, resentCount: { increment: 1 } },
        });
        await mailInvite(tx, config.environmentUrl, org, user, updated, !expired);
        await emitMembershipEvent(outbox, tx, "user.organization_invitation", org, user, environmentId);
        return updated;
      });
      return { invite: inviteMessage(m) };
    },
  };
}
