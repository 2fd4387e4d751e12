// Magic links: GetMagicLinkForConnectedAccount issues a time-limited link to {environment_url}/connect/{token}
// on this server. Opening it stands in for the provider's consent screen: the person (or a test) hands over the
// credentials the provider would have issued (a form, query parameters or a JSON body). Without user_verify_url
// the account becomes ACTIVE at once; with it the credentials wait on the auth request, the account reads
// PENDING_VERIFICATION, the browser is redirected to user_verify_url?auth_request_id=…&state=…, and the app's
// VerifyConnectedAccountUser (matching identifier) promotes them to live (ACTIVE).
import { createHash, randomBytes } from "node:crypto";
import { Code } from "@connectrpc/connect";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { inTransaction } from "../../db/tx.js";
import { connectedAccounts } from "../../protocol/descriptors.js";
import { apiError, invalidArgument, notFound } from "../../protocol/errors.js";
import { newId } from "../../protocol/ids.js";
import type { ServiceImplementation } from "../../protocol/rpc.js";
import type { ServiceDeps } from "../deps.js";
import { checkIdentifier, checkOwner, createAccount, storedCredentials } from "./accounts.js";
import { checkConnectorName } from "./connectors.js";
import { cipherFor } from "./crypto.js";
import { detailsFromJson, detailsToJson, hasCredentials, type AuthorizationDetails } from "./mapping.js";
import { credentialsOf, emitAccountEvent, findAccount, lockAccount } from "./store.js";

type Methods = ServiceImplementation<typeof connectedAccounts.ConnectedAccountService>["methods"];

export const MAGIC_LINK_TTL_MS = 60 * 60 * 1000;
export const CONNECT_PATH = "/connect";

export const hashToken = (t: string) => createHash("sha256").update(t).digest("base64url");

function checkUrl(field: string, v: string | undefined): string {
  if (!v) return "";
  try {
    const u = new URL(v);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error();
  } catch { throw invalidArgument(field, "must be an http(s) URL"); }
  return v;
}

