// Create, read, update, delete, list and search organizations.
import type { FieldMask } from "@bufbuild/protobuf/wkt";
import type { Organization as OrganizationRow, Prisma } from "../../generated/prisma/client.js";
import type { Db } from "../../db/client.js";
import { inTransaction } from "../../db/tx.js";
import { invalidArgument } from "../../protocol/errors.js";
import { newId } from "../../protocol/ids.js";
import { commons, organizations } from "../../protocol/descriptors.js";
import type { ServiceImplementation } from "../../protocol/rpc.js";
import type { ServiceDeps } from "../deps.js";
import { metadataOf, organizationMessage } from "./mapping.js";
import { keysetPage, prismaKeyset, type IdRange, type KeysetSource } from "../../db/keyset-page.js";
import { empty, join, raw, sql as q, type Sql } from "../../db/sql.js";
import { newestFirst } from "../../db/keyset-newest-first.js";
import { emitOrganizationEvent, keyOf, lockOrganization, ORGANIZATION_COLUMNS, readOrganization, uniqueConflict } from "./store.js";
import { deleteAccountsOf } from "../connected-accounts/store.js";
import {
  checkDisplayName, checkExternalId, checkLogoUrl, checkMetadata, checkSearchQuery, checkSlug, listPageSize, searchPageSize,
} from "./validation.js";

type Methods = ServiceImplementation<typeof organizations.OrganizationService>["methods"];
type Row = OrganizationRow;

const UPDATABLE = ["display_name", "external_id", "metadata", "slug", "logo_url"] as const;
type Updatable = (typeof UPDATABLE)[number];

/**
 * Which fields an update touches. The SDK never sends update_mask, so proto3 presence decides (a map cannot
 * be "absent", so an empty metadata map means "unchanged"); a REST or gRPC caller that does send a mask gets
 * exactly the masked fields, which is also the only way to clear all metadata.
 */
function touchedFields(patch: organizations.UpdateOrganization, mask: FieldMask | undefined): Set<Updatable> {
  if (mask?.paths.length) {
    const out = new Set<Updatable>();
    for (const raw of mask.paths) {
      const p = raw.replace(/^organization\./, "").replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      if (!(UPDATABLE as readonly string[]).includes(p)) throw invalidArgument("update_mask", `"${raw}" is not an updatable field (${UPDATABLE.join(", ")})`);
      out.add(p as Updatable);
    }
    return out;
  }
  const out = new Set<Updatable>();
  if (patch.displayName !== undefined) out.add("display_name");
  if (patch.externalId !== undefined) out.add("external_id");
  if (Object.keys(patch.metadata).length) out.add("metadata");
  if (patch.slug !== undefined) out.add("slug");
  if (patch.logoUrl !== undefined) out.add("logo_url");
  return out;
}

/** Validated target values; null clears an optional field. */
function desiredValues(patch: organizations.UpdateOrganization, fields: Set<Updatable>) {
  return {
    displayName: fields.has("display_name") ? checkDisplayName(patch.displayName ?? "") : undefined,
    externalId: fields.has("external_id") ? (patch.externalId ? checkExternalId(patch.externalId) : null) : undefined,
    metadata: fields.has("metadata") ? checkMetadata(patch.metadata) : undefined,
    slug: fields.has("slug") ? (patch.slug ? checkSlug(patch.slug, true) : null) : undefined,
    logoUrl: fields.has("logo_url") ? (patch.logoUrl ? checkLogoUrl(patch.logoUrl) : null) : undefined,
  };
}

const sameMap = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

function changes(row: Row, want: ReturnType<typeof desiredValues>): Prisma.OrganizationUpdateInput {
  const data: Prisma.OrganizationUpdateInput = {};
  if (want.displayName !== undefined && want.displayName !== row.displayName) data.displayName = want.displayName;
  if (want.externalId !== undefined && want.externalId !== row.externalId) data.externalId = want.externalId;
  if (want.metadata !== undefined && !sameMap(want.metadata, metadataOf(row))) data.metadata = want.metadata;
  if (want.slug !== undefined && want.slug !== row.slug) data.slug = want.slug;
  if (want.logoUrl !== undefined && want.logoUrl !== row.logoUrl) data.logoUrl = want.logoUrl;
  return data;
}

function organizationsWhere(db: Db, where: Prisma.OrganizationWhereInput): KeysetSource<Row> {
  return prismaKeyset(db.organization, where);
}

function regionOf(code: commons.RegionCode): commons.RegionCode {
  if (code === commons.RegionCode.REGION_CODE_UNSPECIFIED) return commons.RegionCode.US;
  if (code !== commons.RegionCode.US && code !== commons.RegionCode.EU) throw invalidArgument("region_code", "must be US or EU");
  return code;
}

