// Credentials never reach a log line.
import { describe, expect, it } from "vitest";
import pino from "pino";
import { Writable } from "node:stream";
import { loggerOptions } from "../../src/log.js";

describe("log redaction", () => {
  it("redacts authorization headers, secrets and tokens", () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } });
    const opts = loggerOptions("info");
    const log = pino({ level: opts.level, redact: opts.redact }, sink);
    log.info({ req: { headers: { authorization: "Bearer eyJsecret" } } }, "a");
    log.info({ body: { client_secret: "test_abc123" } }, "b");
    log.info({ response: { access_token: "eyJtoken" } }, "c");
    log.info({ authorization: "Basic c2VjcmV0" }, "d");
    const out = lines.join("\n");
    for (const secret of ["eyJsecret", "test_abc123", "eyJtoken", "c2VjcmV0"]) expect(out).not.toContain(secret);
    expect(out).toContain("[redacted]");
  });

  it("logs request URLs without their query string", () => {
    const { serializers } = loggerOptions("info");
    expect(serializers.req({ method: "GET", url: "/x?code=123456&token=abc", raw: { httpVersion: "1.1" } })).toEqual({ method: "GET", url: "/x", httpVersion: "1.1", remoteAddress: undefined });
  });
});
