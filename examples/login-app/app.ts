// A small web application that logs its users in with Scalekit's hosted login, written against the official
// @scalekit-sdk/node the way an application would be, and pointed at this server instead of the cloud.
// Plain node:http, no framework: every step of the flow is visible here.
//
//   /login      → scalekit.getAuthorizationUrl(…)        (optionally with PKCE, an organization, a prompt)
//   /callback   → scalekit.authenticateWithCode(…)       (the redirect URI registered for the client)
//   /           → the signed-in user's email, name, organization and roles (from the validated access token)
//   /refresh    → scalekit.refreshAccessToken(…)         (rotates the refresh token)
//   /logout     → scalekit.getLogoutUrl(…)               (ends the Scalekit session too)
//   /initiate-login → IdP-initiated SSO: scalekit.getIdpInitiatedLoginClaims(…), then /oauth/authorize
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import http from "node:http";
import { ScalekitClient } from "@scalekit-sdk/node";

export interface LoginAppOptions {
  /** where Scalekit (this server) runs: SCALEKIT_ENVIRONMENT_URL */
  environmentUrl: string;
  /** the web application's client (confidential: it has a secret) */
  clientId: string;
  clientSecret: string;
  /** a public client (client_type SPA or NTV) for the PKCE-only login; optional */
  publicClientId?: string;
  /** this app's own origin, e.g. http://localhost:3000 */
  baseUrl: string;
}

interface AppSession {
  csrf: string;
  /** the login in progress: checked when Scalekit sends the browser back */
  pending?: { state: string; codeVerifier?: string; publicClient: boolean };
  signedIn?: {
    email: string; name: string; userId: string; organizationId: string; roles: string[]; permissions: string[];
    accessToken: string; refreshToken: string; idToken: string; expiresAt: number; publicClient: boolean; refreshes: number;
  };
  notice?: string;
}

interface AccessClaims { sub: string; oid?: string; sid?: string; roles?: string[]; permissions?: string[]; exp: number }

const COOKIE = "login_app_session";
const random = () => randomBytes(24).toString("base64url");
const sha256 = (s: string) => createHash("sha256").update(s).digest("base64url");

