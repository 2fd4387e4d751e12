// One HTTP attempt, with node:http(s) and keep-alive agents (several times cheaper per request than fetch, which
// matters at a thousand deliveries a second). Redirects are not followed: a request goes only to the URL an
// endpoint names, and a 3xx counts as a failure the user can see in the attempt log.
import http from "node:http";
import https from "node:https";
import { parseRetryAfter } from "./retry.js";

export const EXCERPT_CHARS = 1024;
/** past this much body the connection is dropped rather than drained */
const MAX_DRAIN_BYTES = 64 * 1024;

const agents = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: 256 }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: 256 }),
};

export interface AttemptOutcome {
  ok: boolean;
  /** the receiver's status; undefined when no response arrived */
  status?: number;
  /** what went wrong without a usable response */
  error?: string;
  excerpt: string;
  latencyMs: number;
  retryAfterMs?: number;
  /** ended by our own shutdown, not by the receiver: not an attempt worth recording */
  aborted: boolean;
}

function describe(e: any): string {
  const code = e?.code;
  const msg = String(e?.message ?? e);
  return (code && !msg.includes(code) ? `${code}: ${msg}` : msg).slice(0, 300);
}

/** `abort` ends the request early (shutdown); the timeout covers connecting, the response headers and the body. */
export function postWebhook(url: string, body: string, headers: Record<string, string>, timeoutMs: number, abort: AbortSignal): Promise<AttemptOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise<AttemptOutcome>((resolve) => {
    let settled = false;
    let timedOut = false;
    let status: number | undefined;
    let retryAfter: string | null = null;
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (o: Omit<AttemptOutcome, "latencyMs" | "aborted">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      abort.removeEventListener("abort", onAbort);
      resolve({ ...o, latencyMs: elapsed(), aborted: abort.aborted && !timedOut });
    };
    const excerpt = () => Buffer.concat(chunks).toString("utf8").slice(0, EXCERPT_CHARS);
    const answered = () => finish({
      ok: status! >= 200 && status! < 300, status, excerpt: excerpt(), retryAfterMs: parseRetryAfter(retryAfter),
    });

    let u: URL;
    try { u = new URL(url); } catch { return finish({ ok: false, error: "invalid URL", excerpt: "" }); }
    const transport = u.protocol === "https:" ? https : u.protocol === "http:" ? http : undefined;
    if (!transport) return finish({ ok: false, error: `unsupported protocol ${u.protocol}`, excerpt: "" });

    const req = transport.request(u, {
      method: "POST", agent: agents[u.protocol as "http:" | "https:"],
      headers: { ...headers, "content-length": Buffer.byteLength(body) },
    }, (res) => {
      status = res.statusCode;
      const ra = res.headers["retry-after"];
      retryAfter = Array.isArray(ra) ? ra[0] : ra ?? null;
      res.on("data", (c: Buffer) => {
        if (size < EXCERPT_CHARS * 4) chunks.push(c);
        size += c.length;
        // the status is the receiver's answer; a large body is not worth keeping the connection for
        if (size > MAX_DRAIN_BYTES) { answered(); req.destroy(); }
      });
      res.on("end", answered);
      res.on("error", answered);
      res.on("aborted", answered);
    });
    const onAbort = () => req.destroy(new Error("aborted by shutdown"));
    const timer = setTimeout(() => {
      timedOut = true;
      if (status !== undefined) answered(); // the answer came; only its body was slow
      else finish({ ok: false, error: "timeout", excerpt: "" });
      req.destroy();
    }, timeoutMs);
    abort.addEventListener("abort", onAbort, { once: true });
    req.on("error", (e) => {
      if (status !== undefined) return answered();
      finish({ ok: false, error: timedOut ? "timeout" : describe(e), excerpt: "" });
    });
    req.end(body);
  });
}
