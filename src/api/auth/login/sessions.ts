// Hosted-login sessions: opened (or joined by a second application) at the end of a login, found again through
// the HttpOnly session cookie, ended by /oidc/logout. Timeouts come from the organization's session policy, the
// application's policy when it has none. Revocation through SessionService and expiry are checked by the refresh
// grant on every use, so a session that ends takes its refresh tokens with it.
import { randomBytes } from "node:crypto";
import type { Organization, User, UserSession } from "../../../generated/prisma/client.js";
import type { Tx } from "../../../db/tx.js";
import { hashSecret } from "../../../auth/secrets.js";
import { newId } from "../../../protocol/ids.js";
import type { ServiceDeps } from "../../deps.js";
import { sessionPolicyOf } from "../../organizations/mapping.js";
import { APPLICATION_POLICY } from "../../organizations/settings.js";
import { clientsOf, effectiveStatus, sessionEventJson } from "../../sessions/mapping.js";
import { userEventJson } from "../../users/mapping.js";

export const SESSION_COOKIE = "sk_session";
export const newSessionCookie = () => randomBytes(32).toString("base64url");
export const sessionCookieHash = (key: Buffer, cookie: string) => hashSecret(key, `session:${cookie}`);

export interface Device { userAgent: string; ip: string }

/** Effective timeouts in seconds (idle undefined when off). */
export function timeoutsOf(org: Organization | null): { absolute: number; idle: number | undefined } {
  const p = org ? sessionPolicyOf(org) : { policy_source: "APPLICATION" as const };
  if (p.policy_source === "CUSTOM") return { absolute: p.absolute_minutes * 60, idle: p.idle_enabled && p.idle_minutes ? p.idle_minutes * 60 : undefined };
  return { absolute: APPLICATION_POLICY.absoluteSessionTimeout * 60, idle: APPLICATION_POLICY.idleSessionTimeoutEnabled ? APPLICATION_POLICY.idleSessionTimeout * 60 : undefined };
}

/** A rough reading of the User-Agent header: enough for the session list to tell devices apart. */
export function deviceOf(ua: string) {
  const pick = (pairs: [RegExp, string][]) => { for (const [re, name] of pairs) { const m = re.exec(ua); if (m) return { name, version: m[1] ?? "" }; } return { name: "", version: "" }; };
  const browser = pick([[/Edg\/([\d.]+)/, "Edge"], [/OPR\/([\d.]+)/, "Opera"], [/Firefox\/([\d.]+)/, "Firefox"], [/HeadlessChrome\/([\d.]+)/, "Chrome Headless"],
    [/Chrome\/([\d.]+)/, "Chrome"], [/Version\/([\d.]+).*Safari/, "Safari"], [/node|undici/i, "Node.js"], [/curl\/([\d.]+)/, "curl"]]);
  const os = pick([[/Windows NT ([\d.]+)/, "Windows"], [/Mac OS X ([\d_]+)/, "macOS"], [/Android ([\d.]+)/, "Android"], [/(?:iPhone|CPU) OS ([\d_]+)/, "iOS"], [/Linux/, "Linux"]]);
  const deviceType = /Mobile|Android|iPhone/.test(ua) ? "Mobile" : /iPad|Tablet/.test(ua) ? "Tablet" : ua ? "Desktop" : "";
  return { browser: browser.name, browserVersion: browser.version, os: os.name, osVersion: os.version.replace(/_/g, "."), deviceType };
}

export function isActive(s: UserSession, now = new Date()): boolean {
  return effectiveStatus(s, now).status === "active";
}

/** The active session this browser's cookie names, if any. */
export async function sessionOfCookie(deps: ServiceDeps, cookie: string | undefined): Promise<UserSession | undefined> {
  if (!cookie || cookie.length > 100) return undefined;
  const row = await deps.db.userSession.findUnique({ where: { cookieHash: sessionCookieHash(deps.hashKey, cookie) } });
  return row && isActive(row) ? row : undefined;
}

/**
 * The session a finished login lands in: the browser's current one when it belongs to the same user (a second
 * application or organization joins it), otherwise a new one, announced with user.login. Returns the cookie to
 * set when a new session was opened.
 */
export async function openSession(tx: Tx, deps: ServiceDeps, o: { current?: UserSession; user: User; org: Organization | null; clientId: string; connectionId: string | null; device: Device }) {
  const now = new Date();
  const client = { client_id: o.clientId, organization_id: o.org?.id ?? "" };
  if (o.current && o.current.userId === o.user.id && isActive(o.current, now)) {
    const clients = clientsOf(o.current).map((c) => ({ client_id: c.clientId, organization_id: c.organizationId }));
    if (!clients.some((c) => c.client_id === client.client_id && c.organization_id === client.organization_id)) clients.push(client);
    const orgs = o.org && !o.current.authenticatedOrganizations.includes(o.org.id) ? [...o.current.authenticatedOrganizations, o.org.id] : o.current.authenticatedOrganizations;
    const { idle } = timeoutsOf(o.org);
    const session = await tx.userSession.update({
      where: { id: o.current.id },
      data: {
        organizationId: o.org?.id ?? o.current.organizationId, authenticatedOrganizations: orgs, authenticatedClients: clients,
        ...(o.connectionId ? { connectionId: o.connectionId } : {}),
        lastActiveAt: now, updatedAt: now, ...(idle ? { idleExpiresAt: new Date(Math.min(now.getTime() + idle * 1000, o.current.absoluteExpiresAt.getTime())) } : {}),
      },
    });
    return { session, cookie: undefined };
  }
  const cookie = newSessionCookie();
  const { absolute, idle } = timeoutsOf(o.org);
  const d = deviceOf(o.device.userAgent);
  const session = await tx.userSession.create({
    data: {
      id: newId("ses"), userId: o.user.id, organizationId: o.org?.id ?? null, authenticatedOrganizations: o.org ? [o.org.id] : [],
      authenticatedClients: [client], connectionId: o.connectionId, cookieHash: sessionCookieHash(deps.hashKey, cookie),
      userAgent: o.device.userAgent.slice(0, 1000), ip: o.device.ip, ...d,
      createdAt: now, updatedAt: now, lastActiveAt: now,
      idleExpiresAt: idle ? new Date(now.getTime() + idle * 1000) : null,
      absoluteExpiresAt: new Date(now.getTime() + absolute * 1000),
    },
  });
  const user = await tx.user.update({ where: { id: o.user.id }, data: { lastLoginTime: now } });
  await deps.outbox.emit(tx, {
    type: "user.login", object: "User", organizationId: o.org?.id,
    data: { user: userEventJson(user, deps.environmentId), user_session: sessionEventJson(session) },
  });
  return { session, cookie };
}

/** Logout: status logout with logout_at (expired_at stays null), its refresh tokens stop, user.logout. */
export async function endSession(tx: Tx, deps: ServiceDeps, sessionId: string): Promise<UserSession | undefined> {
  const now = new Date();
  const [session] = await tx.userSession.updateManyAndReturn({
    where: { id: sessionId, status: "active" }, data: { status: "logout", logoutAt: now, updatedAt: now, cookieHash: null },
  });
  if (!session) return undefined;
  await tx.refreshToken.updateMany({ where: { sessionId, revokedAt: null }, data: { revokedAt: now } });
  const user = await tx.user.findUniqueOrThrow({ where: { id: session.userId } });
  await deps.outbox.emit(tx, {
    type: "user.logout", object: "User", organizationId: session.organizationId ?? undefined,
    data: { user: userEventJson(user, deps.environmentId), user_session: sessionEventJson(session) },
  });
  return session;
}
