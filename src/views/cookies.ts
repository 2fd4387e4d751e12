// Reading and writing the few cookies the browser pages use (CSRF, login state, console session).
import type { FastifyReply, FastifyRequest } from "fastify";

export function readCookie(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    try { return decodeURIComponent(value); } catch { return undefined; }
  }
  return undefined;
}

export interface CookieOptions {
  /** seconds; omitted: a session cookie. 0 clears it */
  maxAge?: number;
  path?: string;
  /** set when the page was served over https */
  secure: boolean;
  sameSite?: "Lax" | "Strict" | "None";
}

export function setCookie(reply: FastifyReply, name: string, value: string, o: CookieOptions) {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${o.path ?? "/"}`, "HttpOnly", `SameSite=${o.sameSite ?? "Lax"}`];
  if (o.maxAge !== undefined) parts.push(`Max-Age=${o.maxAge}`);
  if (o.secure) parts.push("Secure");
  const prev = reply.getHeader("set-cookie");
  const list = prev === undefined ? [] : Array.isArray(prev) ? prev.map(String) : [String(prev)];
  reply.header("set-cookie", [...list, parts.join("; ")]);
}

export function isSecureRequest(req: FastifyRequest): boolean {
  return req.protocol === "https";
}
