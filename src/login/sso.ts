// SSO legs of a login: sending the browser to the connection's identity provider through its adapter, and the
// one callback route every adapter answers at (/sso/v1/{oidc|saml|oauth}/{connection_id}/callback). A verified
// profile is provisioned (just in time) and the browser continues at /login/continue, where the login's browser
// binding is checked: a SAML POST arrives cross-site without the Lax cookie, the GET after it carries it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Connection, LoginFlow, Prisma } from "../generated/prisma/client.js";
import { inTransaction } from "../db/tx.js";
import { signJwt } from "../auth/own-jwt.js";
import { loginClient } from "../api/clients/redirects.js";
import { appRedirect } from "../api/auth/login/complete.js";
import { PageError } from "../api/auth/login/errors.js";
import { upsertSsoUser } from "../api/auth/login/identity.js";
import { callbackUrl, ssoConnection } from "../sso/index.js";
import { finishConnectionTest } from "../sso/connection-tests.js";
import { isSsoFailure } from "../sso/failure.js";
import type { SsoRemembered } from "../sso/adapter.js";
import { sendPage } from "../views/page.js";
import { registerFormParser } from "../views/form.js";
import { formTargets, redirect, sendError, type LoginDeps } from "./http.js";
import { continuePage, postFormPage } from "./pages.js";

/** idp_initiated_login lives 5 minutes (note §5): no aud, no sub. */
const IDP_INITIATED_TTL = 300;

/** Sends the browser to the connection's IdP. `afterPost`: the hop follows a form post (see continuePage). */
export async function startSso(deps: LoginDeps, reply: FastifyReply, flow: LoginFlow, row: Connection, afterPost: boolean) {
  const connection = ssoConnection(row);
  const adapter = deps.registry.pick(connection);
  if (!adapter) {
    const url = appRedirect(flow, { error: "connection_not_active", error_description: `connection ${row.id} has no identity provider this server can talk to` });
    await deps.services.db.loginFlow.update({ where: { id: flow.id }, data: { step: "failed" } });
    return redirect(reply, url);
  }
  let started;
  try {
    started = await adapter.start({
      connection, loginId: flow.id, callbackUrl: callbackUrl(deps.services.config.environmentUrl, connection),
      loginHint: flow.email ?? flow.loginHint ?? undefined, forceAuthn: (flow.prompt ?? "").split(" ").includes("login"),
    });
  } catch (e) {
    // the IdP could not be reached or the connection is incomplete: the application hears why
    if (!isSsoFailure(e)) throw e;
    reply.request.log.warn({ connectionId: row.id, error: e.code, details: e.details }, `SSO login could not start: ${e.description}`);
    await deps.services.db.loginFlow.update({ where: { id: flow.id }, data: { step: "failed" } });
    return redirect(reply, appRedirect(flow, { error: e.code, error_description: e.description }));
  }
  if (started.remember) await deps.services.db.loginFlow.update({ where: { id: flow.id }, data: { ssoState: started.remember as Prisma.InputJsonValue } });
  if (started.kind === "form") return sendPage(reply, postFormPage(started.action, started.fields), { formActionOrigins: [new URL(started.action).origin] });
  const sameOrigin = new URL(started.url).origin === new URL(deps.services.config.environmentUrl).origin;
  if (afterPost && !sameOrigin) return sendPage(reply, continuePage(started.url, "Continue to your identity provider"));
  return afterPost ? reply.header("cache-control", "no-store").redirect(started.url, 303) : redirect(reply, started.url);
}

async function environmentLoginClient(deps: LoginDeps) {
  const env = await deps.services.db.apiClient.findFirst({ where: { kind: "environment" }, orderBy: { createdAt: "asc" } });
  return env ? loginClient(deps.services, env.id) : undefined;
}

