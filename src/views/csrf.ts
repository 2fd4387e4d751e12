// CSRF protection for every form of the browser pages: a random per-browser cookie and, in each form, an HMAC of
// it under the server's key (signed double submit). A cross-site page can make the browser send the cookie but
// can neither read it nor compute the form field.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { html, type SafeHtml } from "./html.js";
import { isSecureRequest, readCookie, setCookie } from "./cookies.js";

export const CSRF_COOKIE = "sk_csrf";
export const CSRF_FIELD = "csrf_token";

function sign(key: Buffer, browserId: string): string {
  return createHmac("sha256", key).update("csrf\0" + browserId).digest("base64url");
}

/** The token to put in this browser's forms; sets the cookie when the browser has none yet. */
export function csrfToken(req: FastifyRequest, reply: FastifyReply, key: Buffer): string {
  let browserId = readCookie(req, CSRF_COOKIE);
  if (!browserId || !/^[A-Za-z0-9_-]{22,64}$/.test(browserId)) {
    browserId = randomBytes(18).toString("base64url");
    setCookie(reply, CSRF_COOKIE, browserId, { secure: isSecureRequest(req) });
  }
  return sign(key, browserId);
}

export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`;
}

/** True when the posted form carries the token that belongs to this browser's cookie. */
export function csrfValid(req: FastifyRequest, key: Buffer, posted: unknown): boolean {
  const browserId = readCookie(req, CSRF_COOKIE);
  if (!browserId || typeof posted !== "string") return false;
  const expected = Buffer.from(sign(key, browserId));
  const given = Buffer.from(posted);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
