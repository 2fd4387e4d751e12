// /oauth/authorize and the login pages: thin HTTP over the login service (src/api/auth/login). Every POST checks
// its CSRF field first and changes nothing when it fails; every page is sent with the view layer's CSP, whose
// form-action names the application's origin because the last post of a login redirects there.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ConnectError } from "@connectrpc/connect";
import type { LoginFlow } from "../generated/prisma/client.js";
import { authorize, type AuthorizeOutcome } from "../api/auth/login/authorize.js";
import { finishLogin, type Finish } from "../api/auth/login/complete.js";
import { LoginError, PageError } from "../api/auth/login/errors.js";
import { advanceFlow, loadFlow } from "../api/auth/login/flows.js";
import { FieldError, isTestUser, resendCode, submitEmail, verifyCode, verifyMagicLink } from "../api/auth/login/passwordless.js";
import { appRedirect } from "../api/auth/login/complete.js";
import { sessionOfCookie } from "../api/auth/login/sessions.js";
import { csrfToken, csrfValid, CSRF_FIELD } from "../views/csrf.js";
import { field, registerFormParser } from "../views/form.js";
import { sendPage } from "../views/page.js";
import type { SafeHtml } from "../views/html.js";
import {
  browserKey, deviceOf, existingBrowserKey, formTargets, redirect, sendError, sessionCookie, setSessionCookie, type LoginDeps,
} from "./http.js";
import { emailPage, organizationsPage, otpPage } from "./pages.js";
import { startSso } from "./sso.js";
import { registerLogout } from "./logout.js";

