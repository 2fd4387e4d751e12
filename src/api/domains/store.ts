// Resolving the organization a domain request names (id or external id) and the domain inside it.
import type { Domain as DomainRow } from "../../generated/prisma/client.js";
import type { Db } from "../../db/client.js";
import type { Tx } from "../../db/tx.js";
import { empty, sql } from "../../db/sql.js";
import { invalidArgument, notFound } from "../../protocol/errors.js";

export type OrganizationIdentities =
  | { case: "organizationId" | "externalId"; value: string }
  | { case: undefined; value?: undefined };

/** The organization's id, or 404; `lock` holds its row until the transaction ends (writes that add children). */
export async function organizationIdOf(db: Db | Tx, identities: OrganizationIdentities, lock = false): Promise<string> {
  if (!identities.case || !identities.value) throw invalidArgument("organization_id", "organization_id or external_id is required");
  const match = identities.case === "organizationId" ? sql`id = ${identities.value}` : sql`external_id = ${identities.value}`;
  const rows = await db.$queryRaw<{ id: string }[]>(sql`SELECT id FROM organizations WHERE ${match} ${lock ? sql`FOR SHARE` : empty}`);
  if (!rows.length) throw notFound(identities.case === "organizationId" ? "organization" : "organization with external_id", identities.value);
  return rows[0].id;
}

export async function findDomain(db: Db | Tx, organizationId: string, id: string): Promise<DomainRow> {
  if (!id) throw invalidArgument("id", "is required");
  const row = await db.domain.findFirst({ where: { id, organizationId } });
  if (!row) throw notFound("domain", id);
  return row;
}
