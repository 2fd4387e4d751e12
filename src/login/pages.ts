// The login pages: plain HTML forms (no scripts), every form with its CSRF field. The selectors the docs' own
// Playwright tests use hold here: input[name=email] under <label>Email</label>, a "Continue" button, then
// input[name=code] with "Verify"; the organization picker's buttons carry the organizations' display names.
import type { LoginFlow } from "../generated/prisma/client.js";
import { html, type SafeHtml } from "../views/html.js";
import { page } from "../views/page.js";
import { csrfField } from "../views/csrf.js";

const hidden = (flow: LoginFlow, csrf: string) => html`${csrfField(csrf)}<input type="hidden" name="lr" value="${flow.id}">`;
const alert = (error: string | undefined) => (error ? html`<div class="alert error" role="alert">${error}</div>` : "");

export function emailPage(flow: LoginFlow, csrf: string, o: { error?: string; email?: string } = {}): SafeHtml {
  const signup = flow.intent === "sign_up";
  return page({
    title: signup ? "Create your account" : "Sign in",
    body: html`
<p class="muted">${signup ? "Enter your work email to sign up." : "Enter your email to continue. Work emails of an organization with single sign-on go to its identity provider."}</p>
${alert(o.error)}
<form method="post" action="/login/email">
${hidden(flow, csrf)}
<label for="email">Email</label>
<input id="email" type="email" name="email" value="${o.email ?? flow.email ?? ""}" autocomplete="email" required autofocus>
${signup ? html`<label for="organization_name">Organization name (optional)</label><input id="organization_name" type="text" name="organization_name" maxlength="200">` : ""}
<button type="submit" class="block">Continue</button>
</form>`,
  });
}

export function otpPage(flow: LoginFlow, csrf: string, o: { error?: string; testUser: boolean; resent?: boolean }): SafeHtml {
  return page({
    title: "Check your email",
    body: html`
<p class="muted">${o.testUser
    ? html`<strong>${flow.email}</strong> is a test user (+sktest): no email is sent; enter the environment's static test code.`
    : html`We sent a 6-digit code to <strong>${flow.email}</strong>. You can also open the link in that email instead of typing the code.`}</p>
${o.resent ? html`<div class="alert ok">A new code and link are on the way.</div>` : ""}
${alert(o.error)}
<form method="post" action="/login/otp">
${hidden(flow, csrf)}
<label for="code">Verification code</label>
<input id="code" type="text" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required autofocus>
<button type="submit" class="block">Verify</button>
</form>
${o.testUser ? "" : html`<form method="post" action="/login/otp/resend">${hidden(flow, csrf)}<button type="submit" class="secondary">Resend code</button></form>`}
<p class="muted"><a href="/login/restart?lr=${flow.id}">Use another email</a></p>`,
  });
}

export function organizationsPage(flow: LoginFlow, csrf: string, organizations: { id: string; name: string; pending: boolean }[]): SafeHtml {
  return page({
    title: "Choose an organization",
    body: html`
<p class="muted">You belong to several organizations. Choose the one to sign in to.</p>
<form method="post" action="/login/organization" class="choices">
${hidden(flow, csrf)}
${organizations.map((o) => html`<button type="submit" name="organization_id" value="${o.id}" class="secondary">${o.name}</button>`)}
</form>
${organizations.some((o) => o.pending) ? html`<p class="muted">Choosing an organization that invited you accepts its invitation.</p>` : ""}`,
  });
}

export function errorPage(title: string, description: string): SafeHtml {
  return page({ title, body: html`<div class="alert error" role="alert">${description}</div><p class="muted">Error pages are shown instead of a redirect when the application's redirect URI cannot be trusted, or nothing can be done automatically.</p>` });
}

/** A cross-origin hop that follows a form post (CSP form-action would block a redirect): a refresh, and a link. */
export function continuePage(url: string, label: string): SafeHtml {
  return page({ title: label, body: html`<meta http-equiv="refresh" content="0;url=${url}"><p><a class="button block" href="${url}">Continue</a></p>` });
}

/** A SAML HTTP-POST binding form (the user clicks, no script). */
export function postFormPage(action: string, fields: Record<string, string>): SafeHtml {
  return page({
    title: "Continue to your identity provider",
    body: html`<form method="post" action="${action}">${Object.entries(fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}<button type="submit" class="block">Continue</button></form>`,
  });
}