export async function registerLogin(app: FastifyInstance, deps: LoginDeps): Promise<void> {
  const { services } = deps;
  const key = services.hashKey;

  const show = (req: FastifyRequest, reply: FastifyReply, flow: LoginFlow, body: (csrf: string) => SafeHtml, status = 200) =>
    sendPage(reply, body(csrfToken(req, reply, key)), { status, formActionOrigins: formTargets(flow) });

  /** The page of the step a flow is in. */
  async function showStep(req: FastifyRequest, reply: FastifyReply, flow: LoginFlow, o: { error?: string; resent?: boolean; status?: number } = {}) {
    if (flow.step === "otp") return show(req, reply, flow, (c) => otpPage(flow, c, { error: o.error, testUser: !flow.passwordlessRequestId, resent: o.resent }), o.status);
    if (flow.step === "email") return show(req, reply, flow, (c) => emailPage(flow, c, { error: o.error }), o.status);
    if (flow.step === "organization" || flow.step === "authenticated" || flow.step === "session") return finish(req, reply, flow, {}, false);
    if (flow.step === "sso" && flow.requestedConnectionId) {
      const row = await services.db.connection.findUnique({ where: { id: flow.requestedConnectionId } });
      if (row) return startSso(deps, reply, flow, row, false);
    }
    return sendError(reply, new PageError("Login already finished", "Start again from the application."));
  }

  async function send(req: FastifyRequest, reply: FastifyReply, flow: LoginFlow, done: Finish, afterPost: boolean) {
    if (done.kind === "pick") {
      const shown = flow.step === "organization" ? flow : await advanceFlow(services, flow, { step: "organization" });
      return show(req, reply, shown, (c) => organizationsPage(shown, c, done.organizations));
    }
    setSessionCookie(req, reply, done.sessionCookie);
    return afterPost ? reply.header("cache-control", "no-store").redirect(done.url, 303) : redirect(reply, done.url);
  }

  async function finish(req: FastifyRequest, reply: FastifyReply, flow: LoginFlow, o: { chosenOrganizationId?: string; organizationName?: string }, afterPost: boolean) {
    try {
      const current = await sessionOfCookie(services, sessionCookie(req));
      return await send(req, reply, flow, await finishLogin(services, flow, { device: deviceOf(req), current, ...o }), afterPost);
    } catch (e) {
      if (e instanceof LoginError) {
        await services.db.loginFlow.updateMany({ where: { id: flow.id }, data: { step: "failed" } });
        return redirect(reply, appRedirect(flow, { error: e.error, error_description: e.description }));
      }
      throw e;
    }
  }

  async function outcome(req: FastifyRequest, reply: FastifyReply, o: AuthorizeOutcome) {
    if (o.kind === "redirect") { setSessionCookie(req, reply, o.sessionCookie); return redirect(reply, o.url); }
    if (o.kind === "sso") return startSso(deps, reply, o.flow, o.connection, false);
    if (o.kind === "pick") return send(req, reply, o.flow, { kind: "pick", organizations: o.organizations }, false);
    return showStep(req, reply, o.flow);
  }

  /** Runs a step; PageErrors become error pages (nothing changed), FieldErrors the same page with the message. */
  const guarded = (handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>) => async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      return await handler(req, reply);
    } catch (e) {
      if (e instanceof PageError) return sendError(reply, e);
      throw e;
    }
  };

  app.get("/oauth/authorize", guarded(async (req, reply) => {
    const o = await authorize(services, req.query as Record<string, unknown>, { browserKey: browserKey(req, reply), sessionCookie: sessionCookie(req), device: deviceOf(req) });
    return outcome(req, reply, o);
  }));

  app.get("/login", guarded(async (req, reply) => showStep(req, reply, await loadFlow(services, (req.query as Record<string, unknown>).lr, existingBrowserKey(req)))));
  app.get("/login/continue", guarded(async (req, reply) => {
    const flow = await loadFlow(services, (req.query as Record<string, unknown>).lr, existingBrowserKey(req));
    if (flow.step !== "authenticated") throw new PageError("Login not authenticated", "This login has not been authenticated by its identity provider. Start again from the application.", 409);
    return finish(req, reply, flow, {}, false);
  }));
  app.get("/login/restart", guarded(async (req, reply) => {
    const flow = await loadFlow(services, (req.query as Record<string, unknown>).lr, existingBrowserKey(req));
    if (flow.step !== "otp") return showStep(req, reply, flow);
    return showStep(req, reply, await advanceFlow(services, flow, { step: "email", passwordlessRequestId: null }));
  }));
  app.get("/login/magic-link", guarded(async (req, reply) => {
    const link = await verifyMagicLink(services, (req.query as Record<string, unknown>).link_token);
    const flow = await loadFlow(services, link.flowId, existingBrowserKey(req));
    return finish(req, reply, await link.verify(flow), {}, false);
  }));

  await app.register(async (scope) => {
    registerFormParser(scope);
    /** A POST of the login pages: CSRF first, then the flow of this browser. */
    const post = (path: string, step: (req: FastifyRequest, reply: FastifyReply, flow: LoginFlow) => Promise<unknown>) =>
      scope.post(path, guarded(async (req, reply) => {
        if (!csrfValid(req, key, field(req.body, CSRF_FIELD, 200)))
          throw new PageError("Form expired", "The form expired or was sent from another site. Go back, reload the page and try again.", 403);
        const flow = await loadFlow(services, field(req.body, "lr", 64), existingBrowserKey(req));
        try {
          return await step(req, reply, flow);
        } catch (e) {
          if (e instanceof FieldError) return showStep(req, reply, flow, { error: e.message, status: 400 });
          // what PasswordlessService refuses (a locked or expired request) is shown on the page
          if (e instanceof ConnectError) return showStep(req, reply, await loadFlow(services, flow.id, existingBrowserKey(req)), { error: e.rawMessage, status: 400 });
          throw e;
        }
      }));

    post("/login/email", async (req, reply, flow) => {
      const r = await submitEmail(services, flow, field(req.body, "email", 400));
      if (r.kind === "sso") return startSso(deps, reply, r.flow, r.connection, true);
      const name = field(req.body, "organization_name", 200);
      if (name && r.flow.intent === "sign_up") await services.db.loginFlow.update({ where: { id: r.flow.id }, data: { ssoState: { organizationName: name } } });
      return reply.header("cache-control", "no-store").redirect(`/login?lr=${r.flow.id}`, 303);
    });
    post("/login/otp", async (req, reply, flow) => {
      const verified = await verifyCode(services, flow, field(req.body, "code", 20));
      const organizationName = ((flow.ssoState ?? {}) as { organizationName?: string }).organizationName;
      return finish(req, reply, verified, { organizationName }, true);
    });
    post("/login/otp/resend", async (req, reply, flow) => {
      if (flow.step !== "otp" || isTestUser(flow.email ?? "")) return showStep(req, reply, flow);
      await resendCode(services, flow);
      return showStep(req, reply, flow, { resent: true });
    });
    post("/login/organization", async (req, reply, flow) => {
      if (flow.step !== "organization") throw new PageError("No organization to choose", "Start again from the application.", 409);
      const chosen = field(req.body, "organization_id", 64);
      if (!chosen) return showStep(req, reply, flow);
      return finish(req, reply, flow, { chosenOrganizationId: chosen }, true);
    });
  });

  await registerLogout(app, deps);
}
