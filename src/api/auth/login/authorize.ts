// GET /oauth/authorize as a service: validate the authorization request, open a pending login and decide where
// the browser goes first (note §1.2): a live session answers at once; connection_id > organization_id > domain
// > login_hint's domain pick an SSO connection; otherwise the email page. An untrustworthy client_id or
// redirect_uri is a PageError (never a redirect to it); every other problem goes back to the redirect URI.
import type { Connection, LoginFlow, UserSession } from "../../../generated/prisma/client.js";
import { isAllowedRedirect, loginClient } from "../../clients/redirects.js";
import type { ServiceDeps } from "../../deps.js";
import { appRedirect, finishLogin } from "./complete.js";
import { discoverConnection, domainOf, ssoConnectionOfOrganization } from "./discovery.js";
import { LoginError, PageError } from "./errors.js";
import { createFlow } from "./flows.js";
import { sessionOfCookie, type Device } from "./sessions.js";

type Query = Record<string, unknown>;

const LIMITS: Record<string, number> = {
  response_type: 20, client_id: 200, redirect_uri: 2048, scope: 1000, state: 2048, nonce: 512, login_hint: 320,
  domain_hint: 253, domain: 253, connection_id: 64, organization_id: 64, code_challenge: 128, code_challenge_method: 10,
  provider: 50, prompt: 100, response_mode: 20,
};
const PROMPTS = new Set(["login", "none", "select_account", "create", "consent"]);
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,100}$/;
const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;
const ID = /^[a-z]+_[0-9A-Za-z]{1,40}$/;

export type AuthorizeOutcome =
  | { kind: "redirect"; url: string; sessionCookie?: string }
  | { kind: "sso"; flow: LoginFlow; connection: Connection }
  | { kind: "page"; flow: LoginFlow }
  | { kind: "pick"; flow: LoginFlow; organizations: { id: string; name: string; pending: boolean }[] };

/** One value of a parameter: repeated or oversized ones are errors, absent or empty ones undefined. */
function reader(q: Query) {
  return (name: string, onError: (msg: string) => Error): string | undefined => {
    const v = q[name];
    if (v === undefined) return undefined;
    if (Array.isArray(v)) throw onError(`${name} must not be repeated`);
    if (typeof v !== "string") throw onError(`${name} must be a string`);
    if (v.length > LIMITS[name]!) throw onError(`${name} is too long (at most ${LIMITS[name]} characters)`);
    return v === "" ? undefined : v;
  };
}

