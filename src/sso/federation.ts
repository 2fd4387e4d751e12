// The federating adapters (SAML 2.0 SP, OpenID Connect RP) and the routes they add besides the shared callback:
// the SP metadata of a SAML connection (at its entity id and at sp_metadata_url) and the connection test flow.
import type { FastifyInstance } from "fastify";
import type { ServiceDeps } from "../api/deps.js";
import { openTestRequest, recordTestResult, sendTestResultPage } from "./connection-tests.js";
import { isSsoFailure } from "./failure.js";
import { oidcAdapter } from "./oidc/adapter.js";
import { isSaml, samlAdapter, spMetadata } from "./saml/adapter.js";
import { callbackUrl, ssoConnection } from "./index.js";
import { html } from "../views/html.js";
import { page, sendPage } from "../views/page.js";

const CONNECTION_ID = /^conn_\d{18}$/;
const samlDepsOf = (services: ServiceDeps) => ({ db: services.db, environmentUrl: services.config.environmentUrl });

export async function registerFederationRoutes(app: FastifyInstance, services: ServiceDeps) {
  const base = services.config.environmentUrl;
  const adapters = [samlAdapter(samlDepsOf(services)), oidcAdapter({ db: services.db })];
  const samlDeps = samlDepsOf(services);

  const notFoundPage = (title: string, text: string) => page({ title, body: html`<p>${text}</p>` });

  async function samlConnection(id: string) {
    if (!CONNECTION_ID.test(id)) return undefined;
    const row = await services.db.connection.findUnique({ where: { id } });
    return row && isSaml(ssoConnection(row)) ? ssoConnection(row) : undefined;
  }

  const metadata = async (req: any, reply: any) => {
    const c = await samlConnection(req.params.connectionId);
    if (!c) return sendPage(reply, notFoundPage("Unknown connection", `There is no SAML connection ${req.params.connectionId}.`), { status: 404 });
    const xml = await spMetadata(samlDeps, c, callbackUrl(base, c));
    return reply.header("cache-control", "no-cache").type("application/samlmetadata+xml; charset=utf-8").send(xml);
  };
  app.get("/sso/v1/saml/:connectionId/metadata", metadata);
  app.get("/sso/v1/saml/:connectionId", metadata);

  // test_connection_uri: a test login at the connection's IdP (no application, nobody signed in)
  app.get("/sso/v1/connections/:connectionId/test", async (req, reply) => {
    const { connectionId } = req.params as { connectionId: string };
    const row = CONNECTION_ID.test(connectionId) ? await services.db.connection.findUnique({ where: { id: connectionId } }) : null;
    if (!row) return sendPage(reply, notFoundPage("Unknown connection", `There is no connection ${connectionId}.`), { status: 404 });
    const connection = ssoConnection(row);
    const adapter = adapters.find((a) => a.handles(connection));
    if (!adapter) return sendPage(reply, notFoundPage("Nothing to test", `Connection ${connectionId} is not a SAML or OIDC connection to an identity provider.`), { status: 400 });
    const testRequestId = await openTestRequest(services.db, row.id);
    try {
      const started = await adapter.start({ connection, loginId: testRequestId, testRequestId, callbackUrl: callbackUrl(base, connection) });
      reply.header("x-test-request-id", testRequestId);
      if (started.kind === "redirect") return reply.header("cache-control", "no-store").redirect(started.url, 302);
      return sendPage(reply, page({
        title: "Continue to your identity provider", subtitle: "Connection test",
        body: html`<form method="post" action="${started.action}">${Object.entries(started.fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}<button type="submit">Continue</button></form>`,
      }), { formActionOrigins: [new URL(started.action).origin] });
    } catch (e) {
      if (!isSsoFailure(e)) throw e;
      req.log.warn({ connectionId, error: e.code, details: e.details }, `connection test could not start: ${e.description}`);
      await recordTestResult(services.db, row.id, testRequestId, { kind: "error", error: e.code, errorDescription: e.description, errorDetails: e.details });
      return sendTestResultPage(services.db, reply, row.id, testRequestId);
    }
  });
}
