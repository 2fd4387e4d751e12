// GET /local/v1/mailbox: the mail this server would have sent (src/mail/), listed
// (oldest first, optionally for one recipient) so tests and developers can follow invite links and read codes.
import type { FastifyInstance } from "fastify";
import { Type } from "@sinclair/typebox";
import type { ServiceDeps } from "../api/deps.js";
import { PageQuery, paging } from "../http/fields.js";
import { route } from "../http/route.js";
import { listMail, mailJson } from "../mail/mailbox.js";

const MAX_PAGE_SIZE = 200;
const MailQuery = Type.Composite([PageQuery, Type.Object({ recipient: Type.Optional(Type.String()) })]);

export async function mailboxLocalRoutes(scope: FastifyInstance, deps: ServiceDeps): Promise<void> {
  route(scope, {
    method: "GET", url: "/mailbox", query: MailQuery,
    handler: async (req) => {
      const { size, token } = paging(req.query, 50, MAX_PAGE_SIZE);
      const page = await listMail(deps.db, req.query.recipient || undefined, size, token);
      return { messages: page.items.map(mailJson), next_page_token: page.nextPageToken, prev_page_token: page.prevPageToken, total_size: page.totalSize };
    },
  });
}
