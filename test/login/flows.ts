// Shared steps of the login tests: a complete login through the +sktest code (no IdP, no email), by plain HTTP.
import { expect } from "vitest";
import type { TestServer } from "../helpers/server.js";
import { appParams, CookieBrowser } from "./browser.js";

export const APP = "http://localhost:5999";
export const REDIRECT = `${APP}/callback`;

export function authorizeUrl(s: TestServer, params: Record<string, string>): string {
  const u = new URL(`${s.url}/oauth/authorize`);
  for (const [k, v] of Object.entries({ response_type: "code", redirect_uri: REDIRECT, scope: "openid profile email offline_access", ...params })) u.searchParams.set(k, v);
  return u.href;
}

/** Logs `email` (a +sktest address) in with the static code and returns the app's callback parameters. */
export async function testCodeLogin(s: TestServer, b: CookieBrowser, email: string, params: Record<string, string>): Promise<URLSearchParams> {
  const page = await b.open(authorizeUrl(s, params));
  expect(page.status, page.body.slice(0, 800)).toBe(200);
  const otp = await b.submit(page, "/login/email", { email });
  const back = await b.submit(otp, "/login/otp", { code: "424242" });
  return appParams(back, APP);
}

export async function tokenRequest(s: TestServer, form: Record<string, string>) {
  const res = await fetch(`${s.url}/oauth/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form) });
  return { status: res.status, body: await res.json() as any };
}
