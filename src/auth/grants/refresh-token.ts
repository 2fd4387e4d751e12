// refresh_token: rotates on every use. Presenting a token that was already rotated is reuse (a copy is in the
// wrong hands): the whole family and its session are revoked. A refresh also fails once its session ended
// (logout, revocation through SessionService, expiry); an expiry found here is recorded as the session's.
import { inTransaction } from "../../db/tx.js";
import { effectiveStatus, lapseOf } from "../../api/sessions/mapping.js";
import { createRefreshToken, mintUserTokens, refreshTokenHash } from "../user-tokens.js";
import { timeoutsOf } from "../../api/auth/login/sessions.js";
import { loginClientOf } from "./public-client.js";
import type { Grant } from "./types.js";
import { TokenError } from "./types.js";

export const refreshTokenGrant: Grant = {
  type: "refresh_token",
  publicClients: true,
  async issue(ctx) {
    const { form, deps } = ctx;
    const { db, hashKey } = deps.services;
    if (!form.refresh_token) throw new TokenError("invalid_request", "refresh_token is required");
    const client = await loginClientOf(ctx);
    const row = await db.refreshToken.findUnique({ where: { tokenHash: refreshTokenHash(hashKey, form.refresh_token) } });
    if (!row) throw new TokenError("invalid_grant", "the refresh token is invalid");
    if (row.clientId !== client.id) throw new TokenError("invalid_grant", "the refresh token was issued to another client");
    if (row.revokedAt) throw new TokenError("invalid_grant", "the refresh token was revoked");

    const reuse = async () => {
      const now = new Date();
      await inTransaction(db, async (tx) => {
        await tx.refreshToken.updateMany({ where: { familyId: row.familyId, revokedAt: null }, data: { revokedAt: now } });
        await tx.userSession.updateMany({ where: { id: row.sessionId, status: "active" }, data: { status: "revoked", expiredAt: now, updatedAt: now } });
      });
      return new TokenError("invalid_grant", "the refresh token was already used; its session and every token of it are revoked");
    };
    if (row.rotatedAt) throw await reuse();
    if (row.expiresAt <= new Date()) throw new TokenError("invalid_grant", "the refresh token expired");

    const result = await inTransaction(db, async (tx) => {
      const now = new Date();
      const session = await tx.userSession.findUnique({ where: { id: row.sessionId } });
      if (!session) return new TokenError("invalid_grant", "the session of this refresh token no longer exists");
      const { status } = effectiveStatus(session, now);
      if (status !== "active") {
        if (status === "expired" && session.status === "active")
          await tx.userSession.update({ where: { id: session.id }, data: { status: "expired", expiredAt: lapseOf(session), updatedAt: now } });
        return new TokenError("invalid_grant", `the session of this refresh token has ended (${status})`);
      }
      const rotated = await tx.refreshToken.updateMany({ where: { id: row.id, rotatedAt: null, revokedAt: null }, data: { rotatedAt: now } });
      if (rotated.count !== 1) return "reuse" as const;
      const org = session.organizationId ? await tx.organization.findUnique({ where: { id: session.organizationId } }) : null;
      const { idle } = timeoutsOf(org);
      await tx.userSession.update({
        where: { id: session.id },
        data: { lastActiveAt: now, updatedAt: now, ...(idle ? { idleExpiresAt: new Date(Math.min(now.getTime() + idle * 1000, session.absoluteExpiresAt.getTime())) } : {}) },
      });
      const subject = {
        sessionId: row.sessionId, userId: row.userId, organizationId: row.organizationId, clientId: row.clientId,
        scopes: row.scopes, connectionId: row.connectionId, accessTokenTtl: client.accessTokenExpiry,
      };
      const next = await createRefreshToken(tx, hashKey, subject, { familyId: row.familyId, codeId: row.codeId, absoluteExpiry: session.absoluteExpiresAt });
      return mintUserTokens(deps, tx, subject, next);
    });
    if (result === "reuse") throw await reuse();
    if (result instanceof TokenError) throw result;
    return result;
  },
};
