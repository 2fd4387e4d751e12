// pino options shared by the server and tests. Credentials never reach a log line: anything that could carry
// a token or a secret is redacted by path, and Fastify's request serializer does not log headers or bodies.
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";

export const REDACT_PATHS = [
  "req.headers.authorization", "headers.authorization", "authorization",
  "*.authorization", "*.client_secret", "client_secret", "*.clientSecret", "clientSecret",
  "*.access_token", "access_token", "*.accessToken", "*.token", "*.secret", "*.password",
  "body.client_secret", "req.body", "res.body",
];

export function loggerOptions(level: string) {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    serializers: {
      // the URL without its query string: query parameters can carry codes and tokens
      req: (req: any) => ({ method: req.method, url: String(req.url ?? "").split("?")[0], httpVersion: req.raw?.httpVersion, remoteAddress: req.ip }),
    },
  };
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Honour a caller's x-request-id when it is safe to echo, otherwise make one. */
export function requestId(req: IncomingMessage): string {
  const given = req.headers["x-request-id"];
  return typeof given === "string" && SAFE_REQUEST_ID.test(given) ? given : `req_${randomUUID().replace(/-/g, "")}`;
}
