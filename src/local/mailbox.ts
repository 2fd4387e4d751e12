// GET /local/v1/mailbox: the mail this server would have sent (src/mail/), listed
// (oldest first, optionally for one recipient) so tests and developers can follow invite links and read codes.
import type { FastifyInstance } from "fastify";
import type { ServiceDeps } from "../api/deps.js";
import { listMail, mailJson } from "../mail/mailbox.js";
import { invalidArgument } from "../protocol/errors.js";

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
