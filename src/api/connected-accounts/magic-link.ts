// Magic links: GetMagicLinkForConnectedAccount issues a time-limited link to {environment_url}/connect/{token}
// on this server. Opening it stands in for the provider's consent screen: the person (or a test) hands over the
// credentials the provider would have issued (a form, query parameters or a JSON body). Without user_verify_url
// the account becomes ACTIVE at once; with it the credentials wait on the auth request, the account reads
// PENDING_VERIFICATION, the browser is redirected to user_verify_url?auth_request_id=…&state=…, and the app's
// VerifyConnectedAccountUser (matching identifier) promotes them to live (ACTIVE).
import { createHash, randomBytes } from "node:crypto";
import { Code } from "@connectrpc/connect";
import type { FastifyInstance, FastifyReply } from "fastify";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { create, type JsonObject } from "@bufbuild/protobuf";
import type { ConnectedAccountAuthRequest } from "../../generated/prisma/client.js";
import { inTransaction } from "../../db/tx.js";
import { connectedAccounts } from "../../protocol/descriptors.js";
import { apiError, invalidArgument, notFound } from "../../protocol/errors.js";
import { newId } from "../../protocol/ids.js";
import { sendRestError } from "../../protocol/rest.js";
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

const hashToken = (t: string) => createHash("sha256").update(t).digest("base64url");

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

/** Credentials handed over on the consent page: {authorization_details: {...}} as JSON, or access_token,
 *  refresh_token, scopes (space or comma separated) and domain as form fields or query parameters. */
function offeredCredentials(body: unknown, query: Record<string, unknown>): AuthorizationDetails | undefined {
  const b = body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  if (b.authorization_details !== undefined) {
    try { return detailsFromJson(b.authorization_details as JsonObject); } catch (e) {
      throw invalidArgument("authorization_details", (e as Error).message);
    }
  }
  const f = { ...query, ...b } as Record<string, unknown>;
  const str = (k: string) => (typeof f[k] === "string" ? (f[k] as string).trim() : "");
  if (!str("access_token") && !str("refresh_token")) return undefined;
  return create(connectedAccounts.AuthorizationDetailsSchema, {
    details: {
      case: "oauthToken",
      value: { accessToken: str("access_token"), refreshToken: str("refresh_token"), scopes: str("scopes").split(/[\s,]+/).filter(Boolean), domain: str("domain") },
    },
  });
}

/** expires_in (seconds) handed over with the tokens, as the provider's token response would say. */
function expiryOf(body: unknown, query: Record<string, unknown>): Date | null {
  const b = body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const raw = b.expires_in ?? query.expires_in;
  if (raw === undefined || raw === "") return null;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 10 * 365 * 86400) throw invalidArgument("expires_in", "must be a number of seconds");
  return new Date(Date.now() + n * 1000);
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function consentPage(reply: FastifyReply, token: string, connector: string, identifier: string) {
  return reply.type("text/html; charset=utf-8").send(`<!doctype html><title>Connect ${escapeHtml(connector)}</title>
<h1>Connect ${escapeHtml(connector)} for ${escapeHtml(identifier)}</h1>
<p>This local server stands in for the provider's consent screen: enter the credentials the provider would issue.</p>
<form method="post" action="${CONNECT_PATH}/${escapeHtml(token)}">
<label>access_token <input name="access_token" required></label><br>
<label>refresh_token <input name="refresh_token"></label><br>
<label>scopes <input name="scopes"></label><br>
<button type="submit">Authorize</button></form>`);
}

/** Public routes (no bearer token: the link's token is the credential) for the magic link's page. */
export async function connectRoutes(scope: FastifyInstance, deps: ServiceDeps): Promise<void> {
  const { db, config } = deps;
  const cipher = cipherFor(db, config.encryptionKey);
  scope.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  const complete = async (req: { params: unknown; body: unknown; query: unknown }, reply: FastifyReply) => {
    try {
      const token = (req.params as { token: string }).token;
      const ar = await db.connectedAccountAuthRequest.findUnique({ where: { tokenHash: hashToken(token) }, include: { connectedAccount: true } });
      if (!ar) throw apiError(Code.NotFound, "magic link not found");
      if (ar.status !== "LINK_ISSUED") return reply.send(statusJson(ar, ar.connectedAccount.status));
      if (ar.expiresAt.getTime() <= Date.now()) throw apiError(Code.FailedPrecondition, "this magic link has expired; ask for a new one");
      const offered = offeredCredentials(req.body, (req.query ?? {}) as Record<string, unknown>);
      const tokenExpiresAt = expiryOf(req.body, (req.query ?? {}) as Record<string, unknown>);
      if (offered && !hasCredentials(offered)) throw invalidArgument("authorization_details", "must carry credentials");
      if (!offered && !ar.connectedAccount.credentials) return consentPage(reply, token, ar.connectedAccount.connector, ar.connectedAccount.identifier);
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
      if (result.redirect) {
        const u = new URL(ar.userVerifyUrl);
        u.searchParams.set("auth_request_id", ar.id);
        if (ar.state) u.searchParams.set("state", ar.state);
        return reply.redirect(u.toString(), 302);
      }
      return reply.send(statusJson(ar, result.status));
    } catch (e) {
      return sendRestError(reply, e);
    }
  };

  scope.get(`${CONNECT_PATH}/:token`, complete);
  scope.post(`${CONNECT_PATH}/:token`, complete);

  // where VerifyConnectedAccountUser's post_user_verify_redirect_url points: the flow's outcome
  scope.get(`${CONNECT_PATH}/complete/:authRequestId`, async (req, reply) => {
    const id = (req.params as { authRequestId: string }).authRequestId;
    const ar = await db.connectedAccountAuthRequest.findUnique({ where: { id }, include: { connectedAccount: true } });
    if (!ar || ar.status !== "COMPLETED") return sendRestError(reply, notFound("completed connected-account authorization", id));
    return reply.send(statusJson(ar, ar.connectedAccount.status));
  });
}

function statusJson(ar: ConnectedAccountAuthRequest & { connectedAccount: { id: string; connector: string; identifier: string } }, status: string) {
  return { connected_account_id: ar.connectedAccount.id, connector: ar.connectedAccount.connector, identifier: ar.connectedAccount.identifier, status };
}
