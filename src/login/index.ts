// Everything browser-facing of hosted login, registered at once: the login pages and /oauth/authorize, the SSO
// callback, the SSO simulator, /oidc/logout.
import type { FastifyInstance } from "fastify";
import type { ServiceDeps } from "../api/deps.js";
import type { KeyStore } from "../auth/keys.js";
import { loginClient } from "../api/clients/redirects.js";
import { SsoRegistry, ssoAdapters } from "../sso/index.js";
import { registerSimulator } from "../sso/simulator/routes.js";
import { originOf } from "./http.js";
import { registerLogin } from "./routes.js";
import { registerSsoCallback } from "./sso.js";

export async function registerHostedLogin(app: FastifyInstance, services: ServiceDeps, keys: KeyStore): Promise<SsoRegistry> {
  const registry = new SsoRegistry(ssoAdapters({ services, keys }));
  const deps = { services, keys, registry };
  await registerSimulator(app, { services, keys }, {
    async formTargets(loginId) {
      const out = new Set<string>();
      const flow = loginId ? await services.db.loginFlow.findUnique({ where: { id: loginId } }) : null;
      if (flow) out.add(originOf(flow.redirectUri));
      const env = await services.db.apiClient.findFirst({ where: { kind: "environment" }, orderBy: { createdAt: "asc" } });
      const client = flow ? await loginClient(services, flow.clientId) : env ? await loginClient(services, env.id) : undefined;
      if (client?.initiateLoginUri) out.add(originOf(client.initiateLoginUri));
      return [...out];
    },
  });
  await registerSsoCallback(app, deps);
  await registerLogin(app, deps);
  return registry;
}
