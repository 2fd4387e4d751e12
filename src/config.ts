// Typed configuration, read from the environment in one place. Invalid values stop start-up with one
// line naming the variable, because a server that half-starts on a typo is worse than one that refuses.
import fs from "node:fs";
import path from "node:path";

export type TlsConfig =
  | { mode: "off" }
  | { mode: "files"; certFile: string; keyFile: string }
  | { mode: "self-signed" };

export interface Config {
  host: string;
  port: number;
  /** postgres(ql)://… for PostgreSQL; undefined for the embedded PGlite in dataDir; "memory" for a throwaway PGlite */
  databaseUrl: string | undefined;
  dataDir: string;
  /** public base URL: token issuer and base of links; derived from host/port/TLS when not set */
  environmentUrl: string;
  clientId: string | undefined;
  clientSecret: string | undefined;
  environmentId: string | undefined;
  tls: TlsConfig;
  logLevel: string;
  /** lifetime of environment-client access tokens, in seconds */
  tokenTtlSeconds: number;
  migrationsDir: string;
}

export class ConfigError extends Error {}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** Reads KEY=VALUE lines of ./.env into env without overriding what is already set. */
export function loadDotEnv(file = path.resolve(".env"), env: NodeJS.ProcessEnv = process.env): void {
  if (!fs.existsSync(file)) return;
  for (const line of fs.readFileSync(file, "utf8").split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m || line.trimStart().startsWith("#")) continue;
    let v = m[2];
    if (/^(['"]).*\1$/.test(v)) v = v.slice(1, -1);
    env[m[1]] ??= v;
  }
}

function int(env: NodeJS.ProcessEnv, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const host = env.HOST || "127.0.0.1";
  const port = int(env, "PORT", 8080, 0, 65535);

  const rawDb = env.DATABASE_URL || undefined;
  if (rawDb && !/^postgres(ql)?:\/\//.test(rawDb) && rawDb !== "memory")
    throw new ConfigError(`DATABASE_URL must be a postgresql:// URL (or unset for the embedded database), got "${rawDb.split("@").pop()}"`);

  let tls: TlsConfig = { mode: "off" };
  const cert = env.TLS_CERT_FILE, key = env.TLS_KEY_FILE;
  if (cert || key) {
    if (!cert || !key) throw new ConfigError("TLS_CERT_FILE and TLS_KEY_FILE must be set together");
    for (const [n, f] of [["TLS_CERT_FILE", cert], ["TLS_KEY_FILE", key]] as const)
      if (!fs.existsSync(f)) throw new ConfigError(`${n} points to a file that does not exist: ${f}`);
    tls = { mode: "files", certFile: cert, keyFile: key };
  } else if (env.TLS) {
    if (env.TLS !== "self-signed" && env.TLS !== "off") throw new ConfigError(`TLS must be "self-signed" or "off", got "${env.TLS}"`);
    if (env.TLS === "self-signed") tls = { mode: "self-signed" };
  }

  const scheme = tls.mode === "off" ? "http" : "https";
  const publicHost = host === "0.0.0.0" || host === "::" ? "localhost" : host.includes(":") ? `[${host}]` : host;
  let environmentUrl = env.SCALEKIT_ENVIRONMENT_URL || `${scheme}://${publicHost}:${port}`;
  try {
    const u = new URL(environmentUrl);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error();
    environmentUrl = environmentUrl.replace(/\/+$/, "");
  } catch {
    throw new ConfigError(`SCALEKIT_ENVIRONMENT_URL must be an http(s) URL, got "${environmentUrl}"`);
  }

  const clientId = env.SCALEKIT_CLIENT_ID || undefined;
  const clientSecret = env.SCALEKIT_CLIENT_SECRET || undefined;
  if (!!clientId !== !!clientSecret) throw new ConfigError("SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET must be set together");
  if (clientSecret && clientSecret.length < 16) throw new ConfigError("SCALEKIT_CLIENT_SECRET must be at least 16 characters");

  const environmentId = env.SCALEKIT_ENVIRONMENT_ID || undefined;
  if (environmentId && !/^env_[A-Za-z0-9]{1,28}$/.test(environmentId))
    throw new ConfigError(`SCALEKIT_ENVIRONMENT_ID must look like env_123…, got "${environmentId}"`);

  const logLevel = env.LOG_LEVEL || "info";
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${logLevel}"`);

  return {
    host, port, databaseUrl: rawDb,
    dataDir: path.resolve(env.DATA_DIR || ".scalekit-data"),
    environmentUrl, clientId, clientSecret, environmentId, tls, logLevel,
    tokenTtlSeconds: int(env, "TOKEN_TTL_SECONDS", 86399, 60, 31_536_000),
    migrationsDir: path.resolve(import.meta.dirname, "../prisma/migrations"),
  };
}
