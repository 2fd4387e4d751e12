// The local API: emulator extensions that Scalekit's cloud does not have (mailbox, webhook endpoints, sessions
// for tests), under /local/v1, behind the same bearer auth and with the same error body as /api/v1. Each domain
// adds its routes to `LOCAL_ROUTES`, declared with route() (src/http/route.ts) so their input is validated;
// handlers call the domain's service, never the database directly.
import type { FastifyInstance } from "fastify";
import type { Authenticator } from "../auth/authenticator.js";
import type { ServiceDeps } from "../api/deps.js";
import { useContractErrors } from "../http/route.js";
import { webhookLocalRoutes } from "../events/local-routes.js";
import { mailboxLocalRoutes } from "./mailbox.js";
import { sessionLocalRoutes } from "../api/sessions/local-routes.js";
import { passkeyLocalRoutes } from "./passkeys.js";
import { connectorLocalRoutes } from "../api/connected-accounts/connectors.js";
import { loginRequestLocalRoutes } from "../api/auth/local-routes.js";
import { resetLocalRoutes } from "./reset.js";

export const LOCAL_PREFIX = "/local/v1";

export type LocalRoutes = (scope: FastifyInstance, deps: ServiceDeps) => Promise<void> | void;

/** Every domain's local routes (add yours here); registered inside one authenticated scope. */
const LOCAL_ROUTES: LocalRoutes[] = [webhookLocalRoutes, mailboxLocalRoutes, sessionLocalRoutes, passkeyLocalRoutes, connectorLocalRoutes, loginRequestLocalRoutes, resetLocalRoutes];

export async function registerLocalApi(app: FastifyInstance, auth: Authenticator, deps: ServiceDeps) {
  await app.register(async (scope) => {
    scope.addHook("onRequest", async (req) => { req.principal = await auth.verifyAuthorization(req.headers.authorization); });
    useContractErrors(scope);
    for (const add of LOCAL_ROUTES) await add(scope, deps);
  }, { prefix: LOCAL_PREFIX });
}
