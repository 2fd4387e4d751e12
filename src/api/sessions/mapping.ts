// Session rows <-> messages. The status a client sees is computed at read time: an active session past its idle or
// absolute expiry is expired, with expired_at the moment that happened.
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { UserSession as SessionRow } from "../../generated/prisma/client.js";
import type { sessions } from "../../protocol/descriptors.js";

const ts = (d: Date | null | undefined) => (d ? timestampFromDate(d) : undefined);

/** When an active session lapses: the earlier of its idle and absolute expiry. */
export function lapseOf(row: SessionRow): Date {
  return row.idleExpiresAt && row.idleExpiresAt < row.absoluteExpiresAt ? row.idleExpiresAt : row.absoluteExpiresAt;
}

export function effectiveStatus(row: SessionRow, now = new Date()): { status: string; expiredAt: Date | null } {
  if (row.status === "active" && lapseOf(row) <= now) return { status: "expired", expiredAt: lapseOf(row) };
  return { status: row.status, expiredAt: row.expiredAt };
}

function locationOf(v: unknown): MessageInitShape<typeof sessions.LocationSchema> | undefined {
  if (!v || typeof v !== "object") return undefined;
  const l = v as Record<string, string>;
  return { region: l.region ?? "", regionSubdivision: l.region_subdivision ?? "", city: l.city ?? "", latitude: l.latitude ?? "", longitude: l.longitude ?? "" };
}

export function sessionMessage(row: SessionRow): MessageInitShape<typeof sessions.SessionDetailsSchema> {
  const { status, expiredAt } = effectiveStatus(row);
  return {
    sessionId: row.id, userId: row.userId, organizationId: row.organizationId ?? "", authenticatedOrganizations: row.authenticatedOrganizations,
    createdAt: ts(row.createdAt), updatedAt: ts(row.updatedAt), lastActiveAt: ts(row.lastActiveAt),
    idleExpiresAt: ts(row.idleExpiresAt), absoluteExpiresAt: ts(row.absoluteExpiresAt), expiredAt: ts(expiredAt), logoutAt: ts(row.logoutAt),
    status,
    device: {
      userAgent: row.userAgent, ip: row.ip, browser: row.browser, browserVersion: row.browserVersion, os: row.os, osVersion: row.osVersion,
      deviceType: row.deviceType, location: locationOf(row.location),
    },
    authenticatedClients: clientsOf(row),
  };
}

/** authenticated_clients as stored: [{client_id, organization_id}] */
export function clientsOf(row: SessionRow): { clientId: string; organizationId: string }[] {
  const v = Array.isArray(row.authenticatedClients) ? row.authenticatedClients as Record<string, unknown>[] : [];
  return v.map((c) => ({ clientId: String(c.client_id ?? ""), organizationId: String(c.organization_id ?? "") }));
}

/** user_session of the user.login / user.logout webhooks (status upper-case there, as Scalekit sends it). */
export function sessionEventJson(row: SessionRow) {
  const { status, expiredAt } = effectiveStatus(row);
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return {
    session_id: row.id, user_id: row.userId, organization_id: row.organizationId ?? "", status: status.toUpperCase(),
    authenticated_organizations: row.authenticatedOrganizations,
    created_at: iso(row.createdAt), updated_at: iso(row.updatedAt), last_active_at: iso(row.lastActiveAt),
    idle_expires_at: iso(row.idleExpiresAt), absolute_expires_at: iso(row.absoluteExpiresAt), expired_at: iso(expiredAt), logout_at: iso(row.logoutAt),
    device: {
      browser: row.browser, browser_version: row.browserVersion, device_type: row.deviceType, ip: row.ip, os: row.os,
      os_version: row.osVersion, user_agent: row.userAgent, location: row.location ?? null,
    },
  };
}

export function revokedMessage(row: SessionRow): MessageInitShape<typeof sessions.RevokedSessionDetailsSchema> {
  const { status, expiredAt } = effectiveStatus(row);
  return {
    sessionId: row.id, userId: row.userId, createdAt: ts(row.createdAt), updatedAt: ts(row.updatedAt), lastActiveAt: ts(row.lastActiveAt),
    idleExpiresAt: ts(row.idleExpiresAt), absoluteExpiresAt: ts(row.absoluteExpiresAt), expiredAt: ts(expiredAt), logoutAt: ts(row.logoutAt), status,
  };
}

/** The local API's JSON for a created session: the same fields as GET /api/v1/sessions/{id}. */
export function sessionJson(row: SessionRow) {
  const { status, expiredAt } = effectiveStatus(row);
  return {
    session_id: row.id, user_id: row.userId, organization_id: row.organizationId ?? "", status,
    created_at: row.createdAt.toISOString(), idle_expires_at: row.idleExpiresAt?.toISOString() ?? null,
    absolute_expires_at: row.absoluteExpiresAt.toISOString(), expired_at: expiredAt?.toISOString() ?? null,
  };
}
