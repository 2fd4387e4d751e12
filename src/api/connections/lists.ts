// Listing connections: by organization and/or email domain (the SSO discovery lookup), the environment's
// organization connections (paged, searchable) and its app connections (connectors of connected accounts).
import type { Connection as ConnectionRow, Prisma } from "../../generated/prisma/client.js";
import type { Db } from "../../db/client.js";
import { keysetPage, prismaKeyset, type KeysetSource } from "../../db/keyset-page.js";
import { connections, domains } from "../../protocol/descriptors.js";
import { invalidArgument } from "../../protocol/errors.js";
import { clampedPageSize, type PageBounds } from "../../protocol/page-size.js";
import { normaliseDomain } from "../domains/validation.js";
import { listConnectionMessage } from "./mapping.js";
import { domainsOf, organizationNames } from "./store.js";

/** page_size is at most 30 by the descriptors' rule (enforced before this); the default is 10. */
const PAGE: PageBounds = { min: 1, max: 30, default: 10 };

function source(db: Db, where: Prisma.ConnectionWhereInput): KeysetSource<ConnectionRow> {
  return prismaKeyset(db.connection, where);
}

async function listEntries(db: Db, rows: ConnectionRow[]) {
  const [names, doms] = await Promise.all([organizationNames(db, rows), domainsOf(db, rows)]);
  return rows.map((r) => listConnectionMessage(r, r.organizationId ? names.get(r.organizationId) ?? "" : "", (doms.get(r.id) ?? []).map((d) => d.domain)));
}

/** A provider filter: the provider's enum name (OKTA, okta) or a provider key (notion). */
function providerFilter(provider: string): Prisma.ConnectionWhereInput {
  const byName = connections.ConnectionProvider[provider.toUpperCase() as keyof typeof connections.ConnectionProvider];
  const byKey: Prisma.ConnectionWhereInput = { providerKey: { equals: provider, mode: "insensitive" } };
  return typeof byName === "number" ? { OR: [{ provider: byName }, byKey] } : byKey;
}

function textFilter(query: string): Prisma.ConnectionWhereInput {
  const like = { contains: query.replace(/[\\%_]/g, (c) => `\\${c}`), mode: "insensitive" as const };
  return { OR: [{ id: like }, { keyId: like }, { providerKey: like }] };
}

export function connectionLists(db: Db) {
  return {
    /**
     * Without include=all only active connections (enabled and COMPLETED). A domain (or an email address) matches
     * the connections it is assigned to, and the connections without assigned domains of the organization that
     * owns it as an ORGANIZATION_DOMAIN (the SSO discovery domain).
     */
    async list(req: connections.ListConnectionsRequest) {
      const include = req.include?.trim().toLowerCase() ?? "";
      if (include !== "" && include !== "all") throw invalidArgument("include", `must be "all" or empty, got "${req.include}"`);
      const where: Prisma.ConnectionWhereInput[] = [];
      if (req.organizationId) where.push({ organizationId: req.organizationId });
      if (include !== "all") where.push({ enabled: true, status: connections.ConnectionStatus.COMPLETED });
      if (req.domain !== undefined) {
        const raw = req.domain.includes("@") ? req.domain.slice(req.domain.lastIndexOf("@") + 1) : req.domain;
        const domain = normaliseDomain(raw, "domain");
        const owner = await db.domain.findFirst({ where: { domain, domainType: domains.DomainType.ORGANIZATION_DOMAIN }, select: { organizationId: true } });
        where.push({
          OR: [
            { domains: { some: { domain: { domain } } } },
            ...(owner ? [{ organizationId: owner.organizationId, domains: { none: {} } }] : []),
          ],
        });
      }
      const rows = await db.connection.findMany({ where: { AND: where }, orderBy: { id: "asc" } });
      return { connections: await listEntries(db, rows) };
    },

    async listOrganizationConnections(req: connections.ListOrganizationConnectionsRequest) {
      const page = await keysetPage(source(db, { organizationId: { not: null } }), clampedPageSize(req.pageSize, PAGE), req.pageToken);
      return { connections: await listEntries(db, page.items), totalSize: page.totalSize, nextPageToken: page.nextPageToken, prevPageToken: page.prevPageToken };
    },

    async searchOrganizationConnections(req: connections.SearchOrganizationConnectionsRequest) {
      const where: Prisma.ConnectionWhereInput[] = [{ organizationId: { not: null } }];
      if (req.query?.trim()) where.push(textFilter(req.query.trim()));
      if (req.provider?.trim()) where.push(providerFilter(req.provider.trim()));
      if (req.status) where.push({ status: req.status });
      if (req.connectionType) where.push({ type: req.connectionType });
      if (req.enabled !== undefined) where.push({ enabled: req.enabled });
      const page = await keysetPage(source(db, { AND: where }), clampedPageSize(req.pageSize, PAGE), req.pageToken);
      return { connections: await listEntries(db, page.items), totalSize: page.totalSize, nextPageToken: page.nextPageToken, prevPageToken: page.prevPageToken };
    },

    /** App connections: the environment's connectors (created with flags.is_app), filtered by provider and text. */
    async listAppConnections(req: connections.ListAppConnectionsRequest) {
      const where: Prisma.ConnectionWhereInput[] = [{ isApp: true }];
      if (req.provider) where.push(providerFilter(req.provider));
      if (req.query) where.push(textFilter(req.query));
      const page = await keysetPage(source(db, { AND: where }), clampedPageSize(req.pageSize, PAGE), req.pageToken);
      return { connections: await listEntries(db, page.items), totalSize: page.totalSize, nextPageToken: page.nextPageToken, prevPageToken: page.prevPageToken };
    },
  };
}
