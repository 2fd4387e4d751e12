// Finding, locking and changing organizations, and the event each change writes in the same transaction.
import type { ConnectError } from "@connectrpc/connect";
import type { Organization as OrganizationRow } from "../../generated/prisma/client.js";
import type { Database, Db } from "../../db/client.js";
import type { Tx } from "../../db/tx.js";
import { raw, sql as q } from "../../db/sql.js";
import { uniqueViolation } from "../../db/unique.js";
import type { Outbox } from "../../events/outbox.js";
import { alreadyExists, invalidArgument, notFound } from "../../protocol/errors.js";
import { organizationJson } from "./mapping.js";
import { checkExternalId } from "./validation.js";

export type OrganizationKey = { id: string } | { externalId: string };

/** The `identities` oneof of Get/Update/DeleteOrganization: id (≤32) or external_id (non-empty). */
export function keyOf(identities: { case: "id" | "externalId"; value: string } | { case: undefined; value?: undefined }): OrganizationKey {
  switch (identities.case) {
    case "id":
      if (!identities.value) throw invalidArgument("id", "is required");
      if (identities.value.length > 32) throw invalidArgument("id", "must be at most 32 characters");
      return { id: identities.value };
    case "externalId":
      if (!identities.value) throw invalidArgument("external_id", "is required");
      return { externalId: checkExternalId(identities.value) };
    default:
      throw invalidArgument("id", "id or external_id is required");
  }
}

function missing(key: OrganizationKey): ConnectError {
  return "id" in key ? notFound("organization", key.id) : notFound("organization with external_id", key.externalId);
}

/** The organization row as Prisma shapes it, read with one direct query (the hot path of Get and List). */
export const ORGANIZATION_COLUMNS = raw(`id, display_name AS "displayName", external_id AS "externalId", metadata,
  region_code AS "regionCode", slug, logo_url AS "logoUrl", features, user_management AS "userManagement",
  session_policy AS "sessionPolicy", create_time AT TIME ZONE 'UTC' AS "createTime", update_time AT TIME ZONE 'UTC' AS "updateTime"`);

export async function readOrganization(sql: Database["sql"], key: OrganizationKey): Promise<OrganizationRow> {
  const [row] = "id" in key
    ? await sql<OrganizationRow>(q`SELECT ${ORGANIZATION_COLUMNS} FROM organizations WHERE id = ${key.id}`)
    : await sql<OrganizationRow>(q`SELECT ${ORGANIZATION_COLUMNS} FROM organizations WHERE external_id = ${key.externalId}`);
  if (!row) throw missing(key);
  return row;
}

export async function findOrganization(db: Db | Tx, key: OrganizationKey): Promise<OrganizationRow> {
  const row = await db.organization.findUnique({ where: "id" in key ? { id: key.id } : { externalId: key.externalId } });
  if (!row) throw missing(key);
  return row;
}

/**
 * Reads the organization with a row lock held until the transaction ends, so read-modify-write changes (feature
 * merges, patches) of concurrent requests apply one after the other instead of overwriting each other.
 */
export async function lockOrganization(tx: Tx, key: OrganizationKey): Promise<OrganizationRow> {
  const locked = "id" in key
    ? await tx.$queryRaw<{ id: string }[]>`SELECT id FROM organizations WHERE id = ${key.id} FOR UPDATE`
    : await tx.$queryRaw<{ id: string }[]>`SELECT id FROM organizations WHERE external_id = ${key.externalId} FOR UPDATE`;
  if (!locked.length) throw missing(key);
  return tx.organization.findUniqueOrThrow({ where: { id: locked[0].id } });
}

/**
 * A unique-index violation on external_id or slug as a clear 409. The database decides, so the answer holds
 * under concurrent writers; anything else is rethrown for the generic mapping.
 */
export function uniqueConflict(e: unknown, values: { externalId?: string | null; slug?: string | null }): unknown {
  const unique = uniqueViolation(e);
  if (!unique) return e;
  const violated = (column: string) => unique.on(column, `organizations_${column}_key`);
  if (violated("slug") && values.slug) return alreadyExists(`organization with slug ${values.slug} already exists`, values.slug);
  if (violated("external_id") && values.externalId) return alreadyExists(`organization with external_id ${values.externalId} already exists`, values.externalId);
  return e;
}

export type OrganizationEventType = "organization.created" | "organization.updated" | "organization.deleted";

export function emitOrganizationEvent(outbox: Outbox, tx: Tx, type: OrganizationEventType, row: OrganizationRow, extra: Record<string, unknown> = {}) {
  return outbox.emit(tx, { type, object: "Organization", organizationId: row.id, data: { ...organizationJson(row), ...extra } });
}
