// Typed configuration, read from the environment in one place. Invalid values stop start-up with one
// line naming the variable, because a server that half-starts on a typo is worse than one that refuses.
import fs from "node:fs";
import path from "node:path";
import { MAX_POST_LOGIN_URIS, MAX_REDIRECT_LIST, redirectUriProblem, targetUriProblem } from "./api/clients/redirect-uris.js";
import { eventTypesProblem, organizationIdsProblem, parseDurations, secretProblem, urlProblem } from "./events/endpoint-rules.js";

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
  webhooks: WebhookConfig;
  /** what a passwordless email carries (PASSWORDLESS_TYPE): the environment setting Scalekit keeps per environment */
  passwordlessType: "OTP" | "LINK" | "LINK_OTP";
  /** WebAuthn relying-party id (WEBAUTHN_RP_ID); defaults to the host of the environment URL */
  webauthnRpId: string;
  /** AES-256 key for connected-account credentials; undefined: one generated and kept in the database */
  encryptionKey: Buffer | undefined;
  /** the static OTP that emails with +sktest in the local part accept on the login page (TEST_USER_CODE) */
  testUserCode: string;
  /** the environment client's allow-lists as REDIRECT_URIS etc. set them at start; undefined: keep the stored ones */
  redirects: RedirectConfig;
  /** SEED_FILE: fixtures (JSON or YAML) applied at start and after every reset */
  seedFile: string | undefined;
}

export interface RedirectConfig {
  postLoginUris: string[] | undefined;
  postLogoutRedirectUris: string[] | undefined;
  initiateLoginUri: string | undefined;
  /** ALLOW_LOOPBACK_REDIRECTS: any http(s)://localhost|127.0.0.1|[::1]:<port>/… is allowed without registration */
  allowLoopback: boolean;
}

/** An endpoint declared at start-up; `key` identifies it across restarts (it is reconciled, not re-created). */
export interface ConfiguredEndpoint {
  key: string;
  url: string;
  secret: string;
  eventTypes: string[];
  organizationIds: string[];
  description: string;
  enabled: boolean;
}

export interface WebhookConfig {
  endpoints: ConfiguredEndpoint[];
  /** wait before each attempt, in ms: [0, 5 s, …]; its length is the number of attempts */
  retrySchedule: number[];
  timeoutMs: number;
  /** safety-net poll; on PGlite the only wake-up. Undefined: chosen by database kind */
  pollMs: number | undefined;
  /** requests in flight per process, and per endpoint within that (so one slow receiver cannot take them all) */
  concurrency: number;
  endpointConcurrency: number;
  /** how long a rotated-out secret still signs when the rotation does not say */
  rotationGraceSeconds: number;
  /** false: this replica serves the API but delivers nothing */
  worker: boolean;
}

/** Immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: about a day and a half of retries. */
export const DEFAULT_RETRY_SCHEDULE = "0,5s,5m,30m,2h,5h,10h,10h";

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

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, values: readonly T[], def: T): T {
  const raw = env[name];
  if (raw === undefined || raw === "") return def;
  if (!values.includes(raw as T)) throw new ConfigError(`${name} must be one of ${values.join(", ")}, got "${raw}"`);
  return raw as T;
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
    webhooks: loadWebhookConfig(env),
    passwordlessType: oneOf(env, "PASSWORDLESS_TYPE", ["OTP", "LINK", "LINK_OTP"] as const, "LINK_OTP"),
    webauthnRpId: env.WEBAUTHN_RP_ID || new URL(environmentUrl).hostname,
    encryptionKey: encryptionKey(env.SCALEKIT_ENCRYPTION_KEY),
    testUserCode: testUserCode(env.TEST_USER_CODE),
    seedFile: seedFile(env.SEED_FILE),
    redirects: loadRedirectConfig(env),
  };
}

