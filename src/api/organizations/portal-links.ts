// Admin-portal links: single use, valid for one minute. The URL carries a random token besides the link id,
// because time-ordered ids can be guessed and the link grants access to the organization's setup.
import { randomBytes } from "node:crypto";
import { organizations } from "../../protocol/descriptors.js";
import { invalidArgument, notFound } from "../../protocol/errors.js";
import { newId } from "../../protocol/ids.js";
import type { ServiceImplementation } from "../../protocol/rpc.js";
import type { ServiceDeps } from "../deps.js";
import { linkMessage } from "./mapping.js";
import { findOrganization } from "./store.js";
import { requirePrefixedId } from "./validation.js";

type Methods = ServiceImplementation<typeof organizations.OrganizationService>["methods"];

export const PORTAL_LINK_TTL_MS = 60_000;

const { Feature } = organizations;

function requestedFeatures(req: organizations.GeneratePortalLinkRequest): number[] {
  const out = new Set<number>();
  for (const f of req.features) {
    if (f === Feature.UNSPECIFIED) continue;
    if (f !== Feature.sso && f !== Feature.dir_sync) throw invalidArgument("features", `unknown feature ${f}; use sso or dir_sync`);
    out.add(f);
  }
  // the older boolean switches mean the same as the features list
  if (req.sso) out.add(Feature.sso);
  if (req.directorySync) out.add(Feature.dir_sync);
  return [...out].sort((a, b) => a - b);
}

export function portalLinks({ db, config }: ServiceDeps): Methods {
  return {
    async generatePortalLink(req) {
      const organizationId = requirePrefixedId("id", req.id, "org_");
      const features = requestedFeatures(req);
      const id = newId("lnk");
      const token = randomBytes(24).toString("base64url");
      try {
        const row = await db.portalLink.create({
          data: {
            id, organizationId, token, features,
            location: `${config.environmentUrl}/portal/${id}?token=${token}`,
            expireTime: new Date(Date.now() + PORTAL_LINK_TTL_MS),
          },
        });
        return { link: linkMessage(row) };
      } catch (e) {
        // the foreign key is the existence check, so a concurrent delete cannot leave an orphan link
        if ((e as { code?: unknown })?.code === "P2003") throw notFound("organization", organizationId);
        throw e;
      }
    },

    async getPortalLinks(req) {
      const organizationId = requirePrefixedId("id", req.id, "org_");
      await findOrganization(db, { id: organizationId });
      const rows = await db.portalLink.findMany({
        where: { organizationId, usedAt: null, expireTime: { gt: new Date() } },
        orderBy: { id: "asc" },
      });
      return { links: rows.map(linkMessage) };
    },

    async deletePortalLink(req) {
      const organizationId = requirePrefixedId("id", req.id, "org_");
      await findOrganization(db, { id: organizationId });
      await db.portalLink.deleteMany({ where: { organizationId } });
      return {};
    },

    async deletePortalLinkByID(req) {
      const organizationId = requirePrefixedId("id", req.id, "org_");
      const linkId = requirePrefixedId("link_id", req.linkId, "lnk_");
      const { count } = await db.portalLink.deleteMany({ where: { id: linkId, organizationId } });
      if (!count) {
        await findOrganization(db, { id: organizationId });
        throw notFound("portal link", linkId);
      }
      return {};
    },
  };
}
