// The OpenID Connect relying party behind every OIDC connection (openid-client does the protocol checks):
// discovery from the issuer (or discovery_endpoint, or the endpoints entered by hand), the authorization code flow
// with PKCE (S256) and a nonce, client authentication as token_auth_type says (client_secret_post / _basic), the ID
// token verified (signature from the IdP's JWKS, iss, aud, azp, exp, iat, nonce), and userinfo when the connection
// names a user_info_uri or the ID token lacks the email.
import * as oidc from "openid-client";
import type { SsoAdapter, SsoConnection, SsoFinishResult } from "../adapter.js";
import { connections } from "../../protocol/descriptors.js";
import type { Db } from "../../db/client.js";
import type { SsoRequest } from "../../generated/prisma/client.js";
import { mapProfile } from "../attributes.js";
import { SsoFailure } from "../failure.js";
import { boundedFetch, IDP_FETCH_TIMEOUT_MS } from "../fetch.js";
import { findRequest, openRequest, takeRequest } from "../requests.js";
import { ssoSecretBox } from "../secret-box.js";

export const isOidc = (c: SsoConnection) => c.type === connections.ConnectionType.OIDC && c.provider !== connections.ConnectionProvider.IDP_SIMULATOR;

export interface OidcDeps { db: Db }

const str = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : undefined);
const settingsOf = (c: SsoConnection): Record<string, unknown> => (c.settingsCase === "oidcConfig" && c.settings ? c.settings : {});

function reason(e: unknown): string {
  const err = e as Error & { code?: string; cause?: unknown; error?: string; error_description?: string };
  if (err?.name === "TimeoutError" || (err?.cause as Error)?.name === "TimeoutError") return `no answer within ${IDP_FETCH_TIMEOUT_MS / 1000} s`;
  const parts = [err?.message, err?.error && `${err.error}${err.error_description ? `: ${err.error_description}` : ""}`, (err?.cause as Error)?.message].filter(Boolean);
  return [...new Set(parts)].join(" — ").slice(0, 500) || String(e);
}

/** The IdP's configuration for this connection: discovered, or from the endpoints entered by hand. */
async function configurationOf(c: SsoConnection): Promise<oidc.Configuration> {
  const s = settingsOf(c);
  const clientId = str(s.client_id);
  if (!clientId) throw new SsoFailure("connection_not_active", "the OIDC connection is not fully configured", "the connection has no client_id");
  const secret = str(s.client_secret);
  const auth = s.token_auth_type === "BASIC_AUTH" ? oidc.ClientSecretBasic(secret) : secret ? oidc.ClientSecretPost(secret) : oidc.None();
  const execute = [...(allowsHttp(s) ? [oidc.allowInsecureRequests] : [])];
  const discoveryUrl = str(s.discovery_endpoint) ?? str(s.issuer);
  let config: oidc.Configuration;
  if (discoveryUrl && !(str(s.authorize_uri) && str(s.token_uri) && str(s.jwks_uri) && str(s.issuer))) {
    try {
      config = await oidc.discovery(new URL(discoveryUrl), clientId, undefined, auth, { [oidc.customFetch]: boundedFetch as any, execute, algorithm: "oidc" });
    } catch (e) {
      throw new SsoFailure("server_error", "the identity provider's OpenID configuration could not be read",
        `discovery from ${discoveryUrl} failed: ${reason(e)}. The issuer must serve /.well-known/openid-configuration whose "issuer" equals the configured issuer exactly`);
    }
  } else {
    const issuer = str(s.issuer);
    if (!issuer || !str(s.authorize_uri) || !str(s.token_uri) || !str(s.jwks_uri))
      throw new SsoFailure("connection_not_active", "the OIDC connection is not fully configured", "set issuer (or discovery_endpoint), or all of issuer, authorize_uri, token_uri and jwks_uri");
    config = new oidc.Configuration({
      issuer, authorization_endpoint: str(s.authorize_uri), token_endpoint: str(s.token_uri), jwks_uri: str(s.jwks_uri), userinfo_endpoint: str(s.user_info_uri),
    }, clientId, undefined, auth);
    for (const f of execute) f(config);
  }
  config[oidc.customFetch] = boundedFetch as any;
  return config;
}

/** http endpoints are only stored when the connection has debug_enabled (see connection config checks). */
function allowsHttp(s: Record<string, unknown>): boolean {
  return ["issuer", "discovery_endpoint", "authorize_uri", "token_uri"].some((k) => typeof s[k] === "string" && (s[k] as string).startsWith("http:"));
}

function scopesOf(c: SsoConnection): string {
  const list = Array.isArray(settingsOf(c).scopes) ? (settingsOf(c).scopes as unknown[]).filter((x): x is string => typeof x === "string" && x !== "OIDC_SCOPE_UNSPECIFIED") : [];
  return [...new Set(["openid", ...list])].join(" ");
}

