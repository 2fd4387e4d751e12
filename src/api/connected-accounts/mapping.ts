// Rows <-> messages for connected accounts, and the webhook event data (the account as the spec's event examples
// show it: the list shape, never the credentials).
import { create, fromJson, toJson, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ConnectedAccount as Row } from "../../generated/prisma/client.js";
import { connectedAccounts } from "../../protocol/descriptors.js";

export type AuthorizationDetails = connectedAccounts.AuthorizationDetails;
export type Status = keyof typeof connectedAccounts.ConnectorStatus;

const ts = (d: Date | null) => (d ? timestampFromDate(d) : undefined);
const statusOf = (row: Row) => connectedAccounts.ConnectorStatus[row.status as Status] ?? connectedAccounts.ConnectorStatus.CONNECTION_STATUS_UNSPECIFIED;
const typeOf = (row: Row) =>
  connectedAccounts.ConnectorType[row.authorizationType as keyof typeof connectedAccounts.ConnectorType] ?? connectedAccounts.ConnectorType.CONNECTION_TYPE_UNSPECIFIED;

export function apiConfigOf(row: Row): JsonObject {
  return row.apiConfig && typeof row.apiConfig === "object" && !Array.isArray(row.apiConfig) ? (row.apiConfig as JsonObject) : {};
}

export function accountMessage(row: Row, details: AuthorizationDetails | undefined): connectedAccounts.ConnectedAccount {
  return create(connectedAccounts.ConnectedAccountSchema, {
    id: row.id, identifier: row.identifier, provider: row.provider, connector: row.connector, connectionId: row.connectionId,
    status: statusOf(row), authorizationType: typeOf(row), authorizationDetails: details,
    tokenExpiresAt: ts(row.tokenExpiresAt), updatedAt: ts(row.updatedAt), lastUsedAt: ts(row.lastUsedAt),
    apiConfig: apiConfigOf(row),
  });
}

export function accountListMessage(row: Row): connectedAccounts.ConnectedAccountForList {
  return create(connectedAccounts.ConnectedAccountForListSchema, {
    id: row.id, identifier: row.identifier, provider: row.provider, connector: row.connector, connectionId: row.connectionId,
    status: statusOf(row), authorizationType: typeOf(row),
    tokenExpiresAt: ts(row.tokenExpiresAt), updatedAt: ts(row.updatedAt), lastUsedAt: ts(row.lastUsedAt),
  });
}

/** Event data as the spec's examples show it: id, identifier, provider, status, authorization_type,
 *  connection_id and the token times when known (no connector, owner or update time). */
export function accountEventJson(row: Row): JsonObject {
  const j = toJson(connectedAccounts.ConnectedAccountForListSchema, accountListMessage(row), { useProtoFieldName: true }) as JsonObject;
  delete j.updated_at;
  delete j.connector;
  return j;
}

/** The stored (then encrypted) form of authorization details: their proto JSON. */
export function detailsToJson(d: AuthorizationDetails): JsonValue {
  return toJson(connectedAccounts.AuthorizationDetailsSchema, d, { useProtoFieldName: true });
}

export function detailsFromJson(j: JsonValue): AuthorizationDetails {
  return fromJson(connectedAccounts.AuthorizationDetailsSchema, j, { ignoreUnknownFields: true });
}

/** True when the details carry something a provider call could use. */
export function hasCredentials(d: AuthorizationDetails | undefined): boolean {
  switch (d?.details.case) {
    case "oauthToken": return !!(d.details.value.accessToken || d.details.value.refreshToken);
    case "staticAuth": return Object.keys(d.details.value.details ?? {}).length > 0;
    case "googleDwd": return !!d.details.value.subject;
    case "trustedIdp": return !!d.details.value.dbUser;
    default: return false;
  }
}
