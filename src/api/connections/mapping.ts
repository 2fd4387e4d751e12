// Connection rows <-> messages (full connection, list entry) and the webhook event data, in one place.
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Connection as ConnectionRow, Domain as DomainRow } from "../../generated/prisma/client.js";
import { connections } from "../../protocol/descriptors.js";
import { domainMessage } from "../domains/mapping.js";
import { settingsMessage, storedSettings, type ServerUrls } from "./config.js";

export interface MappingContext extends ServerUrls { environmentId: string }

export function attributeMappingOf(row: ConnectionRow): Record<string, string> {
  const v = row.attributeMapping;
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, string>) : {};
}

/** The fields a connection and a list entry share. */
function summary(row: ConnectionRow) {
  return {
    id: row.id,
    provider: row.provider as connections.ConnectionProvider,
    type: row.type as connections.ConnectionType,
    status: row.status as connections.ConnectionStatus,
    enabled: row.enabled,
    uiButtonTitle: row.uiButtonTitle,
    keyId: row.keyId,
    providerKey: row.providerKey,
  };
}

export function connectionMessage(row: ConnectionRow, domainRows: DomainRow[], ctx: MappingContext): MessageInitShape<typeof connections.ConnectionSchema> {
  return {
    ...summary(row),
    debugEnabled: row.debugEnabled,
    organizationId: row.organizationId ?? undefined,
    configurationType: row.configurationType as connections.ConfigurationType,
    testConnectionUri: `${ctx.base}/sso/v1/connections/${row.id}/test`,
    attributeMapping: attributeMappingOf(row),
    createTime: timestampFromDate(row.createTime),
    updateTime: timestampFromDate(row.updateTime),
    settings: settingsMessage(row.id, storedSettings(row), ctx),
    domains: domainRows.map((d) => domainMessage(d, ctx.environmentId)),
  };
}

export function listConnectionMessage(row: ConnectionRow, organizationName: string, domainNames: string[]): MessageInitShape<typeof connections.ListConnectionSchema> {
  return {
    ...summary(row),
    organizationId: row.organizationId ?? "",
    domains: domainNames,
    organizationName,
    createdAt: timestampFromDate(row.createTime),
  };
}

/** The documented event data: {id, organization_id, connection_type, provider}, plus enabled and status on toggles. */
export function connectionEventData(row: ConnectionRow, toggled = false): Record<string, unknown> {
  return {
    id: row.id,
    organization_id: row.organizationId,
    connection_type: connections.ConnectionType[row.type] ?? "CONNECTION_TYPE_UNSPECIFIED",
    provider: connections.ConnectionProvider[row.provider] ?? "CONNECTION_PROVIDER_UNSPECIFIED",
    ...(toggled ? { enabled: row.enabled, status: connections.ConnectionStatus[row.status] } : {}),
  };
}
