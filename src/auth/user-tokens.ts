// The tokens of a hosted login (note §3): an access token with the user's roles and effective permissions in
// the session's organization, an ID token whose claims every SDK can decode (strings where Go and Java read
// strings, booleans for *_verified, no object-valued claims), and optionally a rotating refresh token.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { ServiceDeps } from "../api/deps.js";
import type { Tx } from "../db/tx.js";
import { newId } from "../protocol/ids.js";
import { effectivePermissionsOfUser } from "../rbac/effective.js";
import type { KeyStore } from "./keys.js";
import { signJwt } from "./own-jwt.js";
import { hashSecret } from "./secrets.js";

/** exp = iat + 300 and expires_in 299, as Scalekit's full-stack auth answers. */
export const ACCESS_TOKEN_TTL = 300;
export const ID_TOKEN_TTL = 1800;
export const REFRESH_TOKEN_TTL = 30 * 24 * 3600;

export interface IssueDeps { services: ServiceDeps; keys: KeyStore; issuer: string }

export interface TokenSubject {
  sessionId: string;
  userId: string;
  organizationId: string | null;
  clientId: string;
  scopes: string[];
  connectionId: string | null;
  nonce?: string | null;
  /** seconds; the client's access_token_expiry (read before the caller's transaction) */
  accessTokenTtl?: number;
  /** the authorization code being exchanged (for c_hash) */
  code?: string;
}

export const newOpaqueToken = () => randomBytes(32).toString("base64url");
export const refreshTokenHash = (key: Buffer, token: string) => hashSecret(key, `rt:${token}`);
export const authorizationCodeHash = (key: Buffer, code: string) => hashSecret(key, `code:${code}`);

/** OIDC at_hash / c_hash: base64url of the left half of SHA-256 (RS256). */
function halfHash(value: string): string {
  return createHash("sha256").update(value).digest().subarray(0, 16).toString("base64url");
}

async function rolesOf(tx: Tx | ServiceDeps["db"], organizationId: string, userId: string): Promise<string[]> {
  const rows = await tx.roleAssignment.findMany({ where: { organizationId, userId }, include: { role: { select: { name: true } } }, orderBy: { createTime: "asc" } });
  return rows.map((r) => r.role.name);
}

/** A new refresh token of `familyId` (a new family when omitted); returns the token itself, shown once. */
export async function createRefreshToken(tx: Tx, key: Buffer, s: TokenSubject, o: { familyId?: string; codeId?: string | null; absoluteExpiry: Date }) {
  const token = newOpaqueToken();
  const expiresAt = new Date(Math.min(Date.now() + REFRESH_TOKEN_TTL * 1000, o.absoluteExpiry.getTime()));
  const id = newId("rtk");
  await tx.refreshToken.create({
    data: {
      id, tokenHash: refreshTokenHash(key, token), familyId: o.familyId ?? id, codeId: o.codeId ?? null,
      sessionId: s.sessionId, clientId: s.clientId, userId: s.userId, organizationId: s.organizationId,
      connectionId: s.connectionId, scopes: s.scopes, expiresAt,
    },
  });
  return { token, expiresAt };
}

export async function mintUserTokens(deps: IssueDeps, tx: Tx, s: TokenSubject, refresh?: { token: string; expiresAt: Date }) {
  const user = await tx.user.findUniqueOrThrow({ where: { id: s.userId } });
  const org = s.organizationId ? await tx.organization.findUnique({ where: { id: s.organizationId } }) : null;
  const roles = org ? await rolesOf(tx, org.id, user.id) : [];
  const permissions = org ? (await effectivePermissionsOfUser(tx, org.id, user.id)).map((p) => p.name) : [];
  // the client's access_token_expiry (ClientService) decides the access token's lifetime
  const ttl = s.accessTokenTtl || ACCESS_TOKEN_TTL;
  const now = Math.floor(Date.now() / 1000);
  const common = {
    iss: deps.issuer, aud: [s.clientId], sub: user.id, client_id: s.clientId, sid: s.sessionId,
    ...(org ? { oid: org.id } : {}),
    ...(org?.externalId ? { xoid: org.externalId } : {}),
  };
  const accessToken = await signJwt(deps.keys, {
    ...common, jti: `tkn_${randomUUID().replace(/-/g, "")}`,
    ...(user.externalId ? { xuid: user.externalId } : {}),
    roles, permissions, scope: s.scopes.join(" "), scopes: s.scopes,
  }, ttl, now);
  const name = user.name || [user.givenName, user.familyName].filter(Boolean).join(" ");
  const idToken = await signJwt(deps.keys, {
    ...common, azp: s.clientId,
    ...(s.connectionId ? { amr: [s.connectionId] } : {}),
    at_hash: halfHash(accessToken),
    ...(s.code ? { c_hash: halfHash(s.code) } : {}),
    ...(s.nonce ? { nonce: s.nonce } : {}),
    email: user.email, email_verified: user.emailVerified,
    ...(name ? { name } : {}),
    ...(user.givenName ? { given_name: user.givenName } : {}),
    ...(user.familyName ? { family_name: user.familyName } : {}),
    ...(user.picture ? { picture: user.picture } : {}),
    ...(user.locale ? { locale: user.locale } : {}),
    ...(user.preferredUsername ? { preferred_username: user.preferredUsername } : {}),
    ...(user.externalId ? { xuid: user.externalId } : {}),
    // a string: Go and Java decode updated_at into a string field
    updated_at: user.updateTime.toISOString(),
  }, ID_TOKEN_TTL, now);
  return {
    access_token: accessToken,
    token_type: "Bearer",
    expires_in: ttl - 1,
    id_token: idToken,
    scope: s.scopes.join(" "),
    ...(refresh ? { refresh_token: refresh.token, refresh_token_expires_in: Math.max(0, Math.floor((refresh.expiresAt.getTime() - Date.now()) / 1000)) } : {}),
  };
}