function uriList(env: NodeJS.ProcessEnv, name: string, max: number): string[] | undefined {
  if (env[name] === undefined) return undefined;
  const uris = [...new Set(list(env[name]))];
  if (uris.length > max) throw new ConfigError(`${name} may list at most ${max} URIs, got ${uris.length}`);
  for (const uri of uris) {
    const problem = redirectUriProblem(uri);
    if (problem) throw new ConfigError(`${name}: "${uri}" ${problem}`);
  }
  return uris;
}

function loadRedirectConfig(env: NodeJS.ProcessEnv): RedirectConfig {
  const loopback = env.ALLOW_LOOPBACK_REDIRECTS || "on";
  if (loopback !== "on" && loopback !== "off") throw new ConfigError(`ALLOW_LOOPBACK_REDIRECTS must be "on" or "off", got "${loopback}"`);
  const initiate = env.INITIATE_LOGIN_URI || undefined;
  const problem = initiate && targetUriProblem(initiate);
  if (problem) throw new ConfigError(`INITIATE_LOGIN_URI: "${initiate}" ${problem}`);
  return {
    postLoginUris: uriList(env, "REDIRECT_URIS", MAX_POST_LOGIN_URIS),
    postLogoutRedirectUris: uriList(env, "POST_LOGOUT_REDIRECT_URIS", MAX_REDIRECT_LIST),
    initiateLoginUri: initiate,
    allowLoopback: loopback === "on",
  };
}

function testUserCode(raw: string | undefined): string {
  if (!raw) return "424242";
  if (!/^\d{6}$/.test(raw)) throw new ConfigError(`TEST_USER_CODE must be 6 digits, got "${raw}"`);
  return raw;
}

/** 32 bytes as 64 hex digits or as base64 (standard or url-safe). */
function seedFile(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const file = path.resolve(raw);
  if (!fs.existsSync(file)) throw new ConfigError(`SEED_FILE points to a file that does not exist: ${raw}`);
  if (!/\.(json|ya?ml)$/i.test(file)) throw new ConfigError(`SEED_FILE must be a .json, .yaml or .yml file, got "${raw}"`);
  return file;
}

function encryptionKey(raw: string | undefined): Buffer | undefined {
  if (!raw) return undefined;
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, "hex")
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(raw) ? Buffer.from(raw.replace(/-/g, "+").replace(/_/g, "/"), "base64") : undefined;
  if (key?.length !== 32) throw new ConfigError("SCALEKIT_ENCRYPTION_KEY must be 32 bytes as 64 hex digits or base64 (openssl rand -base64 32)");
  return key;
}

function list(raw: string | undefined): string[] {
  return (raw ?? "").split(",").map((s) => s.trim()).filter(Boolean);
}

type EndpointFieldNames = { url: string; secret: string; events: string; organizations: string };

function checkEndpoint(names: EndpointFieldNames, e: Omit<ConfiguredEndpoint, "key">): void {
  const problems: [keyof EndpointFieldNames, string | undefined][] = [
    ["url", urlProblem(e.url)], ["secret", secretProblem(e.secret)],
    ["events", eventTypesProblem(e.eventTypes)], ["organizations", organizationIdsProblem(e.organizationIds)],
  ];
  for (const [field, problem] of problems) if (problem) throw new ConfigError(`${names[field]} ${problem}`);
}

