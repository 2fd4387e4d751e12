// WebAuthnService: a user's passkey records (ListCredentials, UpdateCredential, DeleteCredential). The
// registration and authentication ceremonies and GetRelatedOrigins are not implemented yet and answer
// UNIMPLEMENTED; records come from the local API meanwhile (src/local/passkeys.ts).
//
// ListCredentials requires user_id: "the current user if not provided" has no meaning for the client-credentials
// tokens this server issues. The relying-party id is WEBAUTHN_RP_ID (default: the environment URL's host).
import { inTransaction } from "../../db/tx.js";
import { webauthn } from "../../protocol/descriptors.js";
import { invalidArgument, notFound } from "../../protocol/errors.js";
import type { ServiceDeps } from "../deps.js";
import { implementChecked } from "../../protocol/descriptor-rules.js";
import { allAcceptedOptions, base64url, credentialMessage } from "./mapping.js";

const CREDENTIAL = "passkey credential";

export function webauthnService({ db, config }: ServiceDeps) {
  const rpId = config.webauthnRpId;

  return implementChecked(webauthn.WebAuthnService, {
    async listCredentials(req) {
      const userId = req.userId;
      if (!userId) throw invalidArgument("user_id", "is required (a client token has no current user)");
      const rows = await inTransaction(db, async (tx) => {
        if (!(await tx.user.findUnique({ where: { id: userId }, select: { id: true } }))) throw notFound("user", userId);
        return tx.passkeyCredential.findMany({ where: { userId }, orderBy: { id: "asc" } });
      });
      return { credentials: rows.map(credentialMessage), allAcceptedCredentialsOptions: allAcceptedOptions(rpId, userId, rows) };
    },

    /** Only the display name can be changed. */
    async updateCredential(req) {
      const displayName = req.displayName.trim();
      if (!displayName) throw invalidArgument("display_name", "must not be blank");
      const [row] = await db.passkeyCredential.updateManyAndReturn({ where: { id: req.credentialId }, data: { displayName, updatedAt: new Date() } });
      if (!row) throw notFound(CREDENTIAL, req.credentialId);
      return { credential: credentialMessage(row) };
    },

    /** Answers with what a browser needs to forget the passkey too (signalUnknownCredential). */
    async deleteCredential(req) {
      const row = await inTransaction(db, async (tx) => {
        const found = await tx.passkeyCredential.findUnique({ where: { id: req.credentialId } });
        if (!found) throw notFound(CREDENTIAL, req.credentialId);
        const { count } = await tx.passkeyCredential.deleteMany({ where: { id: found.id } });
        if (!count) throw notFound(CREDENTIAL, req.credentialId);
        return found;
      });
      return { success: true, unknownCredentialOptions: { rpId, credentialId: base64url(row.credentialId) } };
    },
  });
}
