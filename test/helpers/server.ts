// Starts the real server (buildApp, the same as `npm start`) on a random loopback port with a fresh database,
// and gives tests what they need to talk to it: REST with a token, the real Node SDK, raw database access.
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { buildApp, type BuiltApp } from "../../src/app.js";
import { loadConfig, type Config } from "../../src/config.js";
import { freshDatabase, type TestDatabase } from "./database.js";

export const TEST_CLIENT_ID = "skc_100000000000000001";
export const TEST_CLIENT_SECRET = "test_secret_for_the_test_suite_0123456789abcdefghijklmnop";

export interface TestServer {
  url: string;
  built: BuiltApp;
  config: Config;
  database: TestDatabase;
  dataDir: string;
  db: BuiltApp["database"]["prisma"];
  /** a fresh access token for the environment client */
  token(): Promise<string>;
  /** REST call with the environment client's token unless `token` is given ("" for none) */
  rest(method: string, path: string, body?: unknown, opts?: { token?: string; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  /** stops the server; keepData leaves the database (and data dir) for a restart */
  close(opts?: { keepData?: boolean }): Promise<void>;
}

/**
 * A port nothing listens on. Taken below the kernel's ephemeral range (32768+ on Linux), which `listen(0)` would
 * draw from: outgoing connections (to PostgreSQL, between test servers) take ports from that range too, and one of
 * them could take the port in the second between choosing it and the server listening on it.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const port = 15_000 + Math.floor(Math.random() * 17_000);
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once("error", () => resolve(false));
      s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
    });
    if (free) return port;
    if (attempt >= 50) throw new Error("no free port found between 15000 and 32000");
  }
}

const isAddressInUse = (e: unknown) => (e as NodeJS.ErrnoException)?.code === "EADDRINUSE";

export interface StartOptions {
  env?: Record<string, string>;
  /** reuse a data directory / database (restart tests) */
  dataDir?: string;
  database?: TestDatabase;
  port?: number;
}

export async function startTestServer(opts: StartOptions = {}): Promise<TestServer> {
  const database = opts.database ?? await freshDatabase();
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "sk-test-"));
  // another test process may still take the chosen port first: then start again on another one
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOn(opts.port ?? await freePort(), database, dataDir, opts);
    } catch (e) {
      if (opts.port !== undefined || !isAddressInUse(e) || attempt >= 5) throw e;
    }
  }
}

async function startOn(port: number, database: TestDatabase, dataDir: string, opts: StartOptions): Promise<TestServer> {
  const env: Record<string, string> = {
    HOST: "127.0.0.1", PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: "silent",
    SCALEKIT_CLIENT_ID: TEST_CLIENT_ID, SCALEKIT_CLIENT_SECRET: TEST_CLIENT_SECRET,
    ...(database.url && database.url !== "memory" ? { DATABASE_URL: database.url } : {}),
    ...(database.url === "memory" && !opts.dataDir ? { DATABASE_URL: "memory" } : {}),
    ...opts.env,
  };
  const config = loadConfig(env);
  const built = await buildApp(config, { memoryTemplate: config.databaseUrl === "memory" ? database.template : undefined });
  try {
    await built.app.listen({ host: config.host, port: config.port });
  } catch (e) {
    await built.app.close().catch(() => {});
    await built.database.close().catch(() => {});
    throw e;
  }
  const url = config.environmentUrl;

  let cached: { token: string; exp: number } | undefined;
  const token = async () => {
    if (cached && cached.exp > Date.now() + 5_000) return cached.token;
    const res = await fetch(`${url}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: built.credentials.clientId, client_secret: built.credentials.clientSecret ?? "" }),
    });
    if (res.status !== 200) throw new Error(`token endpoint answered ${res.status}: ${await res.text()}`);
    const j = await res.json();
    cached = { token: j.access_token, exp: Date.now() + j.expires_in * 1000 };
    return cached.token;
  };

  return {
    url, built, config, database, dataDir, db: built.database.prisma, token,
    async rest(method, p, body, o = {}) {
      const t = o.token ?? await token();
      const res = await fetch(`${url}${p}`, {
        method,
        headers: { ...(t ? { authorization: `Bearer ${t}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}), ...o.headers },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: any = text;
      try { parsed = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async close(c = {}) {
      await built.app.close();
      if (!c.keepData) {
        await database.drop();
        if (!opts.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** The server's secret hash key, read where the server keeps it, to check what was stored for a secret. */
export async function secretHashKeyOf(s: TestServer): Promise<Buffer> {
  const row = await s.db.serverSetting.findUniqueOrThrow({ where: { name: "secret_hash_key" } });
  return Buffer.from(row.value, "base64");
}
