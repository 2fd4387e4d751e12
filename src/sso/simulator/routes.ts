// The SSO simulator's pages: the identity provider of the IDP_SIMULATOR connections, served by this server and
// marked as a simulator on every page. Three scenarios, as Scalekit's simulator has: "User login via SSO" (the
// entered profile goes back to the pending login), "IdP-initiated login" (the application's initiate-login URI
// receives an idp_initiated_login token) and "Error" (the application receives error + error_description).
// After a sign-in the simulator keeps its own IdP session (a cookie), so the next login at the same connection
// returns at once, as with a real IdP, unless the login asks to authenticate again (prompt=login).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { html } from "../../views/html.js";
import { page, sendPage } from "../../views/page.js";
import { csrfField, csrfToken, csrfValid, CSRF_FIELD } from "../../views/csrf.js";
import { isSecureRequest, readCookie, setCookie } from "../../views/cookies.js";
import { field, registerFormParser } from "../../views/form.js";
import type { SsoDeps } from "../index.js";
import { callbackUrl, ssoConnection } from "../index.js";
import { isSimulator } from "./adapter.js";
import { IDP_SESSION_TTL_SECONDS, readIdpSession, signAnswer, signIdpSession, type SimulatedProfile, type SimulatorAnswer } from "./response.js";

const SESSION_COOKIE = "sk_simulator";
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;
const LOGIN_ID = /^lri_\d{1,30}$/;
const SCENARIOS = { sso_login: "User login via SSO", idp_initiated: "IdP-initiated login", error: "Error" } as const;
type Scenario = keyof typeof SCENARIOS;

export interface SimulatorHooks {
  /** origins the page's form may end up at (CSP form-action follows redirects): the application's */
  formTargets(loginId: string | undefined): Promise<string[]>;
}

interface Values { scenario: Scenario; email: string; first_name: string; last_name: string; groups: string; custom_attributes: string; error_description: string }

