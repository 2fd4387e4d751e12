// Login requests of "Bring your own Auth". Opened through the local API (this server has no hosted authorization
// flow to open them); completed once by AuthService/UpdateLoginUserDetails with a conditional UPDATE, so of several
// concurrent calls exactly one wins and the others see the request already completed.
import type { JsonObject } from "@bufbuild/protobuf";
import type { LoginRequest as LoginRequestRow } from "../../generated/prisma/client.js";
import type { Db } from "../../db/client.js";
import { inTransaction } from "../../db/tx.js";
import { failedPrecondition, notFound } from "../../protocol/errors.js";
import { newId } from "../../protocol/ids.js";
import { newAuthRequestId } from "../passwordless/store.js";

/** How long a login request accepts the user's details when its creator names no lifetime. */
export const DEFAULT_LOGIN_REQUEST_TTL_SECONDS = 600;
export const MAX_LOGIN_REQUEST_TTL_SECONDS = 86_400;

export const LOGIN_REQUEST = "login request";

export async function openLoginRequest(db: Db, connectionId: string, ttlSeconds = DEFAULT_LOGIN_REQUEST_TTL_SECONDS): Promise<LoginRequestRow> {
  return inTransaction(db, async (tx) => {
    if (!(await tx.connection.findUnique({ where: { id: connectionId }, select: { id: true } }))) throw notFound("connection", connectionId);
    const now = new Date();
    return tx.loginRequest.create({
      data: {
        id: newId("lri"), connectionId, authRequestId: newAuthRequestId(), status: "PENDING",
        expiresAt: new Date(now.getTime() + ttlSeconds * 1000), createdAt: now, updatedAt: now,
      },
    });
  });
}

export async function findLoginRequest(db: Db, id: string): Promise<LoginRequestRow> {
  const row = await db.loginRequest.findUnique({ where: { id } });
  if (!row) throw notFound(LOGIN_REQUEST, id);
  return row;
}

/**
 * Records the user's details on a pending, unexpired login request of the connection: USER_SET, or FAILED when the
 * app reports the login failed. Only the first call can match `status = 'PENDING'`.
 */
export async function completeLoginRequest(
  db: Db, p: { connectionId: string; loginRequestId: string; user: JsonObject; failed: boolean },
): Promise<LoginRequestRow> {
  const now = new Date();
  const [row] = await db.loginRequest.updateManyAndReturn({
    where: { id: p.loginRequestId, connectionId: p.connectionId, status: "PENDING", expiresAt: { gt: now } },
    data: { status: p.failed ? "FAILED" : "USER_SET", user: p.user, updatedAt: now },
  });
  if (row) return row;

  // nothing matched: say why, most specific first
  if (!(await db.connection.findUnique({ where: { id: p.connectionId }, select: { id: true } }))) throw notFound("connection", p.connectionId);
  const found = await db.loginRequest.findUnique({ where: { id: p.loginRequestId } });
  // another connection's request is as unknown as a missing one
  if (!found || found.connectionId !== p.connectionId) throw notFound(LOGIN_REQUEST, p.loginRequestId);
  if (found.status !== "PENDING") throw failedPrecondition(`login request ${found.id} is already completed (${found.status}); user details are accepted once`);
  throw failedPrecondition(`login request ${found.id} expired at ${found.expiresAt.toISOString()}`);
}
