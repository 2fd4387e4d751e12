// Webhook settings from the environment: defaults, parsing, and one clear error per mistake.
import { describe, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, loadConfig } from "../../src/config.js";
import { nextDelay, parseRetryAfter } from "../../src/events/retry.js";
import { generateWebhookSecret, webhookSecretProblem } from "../../src/events/signing.js";
import { TEST_SECRET } from "./helpers.js";

describe("webhook configuration", () => {
  it("has defaults: no endpoint, the documented schedule, 15 s timeout", () => {
    const w = loadConfig({}).webhooks;
    expect(w.endpoints).toEqual([]);
    expect(w.retrySchedule).toEqual([0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    expect(w).toMatchObject({ timeoutMs: 15_000, worker: true, rotationGraceSeconds: 86_400, pollMs: undefined });
  });

  it("reads an endpoint from WEBHOOK_URL and a schedule override", () => {
    const w = loadConfig({ WEBHOOK_URL: "https://x.test/h", WEBHOOK_SECRET: TEST_SECRET, WEBHOOK_EVENTS: "organization.created, organization.deleted", WEBHOOK_RETRY_SCHEDULE: "0,50ms,1.5s,2m,1h", WEBHOOK_WORKER: "off" }).webhooks;
    expect(w.endpoints).toEqual([{ key: "env", url: "https://x.test/h", secret: TEST_SECRET, eventTypes: ["organization.created", "organization.deleted"], organizationIds: [], description: "from WEBHOOK_URL", enabled: true }]);
    expect(w.retrySchedule).toEqual([0, 50, 1500, 120_000, 3_600_000]);
    expect(w.worker).toBe(false);
  });

  it.each([
    [{ WEBHOOK_URL: "https://x.test/h" }, "WEBHOOK_URL and WEBHOOK_SECRET"],
    [{ WEBHOOK_URL: "ftp://x.test/h", WEBHOOK_SECRET: TEST_SECRET }, "WEBHOOK_URL must use http or https"],
    [{ WEBHOOK_URL: "https://x.test/h", WEBHOOK_SECRET: "secret" }, "WEBHOOK_SECRET must be whsec_"],
    [{ WEBHOOK_URL: "https://x.test/h", WEBHOOK_SECRET: TEST_SECRET, WEBHOOK_EVENTS: "Bad Type" }, "WEBHOOK_EVENTS"],
    [{ WEBHOOK_URL: "https://x.test/h", WEBHOOK_SECRET: TEST_SECRET, WEBHOOK_ORGANIZATIONS: "acme" }, "WEBHOOK_ORGANIZATIONS"],
    [{ WEBHOOK_RETRY_SCHEDULE: "soon" }, "WEBHOOK_RETRY_SCHEDULE"],
    [{ WEBHOOK_RETRY_SCHEDULE: "0,8d" }, "WEBHOOK_RETRY_SCHEDULE"],
    [{ WEBHOOK_TIMEOUT_MS: "5" }, "WEBHOOK_TIMEOUT_MS"],
    [{ WEBHOOK_WORKER: "maybe" }, "WEBHOOK_WORKER"],
    [{ WEBHOOKS_FILE: "/nonexistent/webhooks.json" }, "WEBHOOKS_FILE"],
  ])("refuses %o naming %s", (env, words) => {
    expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(ConfigError);
    expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(words);
  });

  it("checks every entry of WEBHOOKS_FILE", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sk-wh-cfg-"));
    const file = path.join(dir, "w.json");
    const check = (content: string) => { fs.writeFileSync(file, content); return () => loadConfig({ WEBHOOKS_FILE: file }); };
    expect(check("{")).toThrow("not valid JSON");
    expect(check(JSON.stringify({ hooks: [] }))).toThrow('{"endpoints": [...]}');
    expect(check(JSON.stringify([{ url: "https://x.test", secret: "whsec_x" }]))).toThrow("WEBHOOKS_FILE endpoints[0] secret");
    expect(check(JSON.stringify([{ url: "https://x.test", secret: TEST_SECRET }, { url: "https://x.test", secret: TEST_SECRET }]))).toThrow("twice");
    expect(check(JSON.stringify([{ name: "a", url: "https://x.test", secret: TEST_SECRET, events: ["organization.created"], enabled: false }]))()).toMatchObject({
      webhooks: { endpoints: [{ key: "file:a", url: "https://x.test", eventTypes: ["organization.created"], enabled: false }] },
    });
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("retry schedule and secrets", () => {
  it("jitters around the schedule, honours Retry-After, and ends after the last entry", () => {
    const schedule = [0, 1000, 10_000];
    expect(nextDelay(schedule, 1, undefined, () => 0)).toBe(900);
    expect(nextDelay(schedule, 1, undefined, () => 1)).toBe(1100);
    expect(nextDelay(schedule, 1, 5000, () => 0.5)).toBe(5000);
    expect(nextDelay(schedule, 2, 100, () => 0.5)).toBe(10_000);
    expect(nextDelay(schedule, 1, 10 * 86_400_000, () => 0.5)).toBe(86_400_000);
    expect(nextDelay(schedule, 3)).toBeUndefined();
    expect(parseRetryAfter("120")).toBe(120_000);
    expect(parseRetryAfter(new Date(Date.now() + 60_000).toUTCString())).toBeGreaterThan(58_000);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it("generates whsec_ secrets the SDK can split", () => {
    for (let i = 0; i < 50; i++) {
      const s = generateWebhookSecret();
      expect(s.split("_")).toHaveLength(2);
      expect(webhookSecretProblem(s)).toBeUndefined();
    }
    expect(webhookSecretProblem("whsec_abc-def")).toBeDefined();
    expect(webhookSecretProblem("whsec_" + Buffer.alloc(100).toString("base64"))).toBeDefined();
  });
});
