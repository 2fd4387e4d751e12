#!/usr/bin/env node
// CLI entry (`scalekit-local`, `npm start`): start (default) | migrate | reset | seed FILE. Options mirror the
// environment variables and win over them. The app's modules load while the database opens (see start()): both
// take a second or more, and on two cores they overlap.
import type { Config } from "./config.js";
import { parseCli, USAGE, CliError } from "./cli.js";

type Built = Awaited<ReturnType<typeof import("./app.js").buildApp>>;

function banner(config: Config, built: Built, testOrgId: string | undefined): string {
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

/** Long steps say what they do, on stderr so that stdout stays the banner a script may read. */
const progress = {
  onPending(names: string[]) {
    process.stderr.write(`applying ${names.length} database migration(s) (first start: this takes a few seconds)...\n`);
  },
};

async function openDb(config: Config) {
  const { openDatabase } = await import("./db/client.js");
  return openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, migrationsDir: config.migrationsDir, progress });
}

async function start(config: Config) {
  const database = openDb(config);
  database.catch(() => {}); // awaited below; not an unhandled rejection while the app's modules load
  const { buildApp } = await import("./app.js");
  const built = await buildApp(config, { database });
  const { app } = built;
  await app.listen({ host: config.host, port: config.port });
  const { testOrganizationId } = await import("./environment/test-organization.js");
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
  const db = await openDb(config);
  process.stdout.write(`${db.location}: applied ${db.applied.length} migration(s)${db.applied.length ? ": " + db.applied.join(", ") : ""}\n`);
  await db.close();
}

async function main() {
  const cli = parseCli(process.argv.slice(2));
  if (cli.help) { process.stdout.write(USAGE); return; }
  const { loadConfig, loadDotEnv } = await import("./config.js");
  loadDotEnv();
  Object.assign(process.env, cli.env);
  const config = loadConfig();
  if (cli.command === "start") await start(config);
  else if (cli.command === "migrate") await migrate(config);
  else {
    const { runLocalCommand } = await import("./local-commands.js");
    await runLocalCommand(cli.command, cli.args, config, progress);
  }
}

try {
  await main();
} catch (e) {
  const { ConfigError } = await import("./config.js");
  const { DataDirInUseError } = await import("./db/data-dir-lock.js");
  if (e instanceof DataDirInUseError) {
    process.stderr.write(`failed to start: ${e.message}\n`);
    process.exit(1);
  }
  if (e instanceof CliError) {
    process.stderr.write(`${e.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (e instanceof ConfigError) {
    process.stderr.write(`configuration error: ${e.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`failed: ${(e as Error)?.stack ?? e}\n`);
  process.exit(1);
}