export function createLoginApp(opts: LoginAppOptions): http.Server {
  const scalekit = new ScalekitClient(opts.environmentUrl, opts.clientId, opts.clientSecret);
  // a public client has no secret: the SDK sends an empty one, which the token endpoint treats as absent
  const publicScalekit = opts.publicClientId ? new ScalekitClient(opts.environmentUrl, opts.publicClientId, "") : undefined;
  const redirectUri = `${opts.baseUrl}/callback`;
  const sessions = new Map<string, AppSession>();

  const clientFor = (publicClient: boolean) => (publicClient && publicScalekit ? publicScalekit : scalekit);
  const clientIdFor = (publicClient: boolean) => (publicClient && opts.publicClientId ? opts.publicClientId : opts.clientId);

  async function signIn(session: AppSession, publicClient: boolean, tokens: { accessToken: string; refreshToken: string; idToken?: string }) {
    const sk = clientFor(publicClient);
    // the access token is checked (signature, issuer, audience) before the app trusts anything in it
    const claims = await sk.validateToken<AccessClaims>(tokens.accessToken, { issuer: opts.environmentUrl, audience: [clientIdFor(publicClient)] });
    const previous = session.signedIn;
    const idToken = tokens.idToken ?? previous?.idToken ?? "";
    const profile = decodePayload(idToken);
    session.signedIn = {
      email: String(profile.email ?? previous?.email ?? ""), name: String(profile.name ?? previous?.name ?? ""),
      userId: claims.sub, organizationId: claims.oid ?? "", roles: claims.roles ?? [], permissions: claims.permissions ?? [],
      accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, idToken, expiresAt: claims.exp, publicClient,
      refreshes: previous ? previous.refreshes + 1 : 0,
    };
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse, session: AppSession) {
    const url = new URL(req.url ?? "/", opts.baseUrl);
    const q = url.searchParams;

    if (req.method === "GET" && url.pathname === "/") {
      const notice = session.notice;
      session.notice = undefined;
      return send(res, 200, session.signedIn ? homePage(session, notice) : welcomePage(session, notice, !!publicScalekit));
    }

    if (req.method === "GET" && url.pathname === "/login") {
      const publicClient = q.get("pkce") === "public" && !!publicScalekit;
      const pkce = publicClient || q.get("pkce") === "1";
      const state = random();
      const codeVerifier = pkce ? randomBytes(48).toString("base64url") : undefined;
      session.pending = { state, codeVerifier, publicClient };
      const authUrl = clientFor(publicClient).getAuthorizationUrl(redirectUri, {
        state,
        scopes: ["openid", "profile", "email", "offline_access"],
        ...(codeVerifier ? { codeChallenge: sha256(codeVerifier), codeChallengeMethod: "S256" } : {}),
        ...(q.get("organization_id") ? { organizationId: q.get("organization_id")! } : {}),
        ...(q.get("connection_id") ? { connectionId: q.get("connection_id")! } : {}),
        ...(q.get("login_hint") ? { loginHint: q.get("login_hint")! } : {}),
        ...(q.get("prompt") ? { prompt: q.get("prompt")! } : {}),
      });
      return redirect(res, authUrl);
    }

    if (req.method === "GET" && url.pathname === "/callback") {
      const pending = session.pending;
      session.pending = undefined;
      if (q.get("error")) return send(res, 400, errorPage(q.get("error")!, q.get("error_description") ?? ""));
      const code = q.get("code"), state = q.get("state");
      if (!pending || !code || !state || !sameString(state, pending.state))
        return send(res, 400, errorPage("invalid_state", "This sign-in did not start here (or was already used). Start again."));
      const result = await clientFor(pending.publicClient).authenticateWithCode(code, redirectUri, pending.codeVerifier ? { codeVerifier: pending.codeVerifier } : {});
      session.signedIn = undefined;
      await signIn(session, pending.publicClient, result);
      return redirect(res, "/");
    }

    if (req.method === "GET" && url.pathname === "/initiate-login") {
      if (q.get("error")) return send(res, 400, errorPage(q.get("error")!, q.get("error_description") ?? ""));
      const token = q.get("idp_initiated_login");
      if (!token) return redirect(res, "/login");
      // the identity provider started this login: its claims say where to send the user
      const claims = await scalekit.getIdpInitiatedLoginClaims(token, { issuer: opts.environmentUrl });
      const state = claims.relay_state || random();
      session.pending = { state, publicClient: false };
      return redirect(res, scalekit.getAuthorizationUrl(redirectUri, {
        state, scopes: ["openid", "profile", "email", "offline_access"],
        connectionId: claims.connection_id, organizationId: claims.organization_id, loginHint: claims.login_hint,
      }));
    }

    if (req.method === "POST" && url.pathname === "/refresh") {
      if (!(await csrfOk(req, session))) return send(res, 403, errorPage("forbidden", "The form was not sent by this app."));
      if (!session.signedIn) return redirect(res, "/");
      try {
        const next = await clientFor(session.signedIn.publicClient).refreshAccessToken(session.signedIn.refreshToken);
        await signIn(session, session.signedIn.publicClient, next);
        session.notice = "Tokens refreshed: a new access token and a new refresh token.";
      } catch (e) {
        // a reused (stolen) refresh token revokes the whole session at Scalekit: the user must sign in again
        session.signedIn = undefined;
        session.notice = `Your session has ended (${describe(e)}). Please sign in again.`;
      }
      return redirect(res, "/");
    }

    if (req.method === "POST" && url.pathname === "/logout") {
      if (!(await csrfOk(req, session))) return send(res, 403, errorPage("forbidden", "The form was not sent by this app."));
      const idTokenHint = session.signedIn?.idToken;
      const sk = clientFor(session.signedIn?.publicClient ?? false);
      session.signedIn = undefined;
      session.notice = "You have been signed out.";
      // a top-level navigation, so Scalekit's own session cookie goes along and that session ends too
      return redirect(res, sk.getLogoutUrl({ idTokenHint, postLogoutRedirectUri: `${opts.baseUrl}/` }));
    }

    return send(res, 404, errorPage("not_found", `Nothing at ${url.pathname}.`));
  }

  return http.createServer((req, res) => {
    let id = parseCookies(req.headers.cookie)[COOKIE];
    let session = id ? sessions.get(id) : undefined;
    if (!session) {
      id = random();
      session = { csrf: random() };
      sessions.set(id, session);
      res.setHeader("set-cookie", `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax`);
    }
    route(req, res, session).catch((e) => {
      if (!res.headersSent) send(res, 502, errorPage("login_failed", describe(e)));
    });
  });
}

// ---- helpers ----

function decodePayload(jwt: string): Record<string, unknown> {
  try { return JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8")); } catch { return {}; }
}

function describe(e: unknown): string {
  const r = (e as { response?: { data?: { error?: string; error_description?: string } } }).response?.data;
  if (r?.error) return `${r.error}: ${r.error_description ?? ""}`.trim();
  return e instanceof Error ? e.message : String(e);
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

async function csrfOk(req: http.IncomingMessage, session: AppSession): Promise<boolean> {
  let body = "";
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 4096) return false;
  }
  const token = new URLSearchParams(body).get("csrf") ?? "";
  return sameString(token, session.csrf);
}

function redirect(res: http.ServerResponse, location: string) {
  res.writeHead(302, { location, "cache-control": "no-store" }).end();
}

