// What the hosted login (src/login, src/auth/grants) asks about a client: may the browser be sent to this URI,
// and what kind of client is it. The allow-lists are managed with the environment ClientService RPCs
// (environment-clients.ts) and seeded from REDIRECT_URIS / POST_LOGOUT_REDIRECT_URIS at start.
import type { ServiceDeps } from "../deps.js";
import { findLoginClient, settingsOf, type ClientType } from "./login-clients.js";
import { isLoopbackUri, matchesRegistered } from "./redirect-uris.js";

/** longer than any registered URI with its wildcard filled; checked before any matching work */
const MAX_REQUESTED_URI_CHARS = 2048;

export type RedirectKind = "login" | "logout";

export interface LoginClient {
  id: string;
  clientType: ClientType;
  initiateLoginUri?: string;
  /** true for SPA and NTV clients always, and for web apps that opted in */
  enforcePkce: boolean;
  /** public clients (SPA, NTV) have no secret: they authenticate at /oauth/token with client_id + code_verifier */
  publicClient: boolean;
  /** lifetime of the user access tokens this client receives, in seconds (Client.access_token_expiry) */
  accessTokenExpiry: number;
  postLoginUris: string[];
  postLogoutRedirectUris: string[];
  backChannelLogoutUris: string[];
  /** Client.grant_types as configured; empty: every grant the client type allows */
  grantTypes: string[];
  /** Client.disallow_scalekit_api_access */
  disallowApiAccess: boolean;
}

/**
 * true when `uri` is on the environment client's allow-list for `kind` (post_login_uris / post_logout_redirect_uris),
 * or is a loopback URI and ALLOW_LOOPBACK_REDIRECTS is on
 */
export async function isAllowedRedirect(deps: ServiceDeps, clientId: string, uri: string, kind: RedirectKind): Promise<boolean> {
  if (!uri || uri.length > MAX_REQUESTED_URI_CHARS) return false;
  const client = await loginClient(deps, clientId);
  if (!client) return false;
  const list = kind === "login" ? client.postLoginUris : client.postLogoutRedirectUris;
  if (list.some((registered) => matchesRegistered(registered, uri))) return true;
  return deps.config.redirects.allowLoopback && isLoopbackUri(uri);
}

/** the client as the login flow needs it; undefined for an unknown client id */
export async function loginClient(deps: ServiceDeps, clientId: string): Promise<LoginClient | undefined> {
  const row = await findLoginClient(deps.db, clientId);
  if (!row) return undefined;
  const s = settingsOf(row);
  return {
    id: row.id, clientType: s.clientType, initiateLoginUri: s.initiateLoginUri ?? undefined, enforcePkce: s.enforcePkce,
    publicClient: s.clientType !== "WEB_APP", accessTokenExpiry: s.accessTokenExpiry,
    postLoginUris: s.postLoginUris, postLogoutRedirectUris: s.postLogoutRedirectUris, backChannelLogoutUris: s.backChannelLogoutUris,
    grantTypes: s.grantTypes, disallowApiAccess: s.disallowApiAccess,
  };
}
