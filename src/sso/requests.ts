// Pending SP-initiated requests to an IdP (sso_requests): what the answer must match (InResponseTo / state,
// nonce, PKCE verifier) and which login or connection test it continues. A request is taken once: the delete
// that takes it is the check, so two copies of one answer cannot both continue.
import { randomBytes } from "node:crypto";
import type { Db } from "../db/client.js";
import type { SsoRequest } from "../generated/prisma/client.js";

export const SSO_REQUEST_TTL_MS = 10 * 60 * 1000;

/** "_" + hex: a valid xs:ID (AuthnRequest ID) and a URL-safe OIDC state. */
export const newRequestId = () => `_${randomBytes(16).toString("hex")}`;
const REQUEST_ID = /^_[0-9a-f]{32}$/;

export interface NewSsoRequest { id?: string; connectionId: string; loginId?: string; testRequestId?: string; nonce?: string; codeVerifier?: string }

export async function openRequest(db: Db, r: NewSsoRequest): Promise<SsoRequest> {
  const now = new Date();
  // expired requests of any connection go as new ones come: the table stays the size of the logins in flight
  await db.ssoRequest.deleteMany({ where: { expiresAt: { lt: now } } });
  return db.ssoRequest.create({
    data: {
      id: r.id ?? newRequestId(), connectionId: r.connectionId, loginId: r.loginId ?? null, testRequestId: r.testRequestId ?? null,
      nonce: r.nonce ?? null, codeVerifier: r.codeVerifier ?? null, createdAt: now, expiresAt: new Date(now.getTime() + SSO_REQUEST_TTL_MS),
    },
  });
}

/** The open request `id` of the connection, without taking it. */
export async function findRequest(db: Db, connectionId: string, id: unknown): Promise<SsoRequest | undefined> {
  if (typeof id !== "string" || !REQUEST_ID.test(id)) return undefined;
  const row = await db.ssoRequest.findUnique({ where: { id } });
  return row && row.connectionId === connectionId && row.expiresAt > new Date() ? row : undefined;
}

/** Takes the request: true only for the one caller that deleted it. */
export async function takeRequest(db: Db, row: SsoRequest): Promise<boolean> {
  const { count } = await db.ssoRequest.deleteMany({ where: { id: row.id, connectionId: row.connectionId, expiresAt: { gt: new Date() } } });
  return count === 1;
}
