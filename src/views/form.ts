// application/x-www-form-urlencoded bodies for the browser forms and /oauth/token: every key once as a string, a
// repeated key as an array (so the reader can refuse it instead of silently taking one of the values).
import type { FastifyInstance } from "fastify";

export type FormBody = Record<string, string | string[]>;

export function registerFormParser(scope: FastifyInstance, bodyLimit = 64 * 1024): void {
  scope.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit }, (_req, body, done) => {
    const out: FormBody = {};
    for (const [k, v] of new URLSearchParams(body as string)) {
      const prev = out[k];
      out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    done(null, out);
  });
}

/** One form field: undefined when absent, repeated, not a string or longer than max. */
export function field(body: unknown, name: string, max = 2048): string | undefined {
  if (!body || typeof body !== "object") return undefined;
  const v = (body as Record<string, unknown>)[name];
  return typeof v === "string" && v.length <= max ? v : undefined;
}
