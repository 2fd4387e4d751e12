// Mail this server sends: it is stored instead of sent (there is no SMTP offline), in the transaction of the change
// that sent it, and read back through GET /local/v1/mailbox (src/local/mailbox.ts) by tests and developers.
import type { MailMessage } from "../generated/prisma/client.js";
import type { Db } from "../db/client.js";
import type { Tx } from "../db/tx.js";
import { keysetPage, prismaKeyset } from "../db/keyset-page.js";
import { newId } from "../protocol/ids.js";

export interface Mail { to: string; kind: string; subject: string; body: string; links?: string[]; codes?: string[] }

/** Stores a message in the caller's transaction, so it exists exactly when the change that sent it committed. */
export async function deliverMail(tx: Tx, mail: Mail): Promise<MailMessage> {
  return tx.mailMessage.create({
    data: { id: newId("msg"), recipient: mail.to, kind: mail.kind, subject: mail.subject, body: mail.body, links: mail.links ?? [], codes: mail.codes ?? [] },
  });
}

export function mailJson(m: MailMessage) {
  return { id: m.id, recipient: m.recipient, kind: m.kind, subject: m.subject, body: m.body, links: m.links, codes: m.codes, created_at: m.createdAt.toISOString() };
}

/** Recipients are matched case-insensitively, as email addresses are in practice. */
export function listMail(db: Db, recipient: string | undefined, pageSize: number, pageToken: string) {
  const where = recipient ? { recipient: { equals: recipient, mode: "insensitive" as const } } : {};
  return keysetPage(prismaKeyset(db.mailMessage, where), pageSize, pageToken);
}