export async function registerSimulator(app: FastifyInstance, deps: SsoDeps, hooks: SimulatorHooks): Promise<void> {
  const { services, keys } = deps;
  const base = services.config.environmentUrl;
  const path = (id: string) => `/sso/v1/simulator/${id}`;

  async function connectionOf(req: FastifyRequest, reply: FastifyReply) {
    const id = (req.params as { connectionId: string }).connectionId;
    const row = /^conn_\d{1,30}$/.test(id) ? await services.db.connection.findUnique({ where: { id } }) : null;
    if (!row || !isSimulator(row)) {
      await sendPage(reply, page({ title: "Unknown connection", subtitle: "SSO simulator", body: html`<p>There is no IdP simulator connection ${id}.</p>` }), { status: 404 });
      return undefined;
    }
    return row;
  }

  async function render(req: FastifyRequest, reply: FastifyReply, connectionId: string, loginId: string | undefined, v: Values, error?: string, status = 200) {
    const token = csrfToken(req, reply, services.hashKey);
    const option = (s: Scenario) => html`<option value="${s}"${v.scenario === s ? html` selected` : ""}>${SCENARIOS[s]}</option>`;
    const body = html`
<p class="muted">This is the SSO simulator of your local Scalekit server, standing in for the identity provider of connection <code>${connectionId}</code>. Nothing here is a real identity provider.</p>
${error ? html`<div class="alert error" role="alert">${error}</div>` : ""}
${loginId ? "" : html`<div class="alert info">No login is waiting for this connection: "User login via SSO" needs one (start it from your application); "IdP-initiated login" works from here.</div>`}
<form method="post" action="${path(connectionId)}">
${csrfField(token)}
${loginId ? html`<input type="hidden" name="login_id" value="${loginId}">` : ""}
<label for="scenario">Scenario</label>
<select id="scenario" name="scenario">${option("sso_login")}${option("idp_initiated")}${option("error")}</select>
<label for="email">Email</label>
<input id="email" type="email" name="email" value="${v.email}" autocomplete="email">
<label for="first_name">First name</label>
<input id="first_name" type="text" name="first_name" value="${v.first_name}">
<label for="last_name">Last name</label>
<input id="last_name" type="text" name="last_name" value="${v.last_name}">
<label for="groups">Groups (optional, comma-separated)</label>
<input id="groups" type="text" name="groups" value="${v.groups}">
<label for="custom_attributes">Custom attributes (optional, JSON object of strings)</label>
<textarea id="custom_attributes" name="custom_attributes">${v.custom_attributes}</textarea>
<label for="error_description">Error description (scenario "Error")</label>
<input id="error_description" type="text" name="error_description" value="${v.error_description}">
<button type="submit" class="block">Sign in</button>
</form>`;
    return sendPage(reply, page({ title: "IdP Simulator", subtitle: "SSO simulator · not a real IdP", body }),
      { status, formActionOrigins: await hooks.formTargets(loginId) });
  }

  async function answer(reply: FastifyReply, connectionRow: Parameters<typeof ssoConnection>[0], a: SimulatorAnswer) {
    const url = new URL(callbackUrl(base, ssoConnection(connectionRow)));
    url.searchParams.set("simulator_response", await signAnswer(keys, base, a));
    if (a.loginId) url.searchParams.set("state", a.loginId);
    return reply.code(303).header("cache-control", "no-store").redirect(url.href, 303);
  }

  app.get("/sso/v1/simulator/:connectionId", async (req, reply) => {
    const row = await connectionOf(req, reply);
    if (!row) return reply;
    const q = req.query as Record<string, unknown>;
    const loginId = typeof q.login_id === "string" && LOGIN_ID.test(q.login_id) ? q.login_id : undefined;
    const hint = typeof q.login_hint === "string" && q.login_hint.length <= 320 ? q.login_hint : "";
    // a live IdP session answers at once, as a real IdP does, unless the login asked to authenticate again
    const session = await readIdpSession(keys, base, row.id, readCookie(req, SESSION_COOKIE));
    if (loginId && session && q.force !== "1" && (!hint || hint.toLowerCase() === session.email.toLowerCase()))
      return answer(reply, row, { kind: "profile", connectionId: row.id, loginId, profile: session });
    return render(req, reply, row.id, loginId, {
      scenario: loginId ? "sso_login" : "idp_initiated", email: hint || session?.email || "", first_name: session?.givenName ?? "",
      last_name: session?.familyName ?? "", groups: session?.groups.join(", ") ?? "", custom_attributes: "", error_description: "",
    });
  });

  await app.register(async (scope) => {
    registerFormParser(scope);
    scope.post("/sso/v1/simulator/:connectionId", async (req, reply) => {
      const row = await connectionOf(req, reply);
      if (!row) return reply;
      const b = req.body;
      const rawLogin = field(b, "login_id", 64);
      const loginId = rawLogin && LOGIN_ID.test(rawLogin) ? rawLogin : undefined;
      const scenarioRaw = field(b, "scenario", 20) ?? "";
      const v: Values = {
        scenario: (scenarioRaw in SCENARIOS ? scenarioRaw : "sso_login") as Scenario,
        email: (field(b, "email", 320) ?? "").trim(), first_name: (field(b, "first_name", 200) ?? "").trim(),
        last_name: (field(b, "last_name", 200) ?? "").trim(), groups: field(b, "groups", 2000) ?? "",
        custom_attributes: field(b, "custom_attributes", 8000) ?? "", error_description: (field(b, "error_description", 500) ?? "").trim(),
      };
      if (!csrfValid(req, services.hashKey, field(b, CSRF_FIELD, 200)))
        return render(req, reply, row.id, loginId, v, "The form expired or came from another site. Submit it again.", 403);
      if (!(scenarioRaw in SCENARIOS)) return render(req, reply, row.id, loginId, v, "Choose one of the three scenarios.", 400);
      if (v.scenario === "error") {
        return answer(reply, row, {
          kind: "error", connectionId: row.id, loginId, error: "access_denied",
          errorDescription: v.error_description || "The identity provider (SSO simulator) refused the login",
        });
      }
      if (v.scenario === "sso_login" && !loginId)
        return render(req, reply, row.id, loginId, v, "No login is waiting: start the login from your application, or choose \"IdP-initiated login\".", 400);
      if (!EMAIL.test(v.email)) return render(req, reply, row.id, loginId, v, "Enter a valid email address.", 400);
      let customAttributes: Record<string, string> = {};
      if (v.custom_attributes.trim()) {
        let parsed: unknown;
        try { parsed = JSON.parse(v.custom_attributes); } catch { parsed = undefined; }
        if (!parsed || typeof parsed !== "object" || Array.isArray(parsed) || Object.values(parsed).some((x) => typeof x !== "string") || Object.keys(parsed).length > 50)
          return render(req, reply, row.id, loginId, v, "Custom attributes must be a JSON object of at most 50 string values, e.g. {\"department\": \"Sales\"}.", 400);
        customAttributes = parsed as Record<string, string>;
      }
      const profile: SimulatedProfile = {
        email: v.email, givenName: v.first_name, familyName: v.last_name, customAttributes,
        groups: v.groups.split(",").map((g) => g.trim()).filter(Boolean).slice(0, 100),
      };
      setCookie(reply, SESSION_COOKIE, await signIdpSession(keys, base, row.id, profile),
        { secure: isSecureRequest(req), path: "/sso/v1/simulator", maxAge: IDP_SESSION_TTL_SECONDS });
      return answer(reply, row, { kind: "profile", connectionId: row.id, loginId: v.scenario === "sso_login" ? loginId : undefined, profile });
    });
  });
}
