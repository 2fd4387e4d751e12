// The page frame and the headers every HTML response carries. No scripts and no third-party requests: the
// stylesheet is served by this server (STYLESHEET_PATH), so the policy can be 'self' and nothing else.
import type { FastifyInstance, FastifyReply } from "fastify";
import { html, type SafeHtml } from "./html.js";
import { STYLESHEET } from "./style.js";

export const STYLESHEET_PATH = "/assets/scalekit-local.css";

export interface PageOptions {
  title: string;
  body: SafeHtml;
  /** a small line under the title, e.g. "SSO simulator" so that nobody takes it for a real IdP */
  subtitle?: string;
  /** wide layout (the console) instead of the centred card (login pages) */
  wide?: boolean;
}

export function page(o: PageOptions): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${o.title}</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body class="${o.wide ? "wide" : "card-layout"}">
<main class="${o.wide ? "wide-main" : "card"}">
<header class="page-header"><span class="brand">Scalekit <em>local</em></span>${o.subtitle ? html`<span class="subtitle">${o.subtitle}</span>` : ""}</header>
<h1>${o.title}</h1>
${o.body}
</main>
</body>
</html>`;
}

export interface SendPageOptions {
  status?: number;
  /**
   * Extra CSP form-action sources. Browsers apply form-action to the redirects that follow a form post too, so a
   * form that ends in a redirect to the application (the login page's last step) must name the application's origin.
   */
  formActionOrigins?: string[];
}

export function securityHeaders(formActionOrigins: string[] = []): Record<string, string> {
  const formAction = ["'self'", ...formActionOrigins].join(" ");
  return {
    "content-security-policy":
      `default-src 'none'; style-src 'self'; img-src 'self' data:; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
  };
}

export function sendPage(reply: FastifyReply, body: SafeHtml, o: SendPageOptions = {}) {
  return reply.code(o.status ?? 200).headers(securityHeaders(o.formActionOrigins))
    .type("text/html; charset=utf-8").send(body.value);
}

/** Registers the one stylesheet (call once, at the app's top level). */
export function registerViewAssets(app: FastifyInstance) {
  app.get(STYLESHEET_PATH, async (_req, reply) =>
    reply.headers({ "cache-control": "public, max-age=300", "x-content-type-options": "nosniff" }).type("text/css; charset=utf-8").send(STYLESHEET));
}
