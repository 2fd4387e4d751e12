// Finding connected accounts by id or by locator (connector + identifier, owned by an organization and/or user),
// reading their credentials, and the events their changes write in the same transaction.
import { Code } from "@connectrpc/connect";
import type { JsonValue } from "@bufbuild/protobuf";
import type { ConnectedAccount as Row } from "../../generated/prisma/client.js";
import type { Db } from "../../db/client.js";
import type { Tx } from "../../db/tx.js";
import type { Outbox } from "../../events/outbox.js";
import { apiError, invalidArgument, notFound } from "../../protocol/errors.js";
import type { CredentialCipher } from "./crypto.js";
import { accountEventJson, detailsFromJson, type AuthorizationDetails } from "./mapping.js";

export interface Locator {
  id?: string;
  connector?: string;
  identifier?: string;
  organizationId?: string;
  userId?: string;
}

const clean = (v: string | undefined) => (v ?? "").trim();

/** The account a locator names: by id, or by connector + identifier for the given owner. When no owner is given
 *  and the ownerless account does not exist, a single account with that connector and identifier is taken
 *  (so callers that only know the identifier still reach it); several such accounts are ambiguous. */
export async function findAccount(db: Db | Tx, loc: Locator): Promise<Row> {
  const id = clean(loc.id);
  if (id) {
    const row = await db.connectedAccount.findUnique({ where: { id } });
    if (!row) throw notFound("connected account", id);
    return row;
  }
  const connector = clean(loc.connector), identifier = clean(loc.identifier);
  if (!connector) throw invalidArgument("connector", "id, or connector and identifier, are required");
  if (!identifier) throw invalidArgument("identifier", "id, or connector and identifier, are required");
  const organizationId = clean(loc.organizationId), userId = clean(loc.userId);
  const exact = await db.connectedAccount.findUnique({ where: { organizationId_userId_connector_identifier: { organizationId, userId, connector, identifier } } });
  if (exact) return exact;
  const candidates = await db.connectedAccount.findMany({
    where: { connector, identifier, ...(organizationId ? { organizationId } : {}), ...(userId ? { userId } : {}) }, take: 2, orderBy: { id: "asc" },
  });
  if (candidates.length === 1) return candidates[0];
  const what = `connected account for connector ${connector} and identifier ${identifier}`;
  if (!candidates.length) throw apiError(Code.NotFound, `${what} not found`, { resourceInfo: { resourceName: identifier, description: "connected account not found" } });
  throw apiError(Code.InvalidArgument, `${what} is ambiguous: several organizations or users have one; pass organization_id or user_id`, {
    validationErrorInfo: { fieldViolations: [{ field: "organization_id", description: "required to choose between several accounts" }] },
  });
}

/** The same, with a row lock held until the transaction ends. */
export async function lockAccount(tx: Tx, loc: Locator): Promise<Row> {
  const row = await findAccount(tx, loc);
  await tx.$queryRaw`SELECT id FROM connected_accounts WHERE id = ${row.id} FOR UPDATE`;
  const locked = await tx.connectedAccount.findUnique({ where: { id: row.id } });
  if (!locked) throw notFound("connected account", row.id);
  return locked;
}

export async function credentialsOf(cipher: CredentialCipher, row: { id: string; credentials: string | null }): Promise<AuthorizationDetails | undefined> {
  if (!row.credentials) return undefined;
  return detailsFromJson(await cipher.decrypt<JsonValue>(row.credentials, row.id));
}

export type AccountEventType =
  | "connected_account.created" | "connected_account.updated" | "connected_account.deleted"
  | "connected_account.magic_link_generated" | "connected_account.oauth_tokens_fetched" | "connected_account.oauth_succeeded"
  | "connected_account.token_refresh_succeeded" | "connected_account.token_refresh_failed";

export function emitAccountEvent(outbox: Outbox, tx: Tx, type: AccountEventType, row: Row) {
  return outbox.emit(tx, { type, object: "ConnectedAccount", organizationId: row.organizationId || undefined, data: accountEventJson(row) });
}

/**
 * The accounts of an organization or a user that is being deleted go with it, each with its
 * connected_account.deleted event. (Owners are '' rather than NULL in this table, so no foreign key can do it.)
 */
export async function deleteAccountsOf(tx: Tx, outbox: Outbox, owner: { organizationId: string } | { userId: string }) {
  const rows = await tx.connectedAccount.findMany({ where: owner, orderBy: { id: "asc" } });
  if (!rows.length) return;
  await tx.connectedAccount.deleteMany({ where: { id: { in: rows.map((r) => r.id) } } });
  for (const row of rows) await emitAccountEvent(outbox, tx, "connected_account.deleted", row);
}
