// A browser without a browser: fetch with a cookie jar, redirects followed by hand (so each hop can be checked),
// and the few form fields the login pages carry read from their HTML.
import { expect } from "vitest";

export interface Hop { status: number; url: string; location?: string; body: string; headers: Headers }

export class CookieBrowser {
  readonly cookies = new Map<string, string>();
  userAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36";

  constructor(readonly base: string) {}

  private header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async request(method: "GET" | "POST", url: string, form?: Record<string, string> | string): Promise<Hop> {
    const target = new URL(url, this.base).href;
    const headers: Record<string, string> = { "user-agent": this.userAgent };
    if (this.cookies.size) headers.cookie = this.header();
    let body: string | undefined;
    if (form !== undefined) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = typeof form === "string" ? form : new URLSearchParams(form).toString();
    }
    const res = await fetch(target, { method, headers, body, redirect: "manual" });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim(), value = pair.slice(eq + 1).trim();
      if (attrs.some((a) => /max-age=0\b/i.test(a.trim())) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const location = res.headers.get("location") ?? undefined;
    return { status: res.status, url: target, location: location ? new URL(location, target).href : undefined, body: await res.text(), headers: res.headers };
  }

  get(url: string) { return this.request("GET", url); }
  post(url: string, form: Record<string, string> | string) { return this.request("POST", url, form); }

  /** Follows redirects on this server until a page, or until a URL outside it (the application) is reached. */
  async follow(first: Hop, maxHops = 15): Promise<Hop> {
    let hop = first;
    for (let i = 0; i < maxHops; i++) {
      if (!hop.location || !(hop.status >= 300 && hop.status < 400)) return hop;
      if (!hop.location.startsWith(this.base)) return hop;
      hop = await this.get(hop.location);
    }
    throw new Error("too many redirects");
  }

  async open(url: string) { return this.follow(await this.get(url)); }

  /** Submits the form whose action is `action` on `page`, with its hidden fields and `values`. */
  async submit(page: Hop, action: string, values: Record<string, string>): Promise<Hop> {
    expect(page.body, `a form posting to ${action}`).toContain(`action="${action}"`);
    const form = page.body.slice(page.body.indexOf(`action="${action}"`));
    const hidden: Record<string, string> = {};
    for (const m of form.slice(0, form.indexOf("</form>")).matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) hidden[m[1]] = unescape(m[2]);
    return this.follow(await this.post(action, { ...hidden, ...values }));
  }
}

function unescape(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&#96;/g, "`").replace(/&amp;/g, "&");
}

/** The query of an application URL the browser was sent to. */
export function appParams(hop: Hop, appBase: string): URLSearchParams {
  expect(hop.status, hop.body.slice(0, 500)).toBeGreaterThanOrEqual(300);
  expect(hop.location?.startsWith(appBase), `redirect to the app, got ${hop.location}`).toBe(true);
  return new URL(hop.location!).searchParams;
}