export function magicLinkMethods(deps: ServiceDeps): Methods {
  const { db, config } = deps;
  const cipher = cipherFor(db, config.encryptionKey);
  return {
    async getMagicLinkForConnectedAccount(req) {
      const userVerifyUrl = checkUrl("user_verify_url", req.userVerifyUrl);
      const state = req.state ?? "";
      if (state.length > 2048) throw invalidArgument("state", "must be at most 2048 characters");
      // an unknown connector + identifier is created (PENDING_AUTH), as the link is how an account gets connected
      let existing = null;
      if (req.id) existing = await findAccount(db, req);
      else {
        try { existing = await findAccount(db, req); } catch (e) {
          if ((e as { code?: Code }).code !== Code.NotFound) throw e;
        }
      }
      if (!existing) {
        checkConnectorName("connector", req.connector);
        checkIdentifier(req.identifier);
        await checkOwner(db, req.organizationId, req.userId);
      }
      await cipher.ready();
      const token = randomBytes(32).toString("base64url");
      const expiresAt = new Date(Date.now() + MAGIC_LINK_TTL_MS);
      await inTransaction(db, async (tx) => {
        const account = existing
          ? await lockAccount(tx, { id: existing.id })
          : await createAccount(tx, deps, cipher, {
            organizationId: (req.organizationId ?? "").trim(), userId: (req.userId ?? "").trim(),
            connector: req.connector!.trim(), identifier: req.identifier!.trim(), apiConfig: {},
          });
        await tx.connectedAccountAuthRequest.create({
          data: { id: newId("car"), tokenHash: hashToken(token), connectedAccountId: account.id, state, userVerifyUrl, status: "LINK_ISSUED", expiresAt },
        });
        await emitAccountEvent(deps.outbox, tx, "connected_account.magic_link_generated", account);
      });
      return { link: `${config.environmentUrl}${CONNECT_PATH}/${token}`, expiry: timestampFromDate(expiresAt) };
    },

    async verifyConnectedAccountUser(req) {
      const authRequestId = req.authRequestId.trim();
      if (!authRequestId) throw invalidArgument("auth_request_id", "is required");
      const identifier = req.identifier.trim();
      if (!identifier) throw invalidArgument("identifier", "is required");
      await cipher.ready();
      const accountId = await inTransaction(db, async (tx) => {
        const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM connected_account_auth_requests WHERE id = ${authRequestId} FOR UPDATE`;
        const ar = locked.length ? await tx.connectedAccountAuthRequest.findUnique({ where: { id: authRequestId } }) : null;
        // the flow lives as long as its link: an abandoned verification cannot be completed hours later
        if (!ar || ar.status !== "PENDING_VERIFICATION" || !ar.pendingCredentials || ar.expiresAt.getTime() <= Date.now())
          throw apiError(Code.NotFound, "auth request not found or no longer valid", {
            resourceInfo: { resourceName: authRequestId, description: "unknown, expired or already consumed" },
          });
        const account = await lockAccount(tx, { id: ar.connectedAccountId });
        if (account.identifier !== identifier)
          throw apiError(Code.PermissionDenied, "identifier does not match the user who authorized this connected account");
        const details = detailsFromJson(await cipher.decrypt(ar.pendingCredentials, ar.id));
        const updated = await tx.connectedAccount.update({
          where: { id: account.id },
          data: { credentials: await storedCredentials(cipher, account.id, details), status: "ACTIVE", updatedAt: new Date() },
        });
        await tx.connectedAccountAuthRequest.update({ where: { id: ar.id }, data: { status: "COMPLETED", pendingCredentials: null, updatedAt: new Date() } });
        await emitAccountEvent(deps.outbox, tx, "connected_account.oauth_succeeded", updated);
        return updated.id;
      });
      return { postUserVerifyRedirectUrl: `${config.environmentUrl}${CONNECT_PATH}/complete/${authRequestId}?connected_account_id=${accountId}` };
    },
  };
}

/** What opening a magic link comes to: the flow's outcome, the consent form, or the app's verification page. */
export type MagicLinkOutcome =
  | { kind: "status"; status: LinkStatus }
  | { kind: "consent"; connector: string; identifier: string }
  | { kind: "redirect"; url: string };

export interface LinkStatus { connected_account_id: string; connector: string; identifier: string; status: string }

/**
 * Completes the flow a magic link started with the credentials handed over on its page (or, on re-consent,
 * the ones the account has). `offered` undefined and no stored credentials means the person has to be asked.
 * The link is claimed in the same transaction that stores the credentials and emits the events, so it works once.
 */
export async function completeMagicLink(
  deps: ServiceDeps, token: string, offered: AuthorizationDetails | undefined, tokenExpiresAt: Date | null,
): Promise<MagicLinkOutcome> {
  const { db, config } = deps;
  const ar = await db.connectedAccountAuthRequest.findUnique({ where: { tokenHash: hashToken(token) }, include: { connectedAccount: true } });
  if (!ar) throw apiError(Code.NotFound, "magic link not found");
  const statusOf = (status: string): LinkStatus => ({
    connected_account_id: ar.connectedAccount.id, connector: ar.connectedAccount.connector, identifier: ar.connectedAccount.identifier, status,
  });
  if (ar.status !== "LINK_ISSUED") return { kind: "status", status: statusOf(ar.connectedAccount.status) };
  if (ar.expiresAt.getTime() <= Date.now()) throw apiError(Code.FailedPrecondition, "this magic link has expired; ask for a new one");
  if (offered && !hasCredentials(offered)) throw invalidArgument("authorization_details", "must carry credentials");
  if (!offered && !ar.connectedAccount.credentials) return { kind: "consent", connector: ar.connectedAccount.connector, identifier: ar.connectedAccount.identifier };
  const cipher = cipherFor(db, config.encryptionKey);
  await cipher.ready();
  const result = await inTransaction(db, async (tx) => {
    const claimed = await tx.connectedAccountAuthRequest.updateMany({ where: { id: ar.id, status: "LINK_ISSUED" }, data: { status: "CLAIMING" } });
    if (claimed.count !== 1) throw apiError(Code.FailedPrecondition, "this magic link was already used");
    const account = await lockAccount(tx, { id: ar.connectedAccountId });
    // re-consent without new credentials keeps the ones the account has
    const resolved = offered ?? await credentialsOf(cipher, account);
    if (!resolved) throw invalidArgument("access_token", "is required: the account has no credentials yet");
    if (ar.userVerifyUrl) {
      await tx.connectedAccountAuthRequest.update({
        where: { id: ar.id }, data: { status: "PENDING_VERIFICATION", pendingCredentials: await cipher.encrypt(detailsToJson(resolved), ar.id), updatedAt: new Date() },
      });
      const updated = await tx.connectedAccount.update({ where: { id: account.id }, data: { status: "PENDING_VERIFICATION", updatedAt: new Date(), ...(offered ? { tokenExpiresAt } : {}) } });
      await emitAccountEvent(deps.outbox, tx, "connected_account.oauth_tokens_fetched", updated);
      return { redirect: true, status: updated.status };
    }
    const updated = await tx.connectedAccount.update({
      where: { id: account.id }, data: { credentials: await storedCredentials(cipher, account.id, resolved), status: "ACTIVE", updatedAt: new Date(), ...(offered ? { tokenExpiresAt } : {}) },
    });
    await tx.connectedAccountAuthRequest.update({ where: { id: ar.id }, data: { status: "COMPLETED", updatedAt: new Date() } });
    await emitAccountEvent(deps.outbox, tx, "connected_account.oauth_tokens_fetched", updated);
    await emitAccountEvent(deps.outbox, tx, "connected_account.oauth_succeeded", updated);
    return { redirect: false, status: updated.status };
  });
  if (!result.redirect) return { kind: "status", status: statusOf(result.status) };
  const u = new URL(ar.userVerifyUrl);
  u.searchParams.set("auth_request_id", ar.id);
  if (ar.state) u.searchParams.set("state", ar.state);
  return { kind: "redirect", url: u.toString() };
}

/** Where VerifyConnectedAccountUser's post_user_verify_redirect_url points: the outcome of a completed flow. */
export async function completedLinkStatus(deps: ServiceDeps, authRequestId: string): Promise<LinkStatus> {
  const ar = await deps.db.connectedAccountAuthRequest.findUnique({ where: { id: authRequestId }, include: { connectedAccount: true } });
  if (!ar || ar.status !== "COMPLETED") throw notFound("completed connected-account authorization", authRequestId);
  return { connected_account_id: ar.connectedAccount.id, connector: ar.connectedAccount.connector, identifier: ar.connectedAccount.identifier, status: ar.connectedAccount.status };
}
