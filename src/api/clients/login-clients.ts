// Environment-level OAuth clients as stored: an api_clients row of kind "environment" plus its login settings
// (client_login_settings). The environment's own client (SCALEKIT_CLIENT_ID, or the one generated at first start)
// is one of them; CreateClient adds more (an SPA, a native app, a second web app).
import type { ApiClient, ClientLoginSettings, ClientSecret } from "../../generated/prisma/client.js";
import type { Config } from "../../config.js";
import type { Db } from "../../db/client.js";
import type { Tx } from "../../db/tx.js";

export const ENVIRONMENT_KIND = "environment";
export const CLIENT_TYPES = ["WEB_APP", "SPA", "NTV"] as const;
export type ClientType = (typeof CLIENT_TYPES)[number];

export type LoginClientRow = ApiClient & { secrets: ClientSecret[]; loginSettings: ClientLoginSettings | null };

/** What a client without a settings row (created before this table existed) behaves as. */
export const DEFAULT_LOGIN_SETTINGS = {
  clientType: "WEB_APP" as ClientType, postLoginUris: [] as string[], postLogoutRedirectUris: [] as string[],
  backChannelLogoutUris: [] as string[], initiateLoginUri: null as string | null, enforcePkce: false,
  accessTokenExpiry: 300, disallowApiAccess: false, grantTypes: [] as string[],
};

export type LoginSettings = typeof DEFAULT_LOGIN_SETTINGS;

export function settingsOf(row: { loginSettings: ClientLoginSettings | null }): LoginSettings {
  const s = row.loginSettings;
  if (!s) return DEFAULT_LOGIN_SETTINGS;
  const clientType = (CLIENT_TYPES as readonly string[]).includes(s.clientType) ? (s.clientType as ClientType) : "WEB_APP";
  return {
    clientType, postLoginUris: s.postLoginUris, postLogoutRedirectUris: s.postLogoutRedirectUris,
    backChannelLogoutUris: s.backChannelLogoutUris, initiateLoginUri: s.initiateLoginUri,
    // public clients cannot keep a secret, so they always prove the code with PKCE
    enforcePkce: s.enforcePkce || clientType !== "WEB_APP",
    accessTokenExpiry: s.accessTokenExpiry, disallowApiAccess: s.disallowApiAccess, grantTypes: s.grantTypes,
  };
}

export const LOGIN_CLIENT_INCLUDE = { secrets: true, loginSettings: true } as const;

export async function findLoginClient(db: Db | Tx, clientId: string): Promise<LoginClientRow | undefined> {
  if (!clientId) return undefined;
  const row = await db.apiClient.findUnique({ where: { id: clientId }, include: LOGIN_CLIENT_INCLUDE });
  return row?.kind === ENVIRONMENT_KIND ? row : undefined;
}

/** The environment's own client: the configured one, else the first one created (as ensureEnvironmentClient picks). */
export async function ownClientId(db: Db | Tx, config: Pick<Config, "clientId">): Promise<string | undefined> {
  if (config.clientId) return config.clientId;
  const first = await db.apiClient.findFirst({ where: { kind: ENVIRONMENT_KIND }, orderBy: { createdAt: "asc" }, select: { id: true } });
  return first?.id;
}

/**
 * At start: give the environment client its settings row, and apply REDIRECT_URIS, POST_LOGOUT_REDIRECT_URIS and
 * INITIATE_LOGIN_URI when they are set. A set variable replaces the stored list on every start (the configuration
 * is declarative, as SCALEKIT_CLIENT_SECRET is); an unset one leaves what the API stored.
 */
export async function applyConfiguredRedirects(db: Db, clientId: string, redirects: Config["redirects"]): Promise<void> {
  const data = {
    ...(redirects.postLoginUris ? { postLoginUris: redirects.postLoginUris } : {}),
    ...(redirects.postLogoutRedirectUris ? { postLogoutRedirectUris: redirects.postLogoutRedirectUris } : {}),
    ...(redirects.initiateLoginUri ? { initiateLoginUri: redirects.initiateLoginUri } : {}),
  };
  await db.clientLoginSettings.upsert({ where: { clientId }, create: { clientId, ...data }, update: data });
}
