// PasswordlessService: email sign-in by one-time code and/or magic link. Send creates an auth request and mails
// its credentials (to the local mailbox) in one transaction; Verify takes the code with its auth_request_id or
// the link token, once; Resend issues a fresh code and link with a fresh expiry for the same auth_request_id.
//
// What an email carries is an environment setting in Scalekit (PASSWORDLESS_TYPE here, default LINK_OTP). A
// magic link needs the caller's magiclink_auth_uri, so under LINK_OTP a request without one is sent as OTP only
// (and says so in passwordless_type); under LINK the URI is required.
import { inTransaction } from "../../db/tx.js";
import { deliverMail } from "../../mail/mailbox.js";
import { passwordless } from "../../protocol/descriptors.js";
import { invalidArgument } from "../../protocol/errors.js";
import type { ServiceDeps } from "../deps.js";
import { implementChecked } from "../../protocol/descriptor-rules.js";
import { passwordlessMail, sentMessage, verifiedMessage } from "./mapping.js";
import {
  MAX_ATTEMPTS, claimAttempt, codeHash, consume, linkTokenHash, newAuthRequestId, newCode, newLinkToken, sameHash, whyUnusable,
} from "./store.js";
import { checkEmail, checkExpiresIn, checkMagicLinkUri, checkTemplate, checkTemplateVariables, magicLink } from "./validation.js";

const { PasswordlessType } = passwordless;

/** Fresh credentials for a request of the given type: a code unless it is LINK, a link token unless it is OTP. */
function issue(key: Buffer, id: string, type: number, uri: string | null) {
  const code = type !== PasswordlessType.LINK ? newCode() : undefined;
  const token = type !== PasswordlessType.OTP ? newLinkToken() : undefined;
  return {
    columns: { codeHash: code ? codeHash(key, id, code) : null, linkTokenHash: token ? linkTokenHash(key, token) : null },
    secrets: { code, link: token && uri ? magicLink(new URL(uri), token) : undefined },
  };
}

export function passwordlessService({ db, config, hashKey: key }: ServiceDeps) {
  const configured = PasswordlessType[config.passwordlessType];

  return implementChecked(passwordless.PasswordlessService, {
    async sendPasswordlessEmail(req) {
      const email = checkEmail(req.email);
      const template = checkTemplate(req.template);
      const expiresIn = checkExpiresIn(req.expiresIn);
      const templateVariables = checkTemplateVariables(req.templateVariables);
      const uri = checkMagicLinkUri(req.magiclinkAuthUri);
      if (configured === PasswordlessType.LINK && !uri)
        throw invalidArgument("magiclink_auth_uri", "is required: this environment sends magic links (PASSWORDLESS_TYPE=LINK)");
      const type = configured === PasswordlessType.LINK_OTP && !uri ? PasswordlessType.OTP : configured;
      const id = newAuthRequestId();
      const { columns, secrets } = issue(key, id, type, uri?.href ?? null);
      const now = new Date();
      const row = await inTransaction(db, async (tx) => {
        const created = await tx.passwordlessRequest.create({
          data: {
            id, email, template, state: req.state ?? null, passwordlessType: type,
            magiclinkAuthUri: type === PasswordlessType.OTP ? null : uri!.href, templateVariables, expiresIn,
            ...columns, expiresAt: new Date(now.getTime() + expiresIn * 1000), createdAt: now, updatedAt: now,
          },
        });
        await deliverMail(tx, passwordlessMail(created, secrets));
        return created;
      });
      return sentMessage(row);
    },

    async verifyPasswordlessEmail(req) {
      const now = new Date();
      const credential = req.authCredential;
      if (credential.case === "code") {
        const id = req.authRequestId;
        if (!id) throw invalidArgument("auth_request_id", "is required when verifying a code");
        const code = credential.value.trim();
        const claimed = await claimAttempt(db, id, now);
        if (!claimed) throw await whyUnusable(db, id, now, "code");
        if (!sameHash(codeHash(key, id, code), claimed.codeHash!)) {
          const left = MAX_ATTEMPTS - claimed.attempts;
          throw invalidArgument("code", left > 0
            ? `is incorrect; ${left} attempt${left === 1 ? "" : "s"} left`
            : `is incorrect; that was the last of ${MAX_ATTEMPTS} attempts and the request is now locked: send a new email`);
        }
        const done = await consume(db, id, now, { codeHash: claimed.codeHash });
        if (!done) throw await whyUnusable(db, id, now, "code");
        return verifiedMessage(done, "code");
      }
      if (credential.case === "linkToken") {
        const hash = linkTokenHash(key, credential.value);
        const row = await db.passwordlessRequest.findUnique({ where: { linkTokenHash: hash } });
        if (!row) throw invalidArgument("link_token", "is not a valid magic link token (a resend replaces the previous link)");
        if (req.authRequestId && req.authRequestId !== row.id) throw invalidArgument("auth_request_id", "does not match the request of the link token");
        const done = await consume(db, row.id, now, { linkTokenHash: hash, attempts: { lt: MAX_ATTEMPTS } });
        if (!done) throw await whyUnusable(db, row.id, now);
        return verifiedMessage(done, "link");
      }
      throw invalidArgument("code", "either code (with auth_request_id) or link_token is required");
    },

    async resendPasswordlessEmail(req) {
      const id = req.authRequestId;
      const row = await inTransaction(db, async (tx) => {
        const now = new Date();
        const current = await tx.passwordlessRequest.findUnique({ where: { id } });
        if (!current) throw await whyUnusable(tx, id, now);
        const { columns, secrets } = issue(key, id, current.passwordlessType, current.magiclinkAuthUri);
        // expired requests may be resent (that is what resending is for); verified and locked ones may not
        const [updated] = await tx.passwordlessRequest.updateManyAndReturn({
          where: { id, consumedAt: null, attempts: { lt: MAX_ATTEMPTS } },
          data: {
            ...columns, attempts: 0, resentCount: { increment: 1 }, updatedAt: now,
            expiresAt: new Date(now.getTime() + current.expiresIn * 1000),
          },
        });
        if (!updated) throw await whyUnusable(tx, id, now);
        await deliverMail(tx, passwordlessMail(updated, secrets));
        return updated;
      });
      return sentMessage(row);
    },
  });
}
