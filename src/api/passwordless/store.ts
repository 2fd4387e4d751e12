// Passwordless credentials and their state changes. Codes and link tokens are kept only as HMACs under the
// server's secret hash key (a code's HMAC is bound to its request, so equal codes of two requests hash apart);
// every state change is one conditional UPDATE on the request row, so concurrent calls serialise on that row
// and the checks (not used, not locked, not expired) hold at the moment of the write, not of an earlier read.
import { randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import type { PasswordlessRequest as RequestRow, Prisma } from "../../generated/prisma/client.js";
import type { Db } from "../../db/client.js";
import { hashSecret } from "../../auth/secrets.js";
import { failedPrecondition, notFound, apiError } from "../../protocol/errors.js";
import { Code, type ConnectError } from "@connectrpc/connect";

/** Codes checked per issued code; the next one is refused even if right, until a new email is sent. */
export const MAX_ATTEMPTS = 5;
export const CODE_LENGTH = 6;

/** auth_request_id: 36 random bytes, base64url (48 characters), in the style of Scalekit's opaque ids. */
export const newAuthRequestId = () => randomBytes(36).toString("base64url");
export const newCode = () => randomInt(0, 10 ** CODE_LENGTH).toString().padStart(CODE_LENGTH, "0");
export const newLinkToken = () => randomBytes(32).toString("base64url");

export const codeHash = (key: Buffer, requestId: string, code: string) => hashSecret(key, `otp:${requestId}:${code}`);
export const linkTokenHash = (key: Buffer, token: string) => hashSecret(key, `link:${token}`);

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Still usable at `now`: not verified, not locked, not expired. */
export function usable(now: Date): Prisma.PasswordlessRequestWhereInput {
  return { consumedAt: null, attempts: { lt: MAX_ATTEMPTS }, expiresAt: { gt: now } };
}

const label = (id: string) => `passwordless auth request ${id}`;

/** Why a request could not be used, read after the conditional UPDATE that would have used it matched nothing. */
export async function whyUnusable(db: Db | Prisma.TransactionClient, id: string, now: Date, want?: "code"): Promise<ConnectError> {
  const row = await db.passwordlessRequest.findUnique({ where: { id } });
  if (!row) return notFound("passwordless auth request", id);
  if (row.consumedAt) return failedPrecondition(`${label(id)} was already verified: codes and magic links are single-use; send a new email`);
  if (row.attempts >= MAX_ATTEMPTS) return failedPrecondition(`${label(id)} is locked after ${MAX_ATTEMPTS} incorrect codes; send a new email`);
  if (row.expiresAt <= now) return failedPrecondition(`${label(id)} expired at ${row.expiresAt.toISOString()}; resend it or send a new email`);
  if (want === "code" && !row.codeHash) return failedPrecondition(`${label(id)} was sent as a magic link only; verify it with link_token`);
  return apiError(Code.Aborted, `${label(id)} changed while it was being verified (a resend?); try again`);
}

/**
 * Takes one of the request's attempts before a code is compared, so that however many guesses arrive at once,
 * no more than MAX_ATTEMPTS are ever evaluated. Returns the row as it is after the increment.
 */
export async function claimAttempt(db: Db, id: string, now: Date): Promise<RequestRow | undefined> {
  const [row] = await db.passwordlessRequest.updateManyAndReturn({
    where: { AND: [{ id, codeHash: { not: null } }, usable(now)] },
    data: { attempts: { increment: 1 }, updatedAt: now },
  });
  return row;
}

/** Marks the request verified, provided the credential that was checked is still its current one. */
export async function consume(db: Db, id: string, now: Date, current: Prisma.PasswordlessRequestWhereInput): Promise<RequestRow | undefined> {
  const [row] = await db.passwordlessRequest.updateManyAndReturn({
    where: { AND: [{ id }, current, { consumedAt: null, expiresAt: { gt: now } }] },
    data: { consumedAt: now, updatedAt: now },
  });
  return row;
}
