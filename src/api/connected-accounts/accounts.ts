// Connected accounts: create, read with credentials, partial update (api_config merges), delete, list and search.
import type { JsonObject } from "@bufbuild/protobuf";
import type { Prisma, ConnectedAccount as Row } from "../../generated/prisma/client.js";
import type { Db } from "../../db/client.js";
import type { Tx } from "../../db/tx.js";
import { inTransaction } from "../../db/tx.js";
import { keysetPage, prismaKeyset } from "../../db/keyset-page.js";
import { uniqueViolation } from "../../db/unique.js";
import { connectedAccounts } from "../../protocol/descriptors.js";
import { alreadyExists, invalidArgument } from "../../protocol/errors.js";
import { newId } from "../../protocol/ids.js";
import { checkedPageSize, clampedPageSize } from "../../protocol/page-size.js";
import type { ServiceImplementation } from "../../protocol/rpc.js";
import type { ServiceDeps } from "../deps.js";
import { checkConnectorName, ensureConnector } from "./connectors.js";
import { cipherFor, type CredentialCipher } from "./crypto.js";
import { accountListMessage, accountMessage, apiConfigOf, detailsToJson, hasCredentials, type AuthorizationDetails } from "./mapping.js";
import { credentialsOf, emitAccountEvent, findAccount, lockAccount } from "./store.js";

type Methods = ServiceImplementation<typeof connectedAccounts.ConnectedAccountService>["methods"];

const LIST_PAGE = { min: 1, max: 100, default: 10 };
const SEARCH_PAGE = { min: 1, max: 30, default: 10 };
const MAX_IDENTIFIER = 255;
const MAX_API_CONFIG_BYTES = 64 * 1024;

export function checkIdentifier(value: string | undefined): string {
  const v = (value ?? "").trim();
  if (!v) throw invalidArgument("identifier", "is required");
  if ([...v].length > MAX_IDENTIFIER) throw invalidArgument("identifier", `must be at most ${MAX_IDENTIFIER} characters`);
  return v;
}

function checkApiConfig(v: JsonObject): JsonObject {
  if (Buffer.byteLength(JSON.stringify(v)) > MAX_API_CONFIG_BYTES) throw invalidArgument("connected_account.api_config", "must be at most 64 KiB");
  return v;
}

/** organization_id / user_id name existing resources; the unique key stores '' for "none". */
export async function checkOwner(db: Db, organizationId: string | undefined, userId: string | undefined) {
  const org = (organizationId ?? "").trim(), user = (userId ?? "").trim();
  if (org && !(await db.organization.findUnique({ where: { id: org }, select: { id: true } })))
    throw invalidArgument("organization_id", `organization ${org} does not exist`);
  if (user && !(await db.user.findUnique({ where: { id: user }, select: { id: true } })))
    throw invalidArgument("user_id", `user ${user} does not exist`);
  return { organizationId: org, userId: user };
}

export async function storedCredentials(cipher: CredentialCipher, id: string, d: AuthorizationDetails): Promise<string> {
  return cipher.encrypt(detailsToJson(d), id);
}

const like = (q: string) => ({ contains: q.replace(/[\\%_]/g, (c) => `\\${c}`), mode: "insensitive" as const });
const queryWhere = (q: string): Prisma.ConnectedAccountWhereInput =>
  ({ OR: [{ identifier: like(q) }, { connector: like(q) }, { provider: like(q) }, { id: like(q) }] });

function pageOf(db: Db, where: Prisma.ConnectedAccountWhereInput, size: number, token: string) {
  return keysetPage<Row>(prismaKeyset(db.connectedAccount, where), size, token);
}

/** Creates an account in the caller's transaction (also used by the magic link for a connector + identifier
 *  nobody registered yet), emitting connected_account.created. */
export async function createAccount(tx: Tx, deps: ServiceDeps, cipher: CredentialCipher, v: {
  organizationId: string; userId: string; connector: string; identifier: string; details?: AuthorizationDetails; apiConfig: JsonObject;
}): Promise<Row> {
  const connector = await ensureConnector(tx, v.connector, v.details?.details.case === "staticAuth");
  const id = newId("ca");
  const active = hasCredentials(v.details);
  const row = await tx.connectedAccount.create({
    data: {
      id, organizationId: v.organizationId, userId: v.userId, connector: v.connector, identifier: v.identifier,
      provider: connector.provider, connectionId: connector.id, authorizationType: connector.authorizationType,
      status: active ? "ACTIVE" : "PENDING_AUTH", apiConfig: v.apiConfig,
      credentials: active ? await storedCredentials(cipher, id, v.details!) : null,
    },
  });
  await emitAccountEvent(deps.outbox, tx, "connected_account.created", row);
  return row;
}

