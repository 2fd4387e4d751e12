// DomainService: an organization's domains (SSO discovery and allowed email domains), over gRPC and REST.
// Domains are added by the environment's API client, which acts as the administrator, so they are verified by
// that act (ADMIN) rather than by a DNS record this server could not check without reaching the internet.
import type { Prisma } from "../../generated/prisma/client.js";
import { inTransaction, type Tx } from "../../db/tx.js";
import type { Db } from "../../db/client.js";
import { uniqueViolation } from "../../db/unique.js";
import { alreadyExists, invalidArgument, notFound } from "../../protocol/errors.js";
import { newId } from "../../protocol/ids.js";
import { domains } from "../../protocol/descriptors.js";
import { implementChecked } from "../../protocol/descriptor-rules.js";
import type { ServiceDeps } from "../deps.js";
import { domainMessage } from "./mapping.js";
import { findDomain, organizationIdOf } from "./store.js";
import { checkClaimableDomain, domainPage, domainTypeOf } from "./validation.js";

const VERIFIED = new Set([domains.VerificationStatus.VERIFIED, domains.VerificationStatus.AUTO_VERIFIED]);


export function domainService({ db, environmentId }: ServiceDeps) {
  const message = (row: Parameters<typeof domainMessage>[0]) => domainMessage(row, environmentId);

  /** A connection of the organization that a domain request scopes itself to, or 404. */
  async function checkConnection(tx: Db | Tx, organizationId: string, connectionId: string | undefined) {
    if (connectionId === undefined || connectionId === "") return undefined;
    const conn = await tx.connection.findFirst({ where: { id: connectionId, organizationId }, select: { id: true } });
    if (!conn) throw notFound("connection", connectionId);
    return conn.id;
  }

  return implementChecked(domains.DomainService, {
    async createDomain(req) {
      if (!req.domain) throw invalidArgument("domain", "is required");
      const name = checkClaimableDomain(req.domain.domain, "domain.domain");
      const domainType = domainTypeOf(req.domain.domainType, "domain.domain_type");
      try {
        const row = await inTransaction(db, async (tx) => {
          const organizationId = await organizationIdOf(tx, req.identities, true);
          const connectionId = await checkConnection(tx, organizationId, req.connectionId);
          const created = await tx.domain.create({
            data: {
              id: newId("dom"), organizationId, domain: name, domainType,
              verificationStatus: domains.VerificationStatus.VERIFIED, verificationMethod: domains.VerificationMethod.ADMIN,
            },
          });
          if (connectionId) await tx.connectionDomain.create({ data: { connectionId, domainId: created.id } });
          return created;
        });
        return { domain: message(row) };
      } catch (e) {
        if (uniqueViolation(e)) throw alreadyExists(`domain ${name} already exists`, name);
        throw e;
      }
    },

    async getDomain(req) {
      const organizationId = await organizationIdOf(db, req.identities);
      return { domain: message(await findDomain(db, organizationId, req.id)) };
    },

    async updateDomain(req) {
      // UpdateDomain carries no changeable field in this contract: the answer is the domain as it is
      const organizationId = await organizationIdOf(db, req.identities);
      await checkConnection(db, organizationId, req.connectionId);
      return { domain: message(await findDomain(db, organizationId, req.id)) };
    },

    async verifyDomain(req) {
      const organizationId = await organizationIdOf(db, req.identities);
      const row = await findDomain(db, organizationId, req.id);
      return { verified: VERIFIED.has(row.verificationStatus) };
    },

    async deleteDomain(req) {
      await inTransaction(db, async (tx) => {
        const organizationId = await organizationIdOf(tx, req.identities);
        const row = await findDomain(tx, organizationId, req.id);
        const connectionId = await checkConnection(tx, organizationId, req.connectionId);
        if (connectionId && !(await tx.connectionDomain.findUnique({ where: { connectionId_domainId: { connectionId, domainId: row.id } } })))
          throw notFound(`domain of connection ${connectionId}`, row.id);
        // its assignments to connections go with it (foreign key ON DELETE CASCADE)
        await tx.domain.delete({ where: { id: row.id } });
      });
      return {};
    },

    async listDomains(req) {
      const page = domainPage(req.pageSize, req.pageNumber);
      const organizationId = await organizationIdOf(db, req.identities);
      const connectionId = await checkConnection(db, organizationId, req.connectionId);
      const where: Prisma.DomainWhereInput = { organizationId };
      if (req.domainType !== domains.DomainType.DOMAIN_TYPE_UNSPECIFIED) where.domainType = domainTypeOf(req.domainType, "domain_type");
      if (connectionId) where.connections = { some: { connectionId } };
      const rows = await db.domain.findMany({ where, orderBy: { id: "asc" }, skip: page.number * page.size, take: page.size });
      return { domains: rows.map(message), pageNumber: page.number, pageSize: page.size };
    },
  });
}
