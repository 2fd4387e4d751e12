// Rows <-> messages of organization M2M clients. Secrets are shown by id, suffix and times only: the plain value
// exists in a create response and nowhere else.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ApiClient, ClientSecret } from "../../generated/prisma/client.js";
import { clients } from "../../protocol/descriptors.js";
import { settingsOf, type LoginClientRow } from "./login-clients.js";

export type ClientWithSecrets = ApiClient & { secrets: ClientSecret[] };

export function claimsOf(v: unknown): Record<string, string> {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, string>) : {};
}

export function secretMessage(s: ClientSecret): clients.ClientSecret {
  return create(clients.ClientSecretSchema, {
    id: s.id,
    createTime: timestampFromDate(s.createdAt),
    // secrets are immutable: the only change is deletion
    updateTime: timestampFromDate(s.createdAt),
    secretSuffix: s.secretSuffix,
    createdBy: s.createdBy ?? undefined,
    status: clients.ClientSecretStatus.ACTIVE,
    lastUsedTime: s.lastUsedAt ? timestampFromDate(s.lastUsedAt) : undefined,
  });
}

export function clientMessage(c: ClientWithSecrets): clients.M2MClient {
  return create(clients.M2MClientSchema, {
    clientId: c.id,
    secrets: [...c.secrets].sort((a, b) => (a.id < b.id ? -1 : 1)).map(secretMessage),
    name: c.name,
    description: c.description,
    organizationId: c.organizationId ?? "",
    createTime: timestampFromDate(c.createdAt),
    updateTime: timestampFromDate(c.updatedAt),
    scopes: c.scopes,
    audience: c.audience,
    customClaims: Object.entries(claimsOf(c.customClaims)).map(([key, value]) => ({ key, value })),
    expiry: BigInt(c.expirySeconds),
  });
}

/** An environment-level client (kind "environment") with its login settings, as scalekit.v1.clients.Client. */
export function environmentClientMessage(c: LoginClientRow, plainSecret?: { id: string; plain: string }): clients.Client {
  const s = settingsOf(c);
  return create(clients.ClientSchema, {
    id: c.id,
    keyId: c.id,
    createTime: timestampFromDate(c.createdAt),
    updateTime: timestampFromDate(latest(c.updatedAt, c.loginSettings?.updatedAt)),
    secrets: [...c.secrets].sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((x) => ({ ...secretMessage(x), ...(plainSecret?.id === x.id ? { plainSecret: plainSecret.plain } : {}) })),
    postLogoutRedirectUris: s.postLogoutRedirectUris,
    backChannelLogoutUris: s.backChannelLogoutUris,
    initiateLoginUri: s.initiateLoginUri ?? "",
    postLoginUris: s.postLoginUris,
    name: c.name,
    accessTokenExpiry: BigInt(s.accessTokenExpiry),
    scopes: c.scopes,
    customClaims: Object.entries(claimsOf(c.customClaims)).map(([key, value]) => ({ key, value })),
    disallowScalekitApiAccess: s.disallowApiAccess,
    grantTypes: s.grantTypes,
    clientType: s.clientType,
    enforcePkce: s.enforcePkce,
  });
}

const latest = (a: Date, b: Date | undefined) => (b && b > a ? b : a);
