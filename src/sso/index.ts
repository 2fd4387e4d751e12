// The adapter registry: the login flow asks it which adapter serves a connection, so adding a kind of identity
// provider (SAML, OIDC) is adding it to ssoAdapters, and the flow never changes.
import type { Connection } from "../generated/prisma/client.js";
import type { SsoAdapter, SsoConnection } from "./adapter.js";
import { simulatorAdapter } from "./simulator/adapter.js";
import { samlAdapter } from "./saml/adapter.js";
import { oidcAdapter } from "./oidc/adapter.js";
import type { ServiceDeps } from "../api/deps.js";
import type { KeyStore } from "../auth/keys.js";
import { connections } from "../protocol/descriptors.js";

export interface SsoDeps { services: ServiceDeps; keys: KeyStore }

/** Order matters only when two adapters would take the same connection: the first wins. */
export function ssoAdapters(deps: SsoDeps): SsoAdapter[] {
  const { db, config } = deps.services;
  return [simulatorAdapter(deps), samlAdapter({ db, environmentUrl: config.environmentUrl }), oidcAdapter({ db })];
}

export class SsoRegistry {
  constructor(private readonly adapters: SsoAdapter[]) {}

  pick(connection: SsoConnection): SsoAdapter | undefined {
    return this.adapters.find((a) => a.handles(connection));
  }
}

export function ssoConnection(row: Connection): SsoConnection {
  return {
    id: row.id, organizationId: row.organizationId, provider: row.provider, type: row.type, settingsCase: row.settingsCase,
    settings: (row.settings ?? null) as Record<string, unknown> | null, attributeMapping: (row.attributeMapping ?? {}) as Record<string, string>,
  };
}

/** The callback/ACS path segment of a connection: /sso/v1/{kind}/{connection_id}/callback */
export function callbackKind(c: SsoConnection): "saml" | "oidc" | "oauth" {
  return c.type === connections.ConnectionType.SAML ? "saml" : c.type === connections.ConnectionType.OAUTH ? "oauth" : "oidc";
}

export function callbackUrl(environmentUrl: string, c: SsoConnection): string {
  return `${environmentUrl}/sso/v1/${callbackKind(c)}/${c.id}/callback`;
}