export function accountCrud(deps: ServiceDeps): Methods {
  const { db } = deps;
  const cipher = cipherFor(db, deps.config.encryptionKey);
  const full = async (row: Row) => accountMessage(row, await credentialsOf(cipher, row));

  return {
    async createConnectedAccount(req) {
      const connector = checkConnectorName("connector", req.connector);
      const identifier = checkIdentifier(req.identifier);
      const owner = await checkOwner(db, req.organizationId, req.userId);
      const apiConfig = checkApiConfig(req.connectedAccount?.apiConfig ?? {});
      await cipher.ready();
      try {
        const row = await inTransaction(db, (tx) => createAccount(tx, deps, cipher, {
          ...owner, connector, identifier, details: req.connectedAccount?.authorizationDetails, apiConfig,
        }));
        return { connectedAccount: await full(row) };
      } catch (e) {
        if (uniqueViolation(e))
          throw alreadyExists(`a connected account for connector ${connector} and identifier ${identifier} already exists${owner.organizationId ? ` in organization ${owner.organizationId}` : ""}${owner.userId ? ` for user ${owner.userId}` : ""}`, identifier);
        throw e;
      }
    },

    async getConnectedAccountAuth(req) {
      await cipher.ready();
      return { connectedAccount: await full(await findAccount(db, req)) };
    },

    /** the same lookup without the credentials */
    async getConnectedAccountDetails(req) {
      return { connectedAccount: accountMessage(await findAccount(db, req), undefined) };
    },

    async getConnectedAccount(req) {
      if (!req.id.trim()) throw invalidArgument("id", "is required");
      return { connectedAccount: accountMessage(await findAccount(db, { id: req.id }), undefined) };
    },

    /** Revokes the credentials but keeps the account (DISCONNECTED) so it can be connected again by magic link. */
    async disconnectConnectedAccount(req) {
      if (!req.id.trim()) throw invalidArgument("id", "is required");
      const row = await inTransaction(db, async (tx) => {
        const current = await lockAccount(tx, { id: req.id });
        const updated = await tx.connectedAccount.update({ where: { id: current.id }, data: { credentials: null, status: "DISCONNECTED", tokenExpiresAt: null, updatedAt: new Date() } });
        await emitAccountEvent(deps.outbox, tx, "connected_account.updated", updated);
        return updated;
      });
      return { connectedAccount: accountMessage(row, undefined) };
    },

    async updateConnectedAccount(req) {
      const patch = req.connectedAccount;
      if (!patch) throw invalidArgument("connected_account", "is required");
      const details = patch.authorizationDetails;
      if (details && !hasCredentials(details)) throw invalidArgument("connected_account.authorization_details", "must carry credentials (oauth_token or static_auth)");
      const apiConfig = patch.apiConfig ? checkApiConfig(patch.apiConfig) : undefined;
      await cipher.ready();
      const row = await inTransaction(db, async (tx) => {
        const current = await lockAccount(tx, req);
        const data: Prisma.ConnectedAccountUpdateInput = { updatedAt: new Date() };
        if (details) {
          data.credentials = await storedCredentials(cipher, current.id, details);
          data.status = "ACTIVE";
          data.tokenExpiresAt = null; // OauthToken carries no expiry: unknown until a refresh says

        }
        if (apiConfig) data.apiConfig = checkApiConfig({ ...apiConfigOf(current), ...apiConfig });
        const updated = await tx.connectedAccount.update({ where: { id: current.id }, data });
        await emitAccountEvent(deps.outbox, tx, "connected_account.updated", updated);
        return updated;
      });
      return { connectedAccount: await full(row) };
    },

    async deleteConnectedAccount(req) {
      await inTransaction(db, async (tx) => {
        const row = await lockAccount(tx, req);
        await tx.connectedAccount.delete({ where: { id: row.id } });
        await emitAccountEvent(deps.outbox, tx, "connected_account.deleted", row);
      });
      return {};
    },

    async listConnectedAccounts(req) {
      const where: Prisma.ConnectedAccountWhereInput[] = [];
      if (req.organizationId) where.push({ organizationId: req.organizationId.trim() });
      if (req.userId) where.push({ userId: req.userId.trim() });
      if (req.connector) where.push({ connector: req.connector.trim() });
      if (req.identifier) where.push({ identifier: req.identifier.trim() });
      if (req.provider) where.push({ provider: { equals: req.provider.trim(), mode: "insensitive" } });
      if (req.connectionNames.length) where.push({ connector: { in: req.connectionNames.map((c) => c.trim()) } });
      if (req.query.trim()) where.push(queryWhere(req.query.trim()));
      const page = await pageOf(db, { AND: where }, clampedPageSize(req.pageSize, LIST_PAGE), req.pageToken);
      return { connectedAccounts: page.items.map(accountListMessage), totalSize: page.totalSize, nextPageToken: page.nextPageToken, prevPageToken: page.prevPageToken };
    },

    async searchConnectedAccounts(req) {
      const q = req.query.trim();
      if ([...q].length < 3 || [...q].length > 100) throw invalidArgument("query", "must be between 3 and 100 characters");
      const where: Prisma.ConnectedAccountWhereInput[] = [queryWhere(q)];
      if (req.connectionId) where.push({ connectionId: req.connectionId.trim() });
      const page = await pageOf(db, { AND: where }, checkedPageSize(req.pageSize, SEARCH_PAGE), req.pageToken);
      return { connectedAccounts: page.items.map(accountListMessage), totalSize: page.totalSize, nextPageToken: page.nextPageToken, prevPageToken: page.prevPageToken };
    },
  };
}
