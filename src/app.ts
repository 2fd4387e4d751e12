// buildApp(config): the whole server as one Fastify instance, used by main.ts and by every test.
import Fastify, { LogController, type FastifyInstance } from "fastify";
import type { Config } from "./config.js";
import { openDatabase, type Database } from "./db/client.js";
import { loadServerSettings } from "./auth/settings.js";
import { KeyStore } from "./auth/keys.js";
import { Authenticator } from "./auth/authenticator.js";
import { ensureEnvironmentClient, type EnvironmentCredentials } from "./auth/environment-client.js";
import { registerTokenEndpoints } from "./auth/token-endpoint.js";
import { applyConfiguredRedirects } from "./api/clients/login-clients.js";
import { Outbox } from "./events/outbox.js";
import { serviceImplementations } from "./api/index.js";
import { allServices } from "./protocol/descriptors.js";
import { RpcRegistry } from "./protocol/rpc.js";
import { answerUnknownRpc, registerGrpc } from "./protocol/grpc.js";
import { registerRestRoutes, sendApiError, type RestRoute } from "./protocol/rest.js";
import { apiError } from "./protocol/errors.js";
import { Code } from "@connectrpc/connect";
import { cleartextServerFactory, tlsServerFactory, type DirectGrpc } from "./server/dual-protocol.js";
import { loadTls, type TlsMaterial } from "./server/tls.js";
import { loggerOptions, requestId } from "./log.js";
import { registerLocalApi } from "./local/index.js";
import { registerScim } from "./scim/routes.js";
import { startWebhooks } from "./events/webhooks.js";
import { registerProxyRoutes } from "./proxy/index.js";
import { ensureFreshEnvironment } from "./environment/fresh.js";
import { applyConfiguredSeed } from "./local/seed.js";
import { registerViewAssets } from "./views/page.js";
import { registerHostedLogin } from "./login/index.js";
import { registerFederationRoutes } from "./sso/federation.js";
import type { ServiceDeps } from "./api/deps.js";

/** The JSON APIs whose every error has the contract's {code, message, details} body. */
const isApiPath = (url: string) => url.startsWith("/api/") || url.startsWith("/local/");

export interface BuiltApp {
  app: FastifyInstance;
  database: Database;
  registry: RpcRegistry;
  restRoutes: RestRoute[];
  credentials: EnvironmentCredentials;
  environmentId: string;
  /** what services are built from (reset, seed and snapshot take it too) */
  deps: ServiceDeps;
  tls: TlsMaterial | undefined;
}

export interface BuildOptions {
  /** see DatabaseOptions.memoryTemplate */
  memoryTemplate?: Blob;
  /** a database already being opened (main.ts opens it while this module's imports load) */
  database?: Promise<Database>;
}

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<BuiltApp> {
  const url = new URL(config.environmentUrl);
  const opening = options.database ?? openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, migrationsDir: config.migrationsDir, memoryTemplate: options.memoryTemplate });
  let tls: TlsMaterial | undefined;
  try {
    tls = await loadTls(config.tls, config.dataDir, [url.hostname, config.host]);
  } catch (e) {
    await opening.then((d) => d.close(), () => {});
    throw e;
  }
  const database = await opening;
  try {
    return await assemble(config, database, tls);
  } catch (e) {
    await database.close().catch(() => {});
    throw e;
  }
}

async function assemble(config: Config, database: Database, tls: TlsMaterial | undefined): Promise<BuiltApp> {
  const db = database.prisma;
  const settings = await loadServerSettings(db, config.environmentId);
  const keys = new KeyStore(db);
  await keys.init();
  const credentials = await ensureEnvironmentClient(db, settings.secretHashKey, {
    clientId: config.clientId, clientSecret: config.clientSecret, dataDir: config.dataDir,
    persistGenerated: database.kind === "pglite" && !database.location.endsWith(":memory"),
  });
  await applyConfiguredRedirects(db, credentials.clientId, config.redirects);
  const auth = new Authenticator(keys);
  const outbox = new Outbox(settings.environmentId);
  const deps: ServiceDeps = { db, sql: database.sql, outbox, config, environmentId: settings.environmentId, hashKey: settings.secretHashKey };
  const registry = new RpcRegistry(allServices, serviceImplementations(deps));
  await ensureFreshEnvironment(deps);
  await applyConfiguredSeed(deps);

  const directGrpc: DirectGrpc = {};
  const app = Fastify({
    serverFactory: tls ? tlsServerFactory(tls, directGrpc) : cleartextServerFactory(directGrpc),
    logger: loggerOptions(config.logLevel),
    genReqId: requestId,
    // one line per request only when debugging: at info level the log is for events worth reading
    logController: new LogController({ disableRequestLogging: config.logLevel !== "debug" && config.logLevel !== "trace" }),
    bodyLimit: 1 << 20,
    routerOptions: { maxParamLength: 500 },
    // refusals before any route runs (bad percent-encoding, an over-long path parameter): the one error body too
    frameworkErrors: (err, req, reply) => (isApiPath(req.url) ? sendApiError(reply as any, err) : (reply as any).code(err.statusCode ?? 400).send(err)),
  });
  app.addHook("onSend", async (req, reply) => { reply.header("x-request-id", req.id); });
  const webhooks = await startWebhooks(config, database, app.log);
  // the worker first: it hands back its claims through the database before the database goes away
  app.addHook("onClose", async () => { await webhooks.stop(); await database.close(); });

  directGrpc.handler = await registerGrpc(app, registry, auth);
  await app.register(async (scope) => registerTokenEndpoints(scope, {
    services: deps, keys, issuer: config.environmentUrl, environmentTokenTtl: config.tokenTtlSeconds,
  }));
  await registerHostedLogin(app, deps, keys);
  await registerLocalApi(app, auth, deps);
  // SCIM: outside the environment-token auth (each directory has its own bearer secret)
  await registerScim(app, deps);
  await registerProxyRoutes(app, auth, deps);
  let restRoutes: RestRoute[] = [];
  await app.register(async (scope) => { restRoutes = await registerRestRoutes(scope, registry, auth); });

  registerViewAssets(app);
  await registerFederationRoutes(app, deps);
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_req, reply) => {
    try {
      await database.ping();
      return { status: "ok", database: database.kind };
    } catch {
      return reply.code(503).send({ status: "unavailable", database: database.kind });
    }
  });
  app.setNotFoundHandler(async (req, reply) => {
    if (answerUnknownRpc(req, reply)) return reply;
    if (req.url.startsWith("/api/") || req.url.startsWith("/local/")) {
      try { await auth.verifyAuthorization(req.headers.authorization); } catch (e) { return sendApiError(reply, e); }
    }
    return sendApiError(reply, apiError(Code.NotFound, `no route for ${req.method} ${req.url.split("?")[0]}`));
  });
  // what fails outside any scope of its own (and Fastify's own refusals below) gets the one error body on the API
  app.setErrorHandler((err, req, reply) => (isApiPath(req.url) ? sendApiError(reply, err) : reply.send(err)));

  return { app, database, registry, restRoutes, credentials, environmentId: settings.environmentId, deps, tls };
}
