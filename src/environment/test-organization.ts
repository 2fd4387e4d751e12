// The Test Organization a Scalekit development environment comes with: verified domains example.com and
// example.org and an enabled SSO connection to the IdP simulator (src/sso/simulator), so that a login can be
// tested end to end without any identity provider.
import { connections, domains } from "../protocol/descriptors.js";
import { newId } from "../protocol/ids.js";
import type { Db } from "../db/client.js";
import type { FreshEnvironmentStep } from "./fresh.js";

export const TEST_ORGANIZATION_NAME = "Test Organization";
export const TEST_ORGANIZATION_DOMAINS = ["example.com", "example.org"];

export const testOrganizationStep: FreshEnvironmentStep = {
  name: "Test Organization",
  async run(tx, deps) {
    const orgId = newId("org");
    const connectionId = newId("conn");
    const now = new Date();
    await tx.organization.create({ data: { id: orgId, displayName: TEST_ORGANIZATION_NAME, createTime: now, updateTime: now } });
    await tx.connection.create({
      data: {
        id: connectionId, organizationId: orgId, keyId: connectionId,
        provider: connections.ConnectionProvider.IDP_SIMULATOR, providerKey: "idp_simulator",
        type: connections.ConnectionType.OIDC, status: connections.ConnectionStatus.COMPLETED, enabled: true,
        configurationType: connections.ConfigurationType.MANUAL, isLogin: true, uiButtonTitle: "IdP Simulator",
        // what the simulator is, in the connection's own terms: an OIDC provider served by this server
        settingsCase: "oidcConfig",
        settings: {
          issuer: `${deps.config.environmentUrl}/sso/v1/simulator`, client_id: "idp_simulator",
          scopes: ["openid", "profile", "email"], token_auth_type: "URL_PARAMS", pkce_enabled: false,
        },
        createTime: now, updateTime: now,
      },
    });
    for (const domain of TEST_ORGANIZATION_DOMAINS) {
      const domainId = newId("dom");
      await tx.domain.create({
        data: {
          id: domainId, organizationId: orgId, domain, domainType: domains.DomainType.ORGANIZATION_DOMAIN,
          verificationStatus: domains.VerificationStatus.VERIFIED, verificationMethod: domains.VerificationMethod.ADMIN,
          createTime: now, updateTime: now,
        },
      });
      await tx.connectionDomain.create({ data: { connectionId, domainId } });
    }
  },
};

/**
 * The seeded Test Organization's id (for the banner), or undefined once it was deleted: the oldest organization of
 * that name with an IdP-simulator connection. Nothing is kept elsewhere, so a reset (which seeds it anew) and
 * server settings never disagree.
 */
export async function testOrganizationId(db: Db): Promise<string | undefined> {
  const row = await db.organization.findFirst({
    where: { displayName: TEST_ORGANIZATION_NAME, connections: { some: { provider: connections.ConnectionProvider.IDP_SIMULATOR } } },
    orderBy: { id: "asc" }, select: { id: true },
  });
  return row?.id;
}