function send(res: http.ServerResponse, status: number, body: string) {
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8", "cache-control": "no-store",
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:; base-uri 'none'; frame-ancestors 'none'",
  }).end(body);
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Acme Notes</title><style>
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2937;background:#f3f4f8}
header{background:#111827;color:#fff;padding:14px 32px;display:flex;align-items:center;gap:10px}
header .logo{width:26px;height:26px;border-radius:7px;background:linear-gradient(135deg,#6366f1,#22d3ee)}header b{font-size:17px}
main{max-width:720px;margin:40px auto;padding:0 20px}.card{background:#fff;border-radius:14px;box-shadow:0 1px 3px rgba(0,0,0,.08),0 8px 24px rgba(17,24,39,.06);padding:28px 32px;margin-bottom:20px}
h1{font-size:24px;margin:0 0 6px}p.muted{color:#6b7280;margin:0 0 18px}.notice{background:#ecfdf5;color:#065f46;border:1px solid #a7f3d0;border-radius:10px;padding:10px 14px;margin-bottom:18px}
.error{background:#fef2f2;color:#991b1b;border:1px solid #fecaca}a.button,button{display:inline-block;border:0;border-radius:9px;padding:10px 18px;font:600 14px system-ui,sans-serif;cursor:pointer;text-decoration:none;margin:4px 8px 4px 0}
.primary{background:#4f46e5;color:#fff}.secondary{background:#eef2ff;color:#3730a3}.danger{background:#fee2e2;color:#991b1b}
dl{display:grid;grid-template-columns:160px 1fr;gap:8px 16px;margin:0}dt{color:#6b7280}dd{margin:0;word-break:break-all}
.chip{display:inline-block;background:#eef2ff;color:#3730a3;border-radius:999px;padding:2px 10px;margin:0 6px 4px 0;font-size:13px}
code{font:12px ui-monospace,monospace;background:#f3f4f6;border-radius:6px;padding:2px 6px}form{display:inline}
</style></head><body><header><span class="logo"></span><b>Acme Notes</b><span style="opacity:.6">· example app for Scalekit login</span></header><main>${body}</main></body></html>`;
}

function welcomePage(_session: AppSession, notice: string | undefined, hasPublicClient: boolean): string {
  return layout("Welcome", `<div class="card">
${notice ? `<div class="notice">${esc(notice)}</div>` : ""}
<h1>Welcome to Acme Notes</h1><p class="muted">Sign in with your work email. Single sign-on, one-time codes and organization choice are handled by Scalekit's hosted login.</p>
<a class="button primary" href="/login">Sign in</a>
<a class="button secondary" href="/login?pkce=1">Sign in with PKCE</a>
${hasPublicClient ? `<a class="button secondary" href="/login?pkce=public">Sign in as a public client (PKCE only)</a>` : ""}
<a class="button secondary" href="/login?prompt=select_account">Switch organization</a>
</div>`);
}

function homePage(session: AppSession, notice: string | undefined): string {
  const u = session.signedIn!;
  const csrf = `<input type="hidden" name="csrf" value="${esc(session.csrf)}">`;
  return layout("Your account", `<div class="card">
${notice ? `<div class="notice">${esc(notice)}</div>` : ""}
<h1>Signed in</h1><p class="muted">You are signed in to Acme Notes through Scalekit.</p>
<dl>
<dt>Email</dt><dd id="email">${esc(u.email)}</dd>
<dt>Name</dt><dd id="name">${esc(u.name || "—")}</dd>
<dt>User</dt><dd id="user-id"><code>${esc(u.userId)}</code></dd>
<dt>Organization</dt><dd id="organization-id"><code>${esc(u.organizationId || "—")}</code></dd>
<dt>Roles</dt><dd id="roles">${u.roles.map((r) => `<span class="chip">${esc(r)}</span>`).join("") || "—"}</dd>
<dt>Permissions</dt><dd id="permissions">${u.permissions.map((p) => `<span class="chip">${esc(p)}</span>`).join("") || "—"}</dd>
<dt>Client</dt><dd>${u.publicClient ? "public client (PKCE)" : "web application"}</dd>
<dt>Access token expires</dt><dd id="expires-at">${esc(new Date(u.expiresAt * 1000).toISOString())}</dd>
<dt>Refreshed</dt><dd id="refreshes">${u.refreshes} time(s)</dd>
</dl>
<p style="margin-top:22px">
<form method="post" action="/refresh">${csrf}<button class="secondary" type="submit">Refresh tokens</button></form>
<form method="post" action="/logout">${csrf}<button class="danger" type="submit">Sign out</button></form>
</p></div>
<div class="card"><h1 style="font-size:17px">Tokens</h1><p class="muted">Shown because this is an example on a local emulator; a real app never puts tokens in a page.</p>
<dl><dt>Refresh token</dt><dd><code id="refresh-token">${esc(u.refreshToken)}</code></dd></dl></div>`);
}

function errorPage(error: string, description: string): string {
  return layout("Sign-in failed", `<div class="card"><div class="notice error"><b id="error">${esc(error)}</b><br><span id="error-description">${esc(description)}</span></div>
<h1>Sign-in did not complete</h1><p class="muted">Scalekit sent the browser back with an error.</p><a class="button primary" href="/">Back to Acme Notes</a></div>`);
}