export function oidcAdapter(deps: OidcDeps): SsoAdapter {
  return {
    handles: isOidc,

    async start(ctx) {
      const c = ctx.connection;
      const config = await configurationOf(c);
      const verifier = oidc.randomPKCECodeVerifier();
      const nonce = oidc.randomNonce();
      const box = await ssoSecretBox(deps.db);
      const request = await openRequest(deps.db, {
        connectionId: c.id, loginId: ctx.testRequestId ? undefined : ctx.loginId, testRequestId: ctx.testRequestId, nonce,
        codeVerifier: box.seal(verifier, `pkce:${c.id}`),
      });
      const params: Record<string, string> = {
        redirect_uri: ctx.callbackUrl, scope: scopesOf(c), response_type: "code", state: request.id, nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: "S256",
      };
      if (ctx.loginHint) params.login_hint = ctx.loginHint;
      if (ctx.forceAuthn) params.prompt = "login";
      return { kind: "redirect", url: oidc.buildAuthorizationUrl(config, params).href };
    },

    async finish(ctx): Promise<SsoFinishResult> {
      const c = ctx.connection;
      const q = (ctx.request.query ?? {}) as Record<string, unknown>;
      let request: SsoRequest | undefined;
      try {
        request = await findRequest(deps.db, c.id, q.state);
        if (!request) throw new SsoFailure("invalid_request", "the sign-in answer does not belong to a login of this connection",
          "the state parameter names no pending request of this connection: it expired (10 minutes), was already used, or the callback URL was opened by hand");
        if (typeof q.error === "string") {
          const desc = typeof q.error_description === "string" ? q.error_description.slice(0, 300) : "";
          throw new SsoFailure("authentication_not_completed", `the identity provider did not sign the user in (${q.error.slice(0, 100)})`, `the IdP answered error=${q.error.slice(0, 100)}${desc ? `: ${desc}` : ""}`);
        }
        const config = await configurationOf(c);
        const box = await ssoSecretBox(deps.db);
        const current = new URL(ctx.callbackUrl);
        for (const [k, v] of Object.entries(q)) if (typeof v === "string") current.searchParams.set(k, v);
        if (!(await takeRequest(deps.db, request))) throw new SsoFailure("invalid_request", "this sign-in answer was already used", `the request ${request.id} was answered before`);
        let tokens;
        try {
          tokens = await oidc.authorizationCodeGrant(config, current, {
            pkceCodeVerifier: request.codeVerifier ? box.open(request.codeVerifier, `pkce:${c.id}`) : undefined,
            expectedNonce: request.nonce ?? undefined, expectedState: request.id, idTokenExpected: true,
          });
        } catch (e) {
          const why = reason(e);
          const tokenStep = /token endpoint|invalid_grant|invalid_client|unauthorized_client|fetch failed|ECONNREFUSED|no answer/i.test(why) && !/ID Token|"id_token"|JWT|JWS|signature|nonce|"aud"|"iss"|"exp"/i.test(why);
          if (tokenStep) throw new SsoFailure("server_error", "the identity provider refused or did not answer the token request", `exchanging the code at the token endpoint failed: ${why}. Check client_id, client_secret and token_auth_type`);
          throw new SsoFailure("invalid_id_token", "the identity provider's ID token is not valid", `${why}`);
        }
        const claims: Record<string, unknown> = { ...(tokens.claims() ?? {}) };
        const sub = String(claims.sub ?? "");
        if (str(settingsOf(c).user_info_uri) || !claims.email) {
          try {
            const info = await oidc.fetchUserInfo(config, tokens.access_token, sub);
            for (const [k, v] of Object.entries(info)) if (!(k in claims)) claims[k] = v;
          } catch (e) {
            if (!claims.email) throw new SsoFailure("server_error", "the identity provider's userinfo could not be read", `GET userinfo failed: ${reason(e)}`);
          }
        }
        const raw = Object.fromEntries(Object.entries(claims).filter(([k]) => !["aud", "exp", "iat", "nbf", "nonce", "at_hash", "c_hash", "auth_time", "azp", "sid", "jti"].includes(k)));
        const profile = mapProfile({ raw, mapping: c.attributeMapping, subject: sub, emailVerifiedDefault: false, kind: "claim" });
        return { kind: "profile", profile, loginId: request.loginId ?? undefined, testRequestId: request.testRequestId ?? undefined };
      } catch (e) {
        const f = e instanceof SsoFailure ? e : new SsoFailure("server_error", "the OpenID Connect login could not be completed", reason(e));
        ctx.request.log.warn({ connectionId: c.id, error: f.code, details: f.details }, `OIDC login failed: ${f.description}`);
        return { kind: "error", error: f.code, errorDescription: f.description, errorDetails: f.details, loginId: request?.loginId ?? undefined, testRequestId: request?.testRequestId ?? undefined };
      }
    },
  };
}
