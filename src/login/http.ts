// What the login routes share: the browser cookies, the device of a request, and how an outcome of the login
// service becomes an HTTP answer (a redirect, a page, an error page).
import type { FastifyReply, FastifyRequest } from "fastify";
import type { LoginFlow } from "../generated/prisma/client.js";
import type { ServiceDeps } from "../api/deps.js";
import type { KeyStore } from "../auth/keys.js";
import type { SsoRegistry } from "../sso/index.js";
import { isSecureRequest, readCookie, setCookie } from "../views/cookies.js";
import { sendPage } from "../views/page.js";
import { PageError } from "../api/auth/login/errors.js";
import { newBrowserKey } from "../api/auth/login/flows.js";
import { SESSION_COOKIE, type Device } from "../api/auth/login/sessions.js";
import { errorPage } from "./pages.js";

export interface LoginDeps { services: ServiceDeps; keys: KeyStore; registry: SsoRegistry }

/** Binds pending logins to this browser (HttpOnly, first-party, per browser session). */
export const BROWSER_COOKIE = "sk_login";

export function browserKey(req: FastifyRequest, reply: FastifyReply): string {
  const have = readCookie(req, BROWSER_COOKIE);
  if (have && /^[A-Za-z0-9_-]{32}$/.test(have)) return have;
  const key = newBrowserKey();
  setCookie(reply, BROWSER_COOKIE, key, { secure: isSecureRequest(req) });
  return key;
}

export const existingBrowserKey = (req: FastifyRequest) => readCookie(req, BROWSER_COOKIE);

export function deviceOf(req: FastifyRequest): Device {
  const ua = req.headers["user-agent"];
  return { userAgent: typeof ua === "string" ? ua : "", ip: req.ip };
}

export function setSessionCookie(req: FastifyRequest, reply: FastifyReply, cookie: string | undefined) {
  if (!cookie) return;
  // a browser-session cookie: the session row decides how long it is good for
  setCookie(reply, SESSION_COOKIE, cookie, { secure: isSecureRequest(req) });
}

export const sessionCookie = (req: FastifyRequest) => readCookie(req, SESSION_COOKIE);

/** A CSP source for where a redirect URI lives: its origin, or its scheme for custom schemes (myapp://). */
export function originOf(uri: string): string {
  try {
    const u = new URL(uri);
    return u.origin !== "null" ? u.origin : u.protocol;
  } catch { return "'none'"; }
}

export const formTargets = (flow: Pick<LoginFlow, "redirectUri"> | undefined) => (flow ? [originOf(flow.redirectUri)] : []);

export function sendError(reply: FastifyReply, e: PageError) {
  return sendPage(reply, errorPage(e.title, e.description), { status: e.status });
}

export function redirect(reply: FastifyReply, url: string) {
  return reply.header("cache-control", "no-store").redirect(url, 302);
}
