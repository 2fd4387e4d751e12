// Creating passkey credential records. Until the registration ceremony is implemented this is reached only
// through the local API (POST /local/v1/users/{user_id}/passkeys), so tests and demos can give users passkeys.
import { randomBytes } from "node:crypto";
import type { PasskeyCredential as CredentialRow } from "../../generated/prisma/client.js";
import type { Db } from "../../db/client.js";
import { inTransaction } from "../../db/tx.js";
import { uniqueViolation } from "../../db/unique.js";
import { alreadyExists, notFound } from "../../protocol/errors.js";
import { newId } from "../../protocol/ids.js";

export interface NewPasskey {
  userId: string;
  /** raw credential id; 32 random bytes when not given */
  credentialId?: Uint8Array;
  publicKey?: Uint8Array;
  displayName?: string;
  attestationType?: string;
  transports?: string[];
  authenticator?: Record<string, string>;
  flags?: { userPresent?: boolean; userVerified?: boolean; backupEligible?: boolean; backupState?: boolean };
  userAgent?: Record<string, string>;
  clientInfo?: Record<string, string>;
}

export async function createPasskey(db: Db, p: NewPasskey): Promise<CredentialRow> {
  const credentialId = p.credentialId ?? randomBytes(32);
  try {
    return await inTransaction(db, async (tx) => {
      if (!(await tx.user.findUnique({ where: { id: p.userId }, select: { id: true } }))) throw notFound("user", p.userId);
      const now = new Date();
      return tx.passkeyCredential.create({
        data: {
          id: newId("cred"), userId: p.userId, credentialId: Buffer.from(credentialId), publicKey: p.publicKey ? Buffer.from(p.publicKey) : null,
          displayName: p.displayName ?? null, attestationType: p.attestationType ?? "none", transports: p.transports ?? [],
          authenticator: p.authenticator ?? {}, userAgent: p.userAgent ?? {}, clientInfo: p.clientInfo ?? {},
          userPresent: p.flags?.userPresent ?? true, userVerified: p.flags?.userVerified ?? true,
          backupEligible: p.flags?.backupEligible ?? false, backupState: p.flags?.backupState ?? false,
          createdAt: now, updatedAt: now,
        },
      });
    });
  } catch (e: any) {
    if (uniqueViolation(e)) throw alreadyExists("a passkey with this credential_id is already registered", Buffer.from(credentialId).toString("base64url"));
    throw e;
  }
}
