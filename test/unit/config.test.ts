import { describe, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, loadConfig, loadDotEnv } from "../../src/config.js";

describe("configuration", () => {
  it("has defaults that run on a fresh machine", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ host: "127.0.0.1", port: 8080, databaseUrl: undefined, environmentUrl: "http://127.0.0.1:8080", tls: { mode: "off" }, logLevel: "info" });
    expect(c.dataDir).toBe(path.resolve(".scalekit-data"));
  });

  it("derives the public URL from TLS and a wildcard host", () => {
    expect(loadConfig({ HOST: "0.0.0.0", PORT: "9000", TLS: "self-signed" }).environmentUrl).toBe("https://localhost:9000");
    expect(loadConfig({ SCALEKIT_ENVIRONMENT_URL: "https://auth.example.test/" }).environmentUrl).toBe("https://auth.example.test");
  });

  it.each([
    [{ PORT: "http" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
    [{ SCALEKIT_CLIENT_ID: "skc_1" }, "SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET"],
    [{ SCALEKIT_CLIENT_ID: "skc_1", SCALEKIT_CLIENT_SECRET: "short" }, "SCALEKIT_CLIENT_SECRET"],
    [{ TLS: "yes" }, "TLS"],
    [{ TLS_CERT_FILE: "/nonexistent/cert.pem" }, "TLS_CERT_FILE"],
    [{ TLS_CERT_FILE: "/nonexistent/cert.pem", TLS_KEY_FILE: "/nonexistent/key.pem" }, "TLS_CERT_FILE"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    [{ SCALEKIT_ENVIRONMENT_URL: "ftp://x" }, "SCALEKIT_ENVIRONMENT_URL"],
    [{ SCALEKIT_ENVIRONMENT_ID: "abc" }, "SCALEKIT_ENVIRONMENT_ID"],
    [{ TOKEN_TTL_SECONDS: "5" }, "TOKEN_TTL_SECONDS"],
  ])("refuses %o naming %s", (env, name) => {
    expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(ConfigError);
    expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(name);
  });

  it("does not echo database passwords in its error", () => {
    expect(() => loadConfig({ DATABASE_URL: "mysql://user:hunter2@db/x" })).toThrow(/^(?!.*hunter2)/);
  });

  it("reads .env without overriding the environment", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sk-env-"));
    const file = path.join(dir, ".env");
    fs.writeFileSync(file, "# comment\nPORT=9999\nexport LOG_LEVEL='debug'\nHOST=\"10.0.0.1\"\n");
    const env: NodeJS.ProcessEnv = { HOST: "127.0.0.2" };
    loadDotEnv(file, env);
    expect(env).toEqual({ HOST: "127.0.0.2", PORT: "9999", LOG_LEVEL: "debug" });
  });
});
