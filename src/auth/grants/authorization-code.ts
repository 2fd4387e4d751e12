// authorization_code: a code is single-use (a conditional UPDATE claims it), 10 minutes, and bound to the client,
// redirect URI, PKCE challenge and session it was issued for. A replayed code is invalid_grant and revokes the
// refresh tokens it issued (RFC 6749 §4.1.2). Nothing changes when a check fails before the claim.
import { createHash, timingSafeEqual } from "node:crypto";
import { inTransaction } from "../../db/tx.js";
import { authorizationCodeHash, createRefreshToken, mintUserTokens } from "../user-tokens.js";
import { effectiveStatus } from "../../api/sessions/mapping.js";
import { loginClientOf } from "./public-client.js";
import type { Grant } from "./types.js";
import { TokenError } from "./types.js";

const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

function same(a: string, b: string): boolean {
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export const authorizationCodeGrant: Grant = {
  type: "authorization_code",
  publicClients: true,
  async issue(ctx) {
    const { form, deps } = ctx;
    const { db, hashKey } = deps.services;
    if (!form.code) throw new TokenError("invalid_request", "code is required");
    if (!form.redirect_uri) throw new TokenError("invalid_request", "redirect_uri is required");
    const client = await loginClientOf(ctx);
    const row = await db.authorizationCode.findUnique({ where: { codeHash: authorizationCodeHash(hashKey, form.code) } });
    if (!row) throw new TokenError("invalid_grant", "the authorization code is invalid");
    const replay = async () => {
      const now = new Date();
      await db.refreshToken.updateMany({ where: { codeId: row.id, revokedAt: null }, data: { revokedAt: now } });
      return new TokenError("invalid_grant", "the authorization code was already used; the tokens issued for it are revoked");
    };
    if (row.usedAt) throw await replay();
    if (row.expiresAt <= new Date()) throw new TokenError("invalid_grant", "the authorization code expired");
    if (row.clientId !== client.id) throw new TokenError("invalid_grant", "the authorization code was issued to another client");
    if (row.redirectUri !== form.redirect_uri) throw new TokenError("invalid_grant", "redirect_uri does not match the authorization request");
    if (row.codeChallenge) {
      const v = form.code_verifier;
      if (!v) throw new TokenError("invalid_grant", "code_verifier is required (the authorization request used PKCE)");
      if (!VERIFIER.test(v)) throw new TokenError("invalid_grant", "code_verifier must be 43-128 characters of A-Z a-z 0-9 - . _ ~");
      const derived = row.codeChallengeMethod === "S256" ? createHash("sha256").update(v).digest("base64url") : v;
      if (!same(derived, row.codeChallenge)) throw new TokenError("invalid_grant", "code_verifier does not match the code_challenge");
    } else {
      if (form.code_verifier) throw new TokenError("invalid_grant", "code_verifier was sent but the authorization request had no code_challenge");
      if (!client.confidential) throw new TokenError("invalid_client", "client_secret is required (the authorization request used no PKCE)");
    }

    return inTransaction(db, async (tx) => {
      const now = new Date();
      const claimed = await tx.authorizationCode.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: now } });
      if (claimed.count !== 1) return Promise.reject(new TokenError("invalid_grant", "the authorization code was already used"));
      const session = await tx.userSession.findUnique({ where: { id: row.sessionId } });
      if (!session || effectiveStatus(session, now).status !== "active") throw new TokenError("invalid_grant", "the session of this authorization code has ended");
      const subject = {
        sessionId: row.sessionId, userId: row.userId, organizationId: row.organizationId, clientId: row.clientId,
        scopes: row.scopes, connectionId: row.connectionId, accessTokenTtl: client.accessTokenExpiry, nonce: row.nonce, code: form.code,
      };
      const refresh = row.scopes.includes("offline_access")
        ? await createRefreshToken(tx, hashKey, subject, { codeId: row.id, absoluteExpiry: session.absoluteExpiresAt }) : undefined;
      return mintUserTokens(deps, tx, subject, refresh);
    });
  },
};
