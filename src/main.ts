// CLI entry: `start` (default) runs the server; `migrate` applies the committed migrations and exits.
import { loadConfig, loadDotEnv, ConfigError, type Config } from "./config.js";
import { buildApp } from "./app.js";
import { openDatabase } from "./db/client.js";
import { testOrganizationId } from "./environment/test-organization.js";

function banner(config: Config, built: Awaited<ReturnType<typeof buildApp>>, testOrgId: string | undefined): string {
  const c = built.credentials;
  const secret = c.source === "configured" ? "(from SCALEKIT_CLIENT_SECRET)"
    : c.clientSecret ?? "(shown only when it was generated; set SCALEKIT_CLIENT_ID/SCALEKIT_CLIENT_SECRET to choose one)";
  const lines = [
    "",
    "Scalekit-compatible server is ready",
    `  SCALEKIT_ENVIRONMENT_URL=${config.environmentUrl}`,
    `  SCALEKIT_CLIENT_ID=${c.clientId}`,
    `  SCALEKIT_CLIENT_SECRET=${secret}`,
    `  environment   ${built.environmentId}`,
    `  test org      ${testOrgId ?? "(deleted)"}  (Test Organization: example.com, example.org, IdP simulator)`,
    `  database      ${built.database.location}${built.database.applied.length ? ` (applied ${built.database.applied.length} migration(s))` : ""}`,
    `  listening     ${built.tls ? "https (h2 + http/1.1 via ALPN)" : "http (HTTP/1.1 + h2c)"} on ${config.host}:${config.port}`,
  ];
  if (built.tls) lines.push(`  certificate   ${built.tls.certFile}  (Node: NODE_EXTRA_CA_CERTS=${built.tls.certFile})`);
  return lines.join("\n") + "\n";
}

async function start(config: Config) {
  const built = await buildApp(config);
  const { app } = built;
  await app.listen({ host: config.host, port: config.port });
  process.stdout.write(banner(config, built, await testOrganizationId(built.database.prisma)));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await app.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

async function migrate(config: Config) {
  const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, migrationsDir: config.migrationsDir });
  process.stdout.write(`${db.location}: applied ${db.applied.length} migration(s)${db.applied.length ? ": " + db.applied.join(", ") : ""}\n`);
  await db.close();
}

const command = process.argv[2] ?? "start";
try {
  loadDotEnv();
  const config = loadConfig();
  if (command === "start") await start(config);
  else if (command === "migrate") await migrate(config);
  else {
    process.stderr.write(`unknown command "${command}"; use start or migrate\n`);
    process.exit(2);
  }
} catch (e) {
  if (e instanceof ConfigError) {
    process.stderr.write(`configuration error: ${e.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`failed to start: ${(e as Error)?.stack ?? e}\n`);
  process.exit(1);
}