/** Organizations in id order through direct queries; `externalId` narrows to at most one. */
function organizationsBySql(sql: ServiceDeps["sql"], externalId: string | undefined): KeysetSource<Row> {
  const filter = externalId ? [q`external_id = ${externalId}`] : [];
  const where = (conditions: Sql[]) => (conditions.length ? q`WHERE ${join(conditions, " AND ")}` : empty);
  return {
    count: async () => Number((await sql<{ n: number }>(q`SELECT count(*)::int AS n FROM organizations ${where(filter)}`))[0].n),
    rows: (range: IdRange, order, take) => {
      const conditions = [...filter];
      if (range.gt) conditions.push(q`id > ${range.gt}`);
      if (range.lt) conditions.push(q`id < ${range.lt}`);
      return sql<Row>(q`SELECT ${ORGANIZATION_COLUMNS} FROM organizations ${where(conditions)}
        ORDER BY id ${order === "asc" ? raw("ASC") : raw("DESC")} LIMIT ${take}`);
    },
  };
}

export function organizationCrud({ db, sql, outbox }: ServiceDeps): Methods {
  return {
    async createOrganization(req) {
      const o = req.organization;
      if (!o) throw invalidArgument("organization", "is required");
      const values = {
        id: newId("org"),
        displayName: checkDisplayName(o.displayName),
        externalId: o.externalId ? checkExternalId(o.externalId) : null,
        metadata: checkMetadata(o.metadata),
        regionCode: regionOf(o.regionCode),
        slug: o.slug ? checkSlug(o.slug, false) : null,
        logoUrl: o.logoUrl ? checkLogoUrl(o.logoUrl) : null,
      };
      try {
        const row = await inTransaction(db, async (tx) => {
          const created = await tx.organization.create({ data: values });
          await emitOrganizationEvent(outbox, tx, "organization.created", created);
          return created;
        });
        return { organization: organizationMessage(row) };
      } catch (e) {
        throw uniqueConflict(e, values);
      }
    },

    async getOrganization(req) {
      return { organization: organizationMessage(await readOrganization(sql, keyOf(req.identities))) };
    },

    async getOrganizationByExternalId(req) {
      return { organization: organizationMessage(await readOrganization(sql, keyOf(req.identities))) };
    },

    async updateOrganization(req) {
      const key = keyOf(req.identities);
      if (!req.organization) throw invalidArgument("organization", "is required");
      const want = desiredValues(req.organization, touchedFields(req.organization, req.updateMask));
      try {
        const row = await inTransaction(db, async (tx) => {
          const current = await lockOrganization(tx, key);
          const data = changes(current, want);
          if (!Object.keys(data).length) return current; // nothing changed: no new update_time, no event
          const updated = await tx.organization.update({ where: { id: current.id }, data: { ...data, updateTime: new Date() } });
          await emitOrganizationEvent(outbox, tx, "organization.updated", updated);
          return updated;
        });
        return { organization: organizationMessage(row) };
      } catch (e) {
        throw uniqueConflict(e, { externalId: want.externalId, slug: want.slug });
      }
    },

    async deleteOrganization(req) {
      const key = keyOf(req.identities);
      await inTransaction(db, async (tx) => {
        const row = await lockOrganization(tx, key);
        await deleteAccountsOf(tx, outbox, { organizationId: row.id });
        await tx.organization.delete({ where: { id: row.id } });
        await emitOrganizationEvent(outbox, tx, "organization.deleted", row, { deleted_at: new Date().toISOString() });
      });
      return {};
    },

    async listOrganization(req) {
      // newest first, as the cloud lists them (search keeps id order: it ranks nothing)
      const page = await keysetPage(newestFirst(organizationsBySql(sql, req.externalId || undefined)), listPageSize(req.pageSize), req.pageToken);
      return {
        organizations: page.items.map(organizationMessage), totalSize: page.totalSize,
        nextPageToken: page.nextPageToken, prevPageToken: page.prevPageToken,
      };
    },

    async searchOrganization(req) {
      const q = checkSearchQuery(req.query);
      const size = searchPageSize(req.pageSize);
      // Prisma passes `contains` to LIKE verbatim, so the user's % and _ must be escaped to mean themselves
      const like = { contains: q.replace(/[\\%_]/g, (c) => `\\${c}`), mode: "insensitive" as const };
      const where: Prisma.OrganizationWhereInput = { OR: [{ displayName: like }, { externalId: like }, { id: like }] };
      const page = await keysetPage(organizationsWhere(db, where), size, req.pageToken);
      return {
        organizations: page.items.map(organizationMessage), totalSize: page.totalSize,
        nextPageToken: page.nextPageToken, prevPageToken: page.prevPageToken,
      };
    },
  };
}
