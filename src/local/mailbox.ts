// The local mailbox: messages this server would email are stored instead, and GET /local/v1/mailbox lists them
// (oldest first, optionally for one recipient) so tests and developers can follow invite links and read codes.
import type { FastifyInstance } from "fastify";
import type { MailMessage } from "../generated/prisma/client.js";
import type { Db } from "../db/client.js";
import type { Tx } from "../db/tx.js";
import type { ServiceDeps } from "../api/deps.js";
import { keysetPage, type IdRange } from "../db/keyset-page.js";
import { invalidArgument } from "../protocol/errors.js";
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
  return keysetPage({
    count: () => db.mailMessage.count({ where }),
    rows: (range: IdRange, order, take) => db.mailMessage.findMany({ where: { AND: [where, { id: range }] }, orderBy: { id: order }, take }),
  }, pageSize, pageToken);
}

const MAX_PAGE_SIZE = 200;

export async function mailboxLocalRoutes(scope: FastifyInstance, deps: ServiceDeps): Promise<void> {
  scope.get("/mailbox", async (req) => {
    const q = (req.query ?? {}) as Record<string, unknown>;
    const recipient = typeof q.recipient === "string" && q.recipient ? q.recipient : undefined;
    const rawSize = q.page_size === undefined || q.page_size === "" ? 50 : Number(q.page_size);
    if (!Number.isInteger(rawSize) || rawSize < 0) throw invalidArgument("page_size", "must be a non-negative integer");
    const page = await listMail(deps.db, recipient, Math.min(rawSize || 50, MAX_PAGE_SIZE), typeof q.page_token === "string" ? q.page_token : "");
    return { messages: page.items.map(mailJson), next_page_token: page.nextPageToken, prev_page_token: page.prevPageToken, total_size: page.totalSize };
  });
}
