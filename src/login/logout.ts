// GET /oidc/logout (RP-initiated logout): ends the browser's session (found by its cookie, or by the sid of a
// valid id_token_hint), stops its refresh tokens, emits user.logout, and returns to post_logout_redirect_uri when
// that is on the client's allow-list; otherwise a local page. Bad input changes nothing.
import type { FastifyInstance } from "fastify";
import { inTransaction } from "../db/tx.js";
import { verifyJwt } from "../auth/own-jwt.js";
import { isAllowedRedirect } from "../api/clients/redirects.js";
import { PageError } from "../api/auth/login/errors.js";
import { endSession, SESSION_COOKIE, sessionOfCookie } from "../api/auth/login/sessions.js";
import { clientsOf } from "../api/sessions/mapping.js";
import { isSecureRequest, setCookie } from "../views/cookies.js";
import { html } from "../views/html.js";
import { page, sendPage } from "../views/page.js";
import { redirect, sendError, sessionCookie, type LoginDeps } from "./http.js";

const LIMITS: Record<string, number> = { id_token_hint: 8192, post_logout_redirect_uri: 2048, state: 2048, client_id: 200, ui_locales: 100 };

export async function registerLogout(app: FastifyInstance, deps: LoginDeps): Promise<void> {
  const { services } = deps;

  app.get("/oidc/logout", async (req, reply) => {
    try {
      const q = req.query as Record<string, unknown>;
      const get = (name: string): string | undefined => {
        const v = q[name];
        if (v === undefined) return undefined;
        if (typeof v !== "string") throw new PageError("Invalid logout request", `${name} must be given once`);
        if (v.length > (LIMITS[name] ?? 2048)) throw new PageError("Invalid logout request", `${name} is too long`);
        return v || undefined;
      };
      const hint = get("id_token_hint"), uri = get("post_logout_redirect_uri"), state = get("state");
      let clientId = get("client_id");

      let hinted: Record<string, unknown> | undefined;
      if (hint) {
        hinted = await verifyJwt(deps.keys, hint, { allowExpired: true });
        if (!hinted || hinted.iss !== services.config.environmentUrl) throw new PageError("Invalid logout request", "id_token_hint is not an ID token of this environment");
        const aud = Array.isArray(hinted.aud) ? hinted.aud[0] : hinted.aud;
        if (clientId && typeof aud === "string" && aud !== clientId) throw new PageError("Invalid logout request", "client_id does not match the id_token_hint");
        if (typeof aud === "string") clientId = aud;
      }
      const byCookie = await sessionOfCookie(services, sessionCookie(req));
      const sid = typeof hinted?.sid === "string" ? hinted.sid : undefined;
      const session = byCookie ?? (sid ? (await services.db.userSession.findUnique({ where: { id: sid } })) ?? undefined : undefined);
      if (byCookie && hinted && typeof hinted.sub === "string" && hinted.sub !== byCookie.userId)
        throw new PageError("Invalid logout request", "id_token_hint belongs to another user than the one logged in here");
      clientId ??= session ? clientsOf(session)[0]?.clientId : undefined;
      if (!clientId) clientId = (await services.db.apiClient.findFirst({ where: { kind: "environment" }, orderBy: { createdAt: "asc" } }))?.id;

      if (uri && !(clientId && (await isAllowedRedirect(services, clientId, uri, "logout"))))
        throw new PageError("Logout redirect not allowed", `${uri} is not an allowed post-logout redirect URI of this application.`);

      if (session) await inTransaction(services.db, (tx) => endSession(tx, services, session.id));
      setCookie(reply, SESSION_COOKIE, "", { secure: isSecureRequest(req), maxAge: 0 });
      if (uri) {
        const target = new URL(uri);
        if (state) target.searchParams.set("state", state);
        return redirect(reply, target.href);
      }
      return sendPage(reply, page({ title: "You are logged out", body: html`<p class="muted">Your session has ended. You can close this window.</p>` }));
    } catch (e) {
      if (e instanceof PageError) return sendError(reply, e);
      throw e;
    }
  });
}
