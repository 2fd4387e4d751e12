// Login request rows <-> JSON. The user details are kept exactly as the app sent them: the auth.User message as
// protojson with proto field names (fields left at their defaults are omitted, as protojson does).
import { toJson, type JsonObject } from "@bufbuild/protobuf";
import type { LoginRequest as LoginRequestRow } from "../../generated/prisma/client.js";
import { auth } from "../../protocol/descriptors.js";

export type LoginRequestStatus = "PENDING" | "USER_SET" | "FAILED";

export function userJson(user: auth.User): JsonObject {
  return toJson(auth.UserSchema, user, { useProtoFieldName: true }) as JsonObject;
}

/** The local API's view of a login request (POST/GET /local/v1/…login-requests). */
export function loginRequestJson(row: LoginRequestRow) {
  return {
    id: row.id, connection_id: row.connectionId, auth_request_id: row.authRequestId, status: row.status as LoginRequestStatus,
    ...(row.user !== null ? { user: row.user } : {}),
    expires_at: row.expiresAt.toISOString(), created_at: row.createdAt.toISOString(), updated_at: row.updatedAt.toISOString(),
  };
}
