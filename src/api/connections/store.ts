// Finding and locking connections, the domains that apply to them, and the event each change writes.
import type { Connection as ConnectionRow, Domain as DomainRow } from "../../generated/prisma/client.js";
import type { Db } from "../../db/client.js";
import type { Tx } from "../../db/tx.js";
import type { Outbox } from "../../events/outbox.js";
import { domains } from "../../protocol/descriptors.js";
import { invalidArgument, notFound } from "../../protocol/errors.js";
import { connectionEventData } from "./mapping.js";

/** An organization's connection, or an environment connection when organizationId is null. */
export interface ConnectionKey { organizationId: string | null; id: string }

export function orgKey(organizationId: string, id: string): ConnectionKey {
  if (!organizationId) throw invalidArgument("organization_id", "is required");
  if (!id) throw invalidArgument("id", "is required");
  return { organizationId, id };
}

export function envKey(connectionId: string): ConnectionKey {
  if (!connectionId) throw invalidArgument("connection_id", "is required");
  return { organizationId: null, id: connectionId };
}

function missing(key: ConnectionKey) {
  return notFound(key.organizationId ? "connection" : "environment connection", key.id);
}

export async function findConnection(db: Db | Tx, key: ConnectionKey): Promise<ConnectionRow> {
  const row = await db.connection.findFirst({ where: { id: key.id, organizationId: key.organizationId } });
  if (!row) throw missing(key);
  return row;
}

/** The row locked until the transaction ends, so concurrent patches and toggles apply one after the other. */
export async function lockConnection(tx: Tx, key: ConnectionKey): Promise<ConnectionRow> {
  const locked = key.organizationId
    ? await tx.$queryRaw<{ id: string }[]>`SELECT id FROM connections WHERE id = ${key.id} AND organization_id = ${key.organizationId} FOR UPDATE`
    : await tx.$queryRaw<{ id: string }[]>`SELECT id FROM connections WHERE id = ${key.id} AND organization_id IS NULL FOR UPDATE`;
  if (!locked.length) throw missing(key);
  return tx.connection.findUniqueOrThrow({ where: { id: key.id } });
}

/**
 * The domains that route to each connection: the ones assigned to it, or, for an organization connection with
 * none assigned, the organization's SSO-discovery (ORGANIZATION_DOMAIN) domains.
 */
export async function domainsOf(db: Db | Tx, rows: ConnectionRow[]): Promise<Map<string, DomainRow[]>> {
  const out = new Map<string, DomainRow[]>(rows.map((r) => [r.id, []]));
  if (!rows.length) return out;
  const assigned = await db.connectionDomain.findMany({
    where: { connectionId: { in: rows.map((r) => r.id) } }, include: { domain: true }, orderBy: { domainId: "asc" },
  });
  for (const a of assigned) out.get(a.connectionId)!.push(a.domain);
  const orgIds = [...new Set(rows.filter((r) => r.organizationId && !out.get(r.id)!.length).map((r) => r.organizationId!))];
  if (orgIds.length) {
    const orgDomains = await db.domain.findMany({
      where: { organizationId: { in: orgIds }, domainType: domains.DomainType.ORGANIZATION_DOMAIN }, orderBy: { id: "asc" },
    });
    for (const r of rows) {
      if (!r.organizationId || out.get(r.id)!.length) continue;
      out.set(r.id, orgDomains.filter((d) => d.organizationId === r.organizationId));
    }
  }
  return out;
}

export async function organizationNames(db: Db | Tx, rows: ConnectionRow[]): Promise<Map<string, string>> {
  const ids = [...new Set(rows.map((r) => r.organizationId).filter((x): x is string => !!x))];
  if (!ids.length) return new Map();
  const orgs = await db.organization.findMany({ where: { id: { in: ids } }, select: { id: true, displayName: true } });
  return new Map(orgs.map((o) => [o.id, o.displayName]));
}

export type ConnectionEventType = "organization.sso_created" | "organization.sso_enabled" | "organization.sso_disabled" | "organization.sso_deleted";

/** Only organization connections have organization.sso_* events; environment connections have none in the contract. */
export async function emitConnectionEvent(outbox: Outbox, tx: Tx, type: ConnectionEventType, row: ConnectionRow) {
  if (!row.organizationId) return;
  const toggled = type === "organization.sso_enabled" || type === "organization.sso_disabled";
  await outbox.emit(tx, { type, object: "Connection", organizationId: row.organizationId, data: connectionEventData(row, toggled) });
}
