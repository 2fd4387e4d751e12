// Refreshing expired OAuth access tokens before they are used (execute_tool and the proxy). An account whose
// token_expires_at has passed, on a connector with a token_url, is refreshed with the refresh_token grant
// (client_id / client_secret from the connector settings, as form fields). Success stores the new tokens and
// expiry and emits connected_account.token_refresh_succeeded; failure marks the account EXPIRED, emits
// connected_account.token_refresh_failed and refuses the call. Without a token_url there is nothing to refresh
// with, and the provider decides whether the old token still works.
import { create } from "@bufbuild/protobuf";
import type { ConnectedAccount as Row } from "../../generated/prisma/client.js";
import { inTransaction } from "../../db/tx.js";
import { connectedAccounts } from "../../protocol/descriptors.js";
import { failedPrecondition } from "../../protocol/errors.js";
import type { ServiceDeps } from "../deps.js";
import { storedCredentials } from "./accounts.js";
import { findConnector } from "./connectors.js";
import type { CredentialCipher } from "./crypto.js";
import { credentialsOf, emitAccountEvent } from "./store.js";

const REFRESH_TIMEOUT_MS = 15_000;

type Outcome = { ok: true; accessToken: string; refreshToken?: string; expiresIn?: number; scopes?: string[] } | { ok: false; reason: string };

async function requestRefresh(tokenUrl: string, form: Record<string, string>): Promise<Outcome> {
  try {
    const res = await fetch(tokenUrl, {
      method: "POST", body: new URLSearchParams(form), signal: AbortSignal.timeout(REFRESH_TIMEOUT_MS),
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    });
    const j = await res.json().catch(() => undefined) as Record<string, unknown> | undefined;
    if (!res.ok) return { ok: false, reason: `the token endpoint answered HTTP ${res.status}${typeof j?.error === "string" ? ` (${j.error})` : ""}` };
    if (typeof j?.access_token !== "string" || !j.access_token) return { ok: false, reason: "the token endpoint returned no access_token" };
    return {
      ok: true, accessToken: j.access_token,
      refreshToken: typeof j.refresh_token === "string" && j.refresh_token ? j.refresh_token : undefined,
      expiresIn: typeof j.expires_in === "number" && j.expires_in > 0 ? j.expires_in : undefined,
      scopes: typeof j.scope === "string" ? j.scope.split(/\s+/).filter(Boolean) : undefined,
    };
  } catch (e) {
    return { ok: false, reason: `the token endpoint could not be reached (${(e as Error & { cause?: { code?: string } }).cause?.code ?? (e as Error).message})` };
  }
}

/** The account ready for use: refreshed first when its access token expired and the connector can refresh it. */
export async function withFreshToken(deps: ServiceDeps, cipher: CredentialCipher, account: Row): Promise<Row> {
  if (!account.tokenExpiresAt || account.tokenExpiresAt.getTime() > Date.now() || account.status !== "ACTIVE") return account;
  const connector = await findConnector(deps.db, account.connector);
  if (!connector?.tokenUrl) return account;
  await cipher.ready();
  const details = await credentialsOf(cipher, account);
  const token = details?.details.case === "oauthToken" ? details.details.value : undefined;
  if (!token) return account;
  const outcome: Outcome = token.refreshToken
    ? await requestRefresh(connector.tokenUrl, {
      grant_type: "refresh_token", refresh_token: token.refreshToken,
      ...(connector.clientId ? { client_id: connector.clientId } : {}),
      ...(connector.clientSecret ? { client_secret: await cipher.decrypt<string>(connector.clientSecret, `connector:${connector.name}`) } : {}),
    })
    : { ok: false, reason: "the account has no refresh_token" };

  const updated = await inTransaction(deps.db, async (tx) => {
    await tx.$queryRaw`SELECT id FROM connected_accounts WHERE id = ${account.id} FOR UPDATE`;
    const current = await tx.connectedAccount.findUnique({ where: { id: account.id } });
    // someone else refreshed or changed it meanwhile: theirs stands
    if (!current || current.credentials !== account.credentials) return current;
    if (!outcome.ok) {
      const expired = await tx.connectedAccount.update({ where: { id: account.id }, data: { status: "EXPIRED", updatedAt: new Date() } });
      await emitAccountEvent(deps.outbox, tx, "connected_account.token_refresh_failed", expired);
      return expired;
    }
    const next = create(connectedAccounts.AuthorizationDetailsSchema, {
      details: { case: "oauthToken", value: { ...token, accessToken: outcome.accessToken, refreshToken: outcome.refreshToken ?? token.refreshToken, scopes: outcome.scopes ?? token.scopes } },
    });
    const refreshed = await tx.connectedAccount.update({
      where: { id: account.id },
      data: {
        credentials: await storedCredentials(cipher, account.id, next), updatedAt: new Date(), lastUsedAt: new Date(),
        tokenExpiresAt: outcome.expiresIn ? new Date(Date.now() + outcome.expiresIn * 1000) : null,
      },
    });
    await emitAccountEvent(deps.outbox, tx, "connected_account.token_refresh_succeeded", refreshed);
    return refreshed;
  });
  if (!updated) throw failedPrecondition(`connected account ${account.id} was deleted`);
  if (updated.status !== "ACTIVE")
    throw failedPrecondition(`connected account ${account.id} is ${updated.status}: its access token expired and could not be refreshed${outcome.ok ? "" : ` (${outcome.reason})`}; authorize it again`);
  return updated;
}
