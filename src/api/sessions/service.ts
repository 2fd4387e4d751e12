// SessionService: reading and revoking users' sessions (GetSession, GetUserSessions, RevokeSession,
// RevokeAllUserSessions), and creating them for tests through the local API until hosted login exists.
import type { Prisma, UserSession as SessionRow } from "../../generated/prisma/client.js";
import type { Db } from "../../db/client.js";
import { inTransaction } from "../../db/tx.js";
import { keysetPage, prismaKeyset } from "../../db/keyset-page.js";
import { sessions } from "../../protocol/descriptors.js";
import { invalidArgument, notFound } from "../../protocol/errors.js";
import { newId } from "../../protocol/ids.js";
import { implement } from "../../protocol/rpc.js";
import type { ServiceDeps } from "../deps.js";
import { revokedMessage, sessionMessage } from "./mapping.js";

const STATUSES = ["active", "expired", "revoked", "logout"] as const;
const PAGE = { default: 10, max: 100 } as const;

/** Sessions that are active right now: stored active and not past either expiry. */
export function activeAt(now: Date): Prisma.UserSessionWhereInput {
  return { status: "active", absoluteExpiresAt: { gt: now }, OR: [{ idleExpiresAt: null }, { idleExpiresAt: { gt: now } }] };
}

function statusWhere(status: string, now: Date): Prisma.UserSessionWhereInput {
  const s = status.toLowerCase();
  if (s === "active") return activeAt(now);
  if (s === "expired") return { OR: [{ status: "expired" }, { status: "active", NOT: activeAt(now) }] };
  if (s === "revoked" || s === "logout") return { status: s };
  throw invalidArgument("filter.status", `"${status}" is not a session status (${STATUSES.join(", ")})`);
}

async function findUserId(db: Db, userId: string): Promise<string> {
  if (!userId) throw invalidArgument("user_id", "is required");
  if (!(await db.user.findUnique({ where: { id: userId }, select: { id: true } }))) throw notFound("user", userId);
  return userId;
}

export interface NewSession {
  userId: string; organizationId?: string; userAgent?: string; ip?: string; browser?: string; browserVersion?: string;
  os?: string; osVersion?: string; deviceType?: string; idleTimeoutSeconds?: number; absoluteTimeoutSeconds?: number;
}

const DEFAULT_ABSOLUTE_SECONDS = 8 * 60 * 60;

/** Creates a session for an existing user (the local API's test-support route). */
export async function createSession(db: Db, s: NewSession): Promise<SessionRow> {
  const absolute = s.absoluteTimeoutSeconds ?? DEFAULT_ABSOLUTE_SECONDS;
  if (!Number.isInteger(absolute) || absolute <= 0) throw invalidArgument("absolute_timeout_seconds", "must be a positive whole number");
  if (s.idleTimeoutSeconds !== undefined && (!Number.isInteger(s.idleTimeoutSeconds) || s.idleTimeoutSeconds <= 0))
    throw invalidArgument("idle_timeout_seconds", "must be a positive whole number");
  return inTransaction(db, async (tx) => {
    if (!(await tx.user.findUnique({ where: { id: s.userId }, select: { id: true } }))) throw notFound("user", s.userId);
    if (s.organizationId && !(await tx.membership.findUnique({ where: { organizationId_userId: { organizationId: s.organizationId, userId: s.userId } } })))
      throw notFound("membership of user in organization", `${s.userId} / ${s.organizationId}`);
    const now = new Date();
    return tx.userSession.create({
      data: {
        id: newId("ses"), userId: s.userId, organizationId: s.organizationId ?? null,
        authenticatedOrganizations: s.organizationId ? [s.organizationId] : [],
        userAgent: s.userAgent ?? "", ip: s.ip ?? "", browser: s.browser ?? "", browserVersion: s.browserVersion ?? "",
        os: s.os ?? "", osVersion: s.osVersion ?? "", deviceType: s.deviceType ?? "",
        createdAt: now, updatedAt: now, lastActiveAt: now,
        idleExpiresAt: s.idleTimeoutSeconds ? new Date(now.getTime() + s.idleTimeoutSeconds * 1000) : null,
        absoluteExpiresAt: new Date(now.getTime() + absolute * 1000),
      },
    });
  });
}

export function sessionService({ db }: ServiceDeps) {
  return implement(sessions.SessionService, {
    async getSession(req) {
      const row = await db.userSession.findUnique({ where: { id: req.sessionId } });
      if (!row) throw notFound("session", req.sessionId);
      return sessionMessage(row);
    },

    async getUserSessions(req) {
      const userId = await findUserId(db, req.userId);
      const now = new Date();
      const f = req.filter;
      const start = f?.startTime ? new Date(Number(f.startTime.seconds) * 1000 + Math.floor(f.startTime.nanos / 1e6)) : undefined;
      const end = f?.endTime ? new Date(Number(f.endTime.seconds) * 1000 + Math.floor(f.endTime.nanos / 1e6)) : undefined;
      if (start && end && end <= start) throw invalidArgument("filter.end_time", "must be after start_time");
      const and: Prisma.UserSessionWhereInput[] = [{ userId }];
      if (f?.status.length) and.push({ OR: f.status.map((s) => statusWhere(s, now)) });
      if (start || end) and.push({ createdAt: { ...(start ? { gte: start } : {}), ...(end ? { lte: end } : {}) } });
      const where = { AND: and };
      const size = Math.min(req.pageSize || PAGE.default, PAGE.max);
      const page = await keysetPage(prismaKeyset(db.userSession, where), size, req.pageToken);
      return { sessions: page.items.map(sessionMessage), totalSize: page.totalSize, nextPageToken: page.nextPageToken, prevPageToken: page.prevPageToken };
    },

    /** Irreversible; a session that is no longer active is returned as it is. */
    async revokeSession(req) {
      const row = await inTransaction(db, async (tx) => {
        const now = new Date();
        await tx.userSession.updateMany({ where: { AND: [{ id: req.sessionId }, activeAt(now)] }, data: { status: "revoked", expiredAt: now, updatedAt: now } });
        const after = await tx.userSession.findUnique({ where: { id: req.sessionId } });
        if (!after) throw notFound("session", req.sessionId);
        return after;
      });
      return { revokedSession: revokedMessage(row) };
    },

    /** Only active sessions are revoked; expired, logged-out and revoked ones stay as they are. */
    async revokeAllUserSessions(req) {
      const userId = await findUserId(db, req.userId);
      const rows = await inTransaction(db, async (tx) => {
        const now = new Date();
        const active = await tx.userSession.findMany({ where: { AND: [{ userId }, activeAt(now)] }, select: { id: true }, orderBy: { id: "asc" } });
        const ids = active.map((a) => a.id);
        if (!ids.length) return [];
        await tx.userSession.updateMany({ where: { id: { in: ids } }, data: { status: "revoked", expiredAt: now, updatedAt: now } });
        return tx.userSession.findMany({ where: { id: { in: ids } }, orderBy: { id: "asc" } });
      });
      return { revokedSessions: rows.map(revokedMessage), totalRevoked: rows.length };
    },
  });
}
