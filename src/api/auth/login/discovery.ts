// Home realm discovery: which enabled SSO connection serves an organization, a connection id or an email domain.
// Domains match exactly (a.b.com is not b.com), and only verified organization domains route.
import type { Connection } from "../../../generated/prisma/client.js";
import { connections, domains } from "../../../protocol/descriptors.js";
import type { ServiceDeps } from "../../deps.js";

const SSO_TYPES = [connections.ConnectionType.OIDC, connections.ConnectionType.SAML];
const ROUTABLE = [domains.VerificationStatus.VERIFIED, domains.VerificationStatus.AUTO_VERIFIED];

/** The organization's first enabled SSO connection (oldest first), if any. */
export async function ssoConnectionOfOrganization(deps: ServiceDeps, organizationId: string): Promise<Connection | undefined> {
  return (await deps.db.connection.findFirst({
    where: { organizationId, enabled: true, type: { in: SSO_TYPES } }, orderBy: { id: "asc" },
  })) ?? undefined;
}

export const domainOf = (email: string) => email.slice(email.lastIndexOf("@") + 1).toLowerCase();

/** The organization a domain belongs to (verified organization domain), if any. */
export async function organizationOfDomain(deps: ServiceDeps, domain: string): Promise<string | undefined> {
  const row = await deps.db.domain.findFirst({
    where: { domain: domain.toLowerCase(), domainType: domains.DomainType.ORGANIZATION_DOMAIN, verificationStatus: { in: ROUTABLE } },
    select: { organizationId: true },
  });
  return row?.organizationId;
}

/** HRD for an email or a domain: the SSO connection to send the browser to, or undefined (passwordless). */
export async function discoverConnection(deps: ServiceDeps, domain: string, onlyOrganization?: string | null): Promise<Connection | undefined> {
  const orgId = await organizationOfDomain(deps, domain);
  if (!orgId || (onlyOrganization && orgId !== onlyOrganization)) return undefined;
  return ssoConnectionOfOrganization(deps, orgId);
}