export async function registerSsoCallback(app: FastifyInstance, deps: LoginDeps) {
  const { services } = deps;
  const base = services.config.environmentUrl;

  async function callback(req: FastifyRequest, reply: FastifyReply) {
    const { connectionId } = req.params as { kind: string; connectionId: string };
    const row = /^conn_\d{1,30}$/.test(connectionId) ? await services.db.connection.findUnique({ where: { id: connectionId } }) : null;
    if (!row) return sendError(reply, new PageError("Unknown connection", `There is no connection ${connectionId}.`, 404));
    const connection = ssoConnection(row);
    const adapter = deps.registry.pick(connection);
    if (!adapter) return sendError(reply, new PageError("Connection not supported", `Connection ${connectionId} has no identity provider this server can talk to.`));
    const result = await adapter.finish({
      connection, request: req, callbackUrl: callbackUrl(base, connection),
      pendingLogin: async (loginId) => {
        const flow = /^lri_\d{1,30}$/.test(loginId) ? await services.db.loginFlow.findUnique({ where: { id: loginId } }) : null;
        if (!flow || flow.step !== "sso" || flow.expiresAt <= new Date()) return undefined;
        return { loginId: flow.id, ...((flow.ssoState ?? {}) as SsoRemembered) };
      },
    });
    if (result.testRequestId) return finishConnectionTest(services.db, reply, row.id, { ...result, testRequestId: result.testRequestId });

    const flow = result.loginId && /^lri_\d{1,30}$/.test(result.loginId)
      ? await services.db.loginFlow.findUnique({ where: { id: result.loginId } }) : null;
    if (result.loginId && (!flow || flow.step !== "sso" || flow.expiresAt <= new Date() || (flow.requestedConnectionId && flow.requestedConnectionId !== row.id)))
      return sendError(reply, new PageError("Login not found", "The identity provider answered for a login that is finished, expired or unknown. Start again from the application."));

    if (result.kind === "error") {
      if (flow) {
        await services.db.loginFlow.update({ where: { id: flow.id }, data: { step: "failed" } });
        return redirect(reply, appRedirect(flow, { error: result.error, error_description: result.errorDescription }));
      }
      const client = await environmentLoginClient(deps);
      if (client?.initiateLoginUri) {
        const url = new URL(client.initiateLoginUri);
        url.searchParams.set("error", result.error);
        url.searchParams.set("error_description", result.errorDescription);
        return redirect(reply, url.href);
      }
      return sendError(reply, new PageError("Login failed", `${result.error}: ${result.errorDescription}`));
    }

    if (!flow) {
      // IdP-initiated: the application's initiate-login URI gets a signed token and starts the login itself
      const client = await environmentLoginClient(deps);
      if (!client?.initiateLoginUri)
        return sendError(reply, new PageError("No initiate-login URI", "IdP-initiated login needs the application's initiate-login URI (initiate_login_uri of the environment client)."));
      const token = await signJwt(deps.keys, {
        iss: base, organization_id: row.organizationId ?? "", connection_id: row.id, login_hint: result.profile.email,
        ...(result.relayState ? { relay_state: result.relayState } : {}),
      }, IDP_INITIATED_TTL);
      const url = new URL(client.initiateLoginUri);
      url.searchParams.set("idp_initiated_login", token);
      return redirect(reply, url.href);
    }

    const profile = result.profile;
    if (!profile.email || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/u.test(profile.email) || profile.email.length > 320) {
      await services.db.loginFlow.update({ where: { id: flow.id }, data: { step: "failed" } });
      return redirect(reply, appRedirect(flow, { error: "mandatory_attribute_missing", error_description: "the identity provider sent no valid email address" }));
    }
    const moved = await inTransaction(services.db, async (tx) => {
      const user = await upsertSsoUser(tx, profile);
      const { count } = await tx.loginFlow.updateMany({
        where: { id: flow.id, step: "sso" },
        data: { step: "authenticated", userId: user.id, email: user.email, connectionId: row.id, updatedAt: new Date() },
      });
      return count === 1;
    });
    if (!moved) return sendError(reply, new PageError("Login already moved on", "This login already finished. Start again from the application.", 409));
    return reply.header("cache-control", "no-store").redirect(`/login/continue?lr=${flow.id}`, 303);
  }

  app.get("/sso/v1/:kind(^(?:oidc|saml|oauth)$)/:connectionId/callback", callback);
  await app.register(async (scope) => {
    registerFormParser(scope, 1 << 20);
    scope.post("/sso/v1/:kind(^(?:oidc|saml|oauth)$)/:connectionId/callback", callback);
  });
}

export { formTargets };