function fileEndpoints(file: string): ConfiguredEndpoint[] {
  if (!fs.existsSync(file)) throw new ConfigError(`WEBHOOKS_FILE points to a file that does not exist: ${file}`);
  let parsed: any;
  try { parsed = JSON.parse(fs.readFileSync(file, "utf8")); } catch (e) {
    throw new ConfigError(`WEBHOOKS_FILE is not valid JSON: ${(e as Error).message}`);
  }
  const entries = Array.isArray(parsed) ? parsed : parsed?.endpoints;
  if (!Array.isArray(entries)) throw new ConfigError("WEBHOOKS_FILE must hold {\"endpoints\": [...]} or an array of endpoints");
  return entries.map((x: any, i: number) => {
    const where = `WEBHOOKS_FILE endpoints[${i}]`;
    if (!x || typeof x !== "object") throw new ConfigError(`${where} must be an object`);
    if (x.name !== undefined && (typeof x.name !== "string" || !x.name)) throw new ConfigError(`${where} name must be a non-empty string`);
    if (x.description !== undefined && typeof x.description !== "string") throw new ConfigError(`${where} description must be a string`);
    if (x.enabled !== undefined && typeof x.enabled !== "boolean") throw new ConfigError(`${where} enabled must be true or false`);
    const e = {
      url: typeof x.url === "string" ? x.url : "", secret: x.secret,
      eventTypes: x.events ?? [], organizationIds: x.organizations ?? [],
      description: x.description ?? "", enabled: x.enabled ?? true,
    };
    checkEndpoint({ url: `${where} url`, secret: `${where} secret`, events: `${where} events`, organizations: `${where} organizations` }, e);
    return { key: `file:${x.name ?? e.url}`, ...e };
  });
}

function loadWebhookConfig(env: NodeJS.ProcessEnv): WebhookConfig {
  const endpoints: ConfiguredEndpoint[] = [];
  if (env.WEBHOOK_URL || env.WEBHOOK_SECRET) {
    // the secret is the user's to choose here: they must configure the same one in their receiver
    if (!env.WEBHOOK_URL || !env.WEBHOOK_SECRET) throw new ConfigError("WEBHOOK_URL and WEBHOOK_SECRET must be set together (WEBHOOK_SECRET=whsec_<base64>)");
    const e = {
      url: env.WEBHOOK_URL, secret: env.WEBHOOK_SECRET, eventTypes: list(env.WEBHOOK_EVENTS),
      organizationIds: list(env.WEBHOOK_ORGANIZATIONS), description: "from WEBHOOK_URL", enabled: true,
    };
    checkEndpoint({ url: "WEBHOOK_URL", secret: "WEBHOOK_SECRET", events: "WEBHOOK_EVENTS", organizations: "WEBHOOK_ORGANIZATIONS" }, e);
    endpoints.push({ key: "env", ...e });
  }
  if (env.WEBHOOKS_FILE) endpoints.push(...fileEndpoints(path.resolve(env.WEBHOOKS_FILE)));
  const keys = new Set<string>();
  for (const e of endpoints) {
    if (keys.has(e.key)) throw new ConfigError(`WEBHOOKS_FILE declares the endpoint "${e.key.replace(/^file:/, "")}" twice; give them distinct names`);
    keys.add(e.key);
  }

  const rawSchedule = env.WEBHOOK_RETRY_SCHEDULE || DEFAULT_RETRY_SCHEDULE;
  const retrySchedule = parseDurations(rawSchedule);
  if (!retrySchedule || !retrySchedule.length || retrySchedule.length > 50 || retrySchedule.some((ms) => ms > 7 * 86_400_000))
    throw new ConfigError(`WEBHOOK_RETRY_SCHEDULE must be 1 to 50 comma-separated delays such as 0,5s,5m,2h (each at most 7 days), got "${rawSchedule}"`);

  const worker = env.WEBHOOK_WORKER || "on";
  if (worker !== "on" && worker !== "off") throw new ConfigError(`WEBHOOK_WORKER must be "on" or "off", got "${worker}"`);
  const concurrency = int(env, "WEBHOOK_CONCURRENCY", 400, 1, 10_000);
  return {
    endpoints, retrySchedule, worker: worker === "on",
    timeoutMs: int(env, "WEBHOOK_TIMEOUT_MS", 15_000, 100, 120_000),
    pollMs: env.WEBHOOK_POLL_MS ? int(env, "WEBHOOK_POLL_MS", 1000, 10, 60_000) : undefined,
    concurrency,
    endpointConcurrency: Math.min(concurrency, int(env, "WEBHOOK_ENDPOINT_CONCURRENCY", 100, 1, 10_000)),
    rotationGraceSeconds: int(env, "WEBHOOK_ROTATION_GRACE_SECONDS", 86_400, 0, 30 * 86_400),
  };
}