export async function authorize(deps: ServiceDeps, q: Query, ctx: { browserKey: string; sessionCookie?: string; device: Device }): Promise<AuthorizeOutcome> {
  const get = reader(q);
  const page = (msg: string) => new PageError("Invalid login request", msg);
  const clientId = get("client_id", page);
  if (!clientId) throw page("client_id is required");
  const client = await loginClient(deps, clientId);
  if (!client) throw new PageError("Unknown application", `No application with client_id ${clientId} exists in this environment.`);
  const redirectUri = get("redirect_uri", page);
  if (!redirectUri) throw page("redirect_uri is required");
  if (!(await isAllowedRedirect(deps, clientId, redirectUri, "login")))
    throw new PageError("Redirect URI not allowed", `${redirectUri} is not an allowed redirect URI of this application. Add it to the application's redirect URIs (REDIRECT_URIS).`);

  // from here on, errors go back to the application
  let state: string | null = null;
  try { state = get("state", (m) => new Error(m)) ?? null; } catch { state = null; }
  const back = (error: string, description: string): AuthorizeOutcome => ({ kind: "redirect", url: appRedirect({ redirectUri, state }, { error, error_description: description }) });
  try {
    const bad = (msg: string) => new LoginError("invalid_request", msg);
    get("state", bad);
    const responseType = get("response_type", bad);
    if (!responseType) throw bad("response_type is required");
    if (responseType !== "code") throw new LoginError("unsupported_response_type", `response_type ${responseType} is not supported; use code`);
    const scopes = (get("scope", bad) ?? "openid profile email").split(/[ +]+/).filter(Boolean);
    for (const s of scopes) if (!SCOPE_TOKEN.test(s)) throw new LoginError("invalid_scope", `scope contains an invalid value`);
    const prompts = (get("prompt", bad) ?? "").split(" ").filter(Boolean);
    for (const p of prompts) if (!PROMPTS.has(p)) throw bad(`prompt ${p} is not supported; use login, none, select_account or create`);
    if (prompts.includes("none") && prompts.length > 1) throw bad("prompt=none cannot be combined with other values");
    const codeChallenge = get("code_challenge", bad);
    let method = get("code_challenge_method", bad);
    if (method && !codeChallenge) throw bad("code_challenge_method without code_challenge");
    if (codeChallenge) {
      method ??= "plain"; // RFC 7636 §4.3
      if (method !== "S256" && method !== "plain") throw bad(`code_challenge_method ${method} is not supported; use S256`);
      if (!PKCE_VALUE.test(codeChallenge)) throw bad("code_challenge must be 43-128 characters of A-Z a-z 0-9 - . _ ~");
    } else if (client.enforcePkce || client.clientType !== "WEB_APP") {
      throw bad("code_challenge is required: this application must use PKCE");
    }
    const nonce = get("nonce", bad) ?? null;
    const loginHint = get("login_hint", bad);
    const domain = (get("domain_hint", bad) ?? get("domain", bad))?.toLowerCase();
    const connectionId = get("connection_id", bad);
    const organizationId = get("organization_id", bad);
    const provider = get("provider", bad);
    get("response_mode", bad);

    // the selectors, most specific first
    let connection: Connection | undefined;
    if (provider) {
      connection = (await deps.db.connection.findFirst({ where: { organizationId: null, providerKey: provider.toLowerCase(), enabled: true } })) ?? undefined;
      if (!connection) throw new LoginError("invalid_connection_selector", `no enabled ${provider} connection is configured in this environment`);
    } else if (connectionId) {
      connection = ID.test(connectionId) ? (await deps.db.connection.findUnique({ where: { id: connectionId } })) ?? undefined : undefined;
      if (!connection) throw new LoginError("invalid_connection_id", `connection ${connectionId} does not exist`);
      if (!connection.enabled) throw new LoginError("connection_not_active", `connection ${connectionId} is not enabled`);
    } else if (organizationId) {
      const org = ID.test(organizationId) ? await deps.db.organization.findUnique({ where: { id: organizationId }, select: { id: true } }) : null;
      if (!org) throw new LoginError("invalid_organization_id", `organization ${organizationId} does not exist`);
      connection = await ssoConnectionOfOrganization(deps, org.id);
    } else if (domain) {
      connection = await discoverConnection(deps, domain);
    } else if (loginHint && EMAIL.test(loginHint)) {
      connection = await discoverConnection(deps, domainOf(loginHint));
    }

    const intent = prompts.includes("create") ? "sign_up" : "sign_in";
    let flow = await createFlow(deps, ctx.browserKey, {
      clientId, redirectUri, scopes, state, nonce, loginHint: loginHint ?? null, codeChallenge: codeChallenge ?? null,
      codeChallengeMethod: codeChallenge ? method! : null, prompt: prompts.join(" ") || null,
      requestedOrganizationId: organizationId ?? connection?.organizationId ?? null, requestedConnectionId: connection?.id ?? null,
      intent, step: connection ? "sso" : "email", email: loginHint && EMAIL.test(loginHint) ? loginHint : null,
    });

    // a live session answers without UI unless the request asks to log in again, to sign up or to pick
    const session: UserSession | undefined = await sessionOfCookie(deps, ctx.sessionCookie);
    const forces = prompts.some((p) => p === "login" || p === "create");
    const sameConnection = !connection || connection.id === session?.connectionId || (!connection.organizationId);
    if (session && !forces && sameConnection && (!organizationId || session.authenticatedOrganizations.includes(organizationId) || !connection)) {
      flow = await deps.db.loginFlow.update({ where: { id: flow.id }, data: { userId: session.userId, connectionId: session.connectionId, step: "session" } });
      const chosen = prompts.includes("select_account") ? undefined : (organizationId ?? session.organizationId ?? undefined);
      const done = await finishLogin(deps, flow, { device: ctx.device, current: session, chosenOrganizationId: chosen });
      if (done.kind === "pick") return { kind: "pick", flow, organizations: done.organizations };
      return done;
    }
    if (prompts.includes("none")) throw new LoginError("login_required", "the user is not logged in (prompt=none)");
    if (connection) return { kind: "sso", flow, connection };
    return { kind: "page", flow };
  } catch (e) {
    if (e instanceof LoginError) return back(e.error, e.description);
    throw e;
  }
}
