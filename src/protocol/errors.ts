// One error model for both transports: services throw ConnectError with an ErrorInfo detail; gRPC sends it
// as grpc-status + grpc-status-details-bin, REST renders it as {code, message, details[ErrorInfo]} with the
// grpc-gateway HTTP status. Anything else thrown is mapped here (database errors) or becomes INTERNAL.
import { create, toJson, type MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { errdetails } from "./descriptors.js";

type ErrorInfoInit = MessageInitShape<typeof errdetails.ErrorInfoSchema>;

/** Code.InvalidArgument -> "INVALID_ARGUMENT" */
export function codeName(code: Code): string {
  return (Code[code] ?? "Unknown").replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}

export const HTTP_STATUS_BY_CODE: Record<Code, number> = {
  [Code.Canceled]: 499, [Code.Unknown]: 500, [Code.InvalidArgument]: 400, [Code.DeadlineExceeded]: 504,
  [Code.NotFound]: 404, [Code.AlreadyExists]: 409, [Code.PermissionDenied]: 403, [Code.ResourceExhausted]: 429,
  [Code.FailedPrecondition]: 400, [Code.Aborted]: 409, [Code.OutOfRange]: 400, [Code.Unimplemented]: 501,
  [Code.Internal]: 500, [Code.Unavailable]: 503, [Code.DataLoss]: 500, [Code.Unauthenticated]: 401,
};

export function apiError(code: Code, message: string, info: Omit<ErrorInfoInit, "errorCode"> & { errorCode?: string } = {}): ConnectError {
  return new ConnectError(message, code, undefined, [
    { desc: errdetails.ErrorInfoSchema, value: { errorCode: codeName(code), ...info } },
  ]);
}

export function invalidArgument(field: string, description: string): ConnectError {
  return apiError(Code.InvalidArgument, `${field}: ${description}`, {
    validationErrorInfo: { fieldViolations: [{ field, description }] },
  });
}

export function notFound(resource: string, id: string): ConnectError {
  return apiError(Code.NotFound, `${resource} ${id} not found`, {
    resourceInfo: { resourceName: id, description: `${resource} not found` },
  });
}

export function alreadyExists(message: string, resourceName = ""): ConnectError {
  return apiError(Code.AlreadyExists, message, { resourceInfo: { resourceName, description: message } });
}

export function failedPrecondition(message: string): ConnectError {
  return apiError(Code.FailedPrecondition, message);
}

export function unauthenticated(message: string): ConnectError {
  return apiError(Code.Unauthenticated, message);
}

export function unimplemented(rpc: string): ConnectError {
  return apiError(Code.Unimplemented, `${rpc} is not implemented by this server yet`);
}

/** Prisma error codes that are the client's doing, by the database's own verdict. */
function fromDatabaseError(e: any): ConnectError | undefined {
  const code: unknown = e?.code;
  // the same refusal from a raw query (pg or PGlite error with its SQLSTATE)
  if (code === "22021" || code === "22P05") return apiError(Code.InvalidArgument, "text values must not contain NUL (\\u0000) characters");
  if (typeof code !== "string" || !/^P\d{4}$/.test(code)) return undefined;
  const fields = e?.meta?.target ?? e?.meta?.driverAdapterError?.cause?.constraint?.fields;
  // PostgreSQL text and jsonb cannot hold U+0000 (22021, 22P05): valid JSON and protobuf, but the client's to fix
  const sqlState: unknown = e?.meta?.driverAdapterError?.cause?.code;
  if (sqlState === "22021" || sqlState === "22P05") return apiError(Code.InvalidArgument, "text values must not contain NUL (\\u0000) characters");
  switch (code) {
    case "P2002": return alreadyExists(`a resource with the same ${Array.isArray(fields) ? fields.join(", ") : "unique key"} already exists`);
    case "P2025": case "P2001": case "P2015": case "P2018": return apiError(Code.NotFound, "resource not found");
    case "P2003": case "P2014": return apiError(Code.FailedPrecondition, "the operation conflicts with a related resource");
    case "P2034": return apiError(Code.Aborted, "the operation conflicted with a concurrent change; retry it");
    case "P2000": return apiError(Code.InvalidArgument, "a value is too long for its field");
    default: return undefined;
  }
}

/** Normalises anything thrown by a handler. Unknown errors become INTERNAL and are flagged for logging. */
export function toApiError(e: unknown): { error: ConnectError; unexpected: boolean } {
  if (e instanceof ConnectError) {
    if (e.details.length) return { error: e, unexpected: false };
    // errors raised by the Connect runtime itself (bad framing, timeouts) still get an ErrorInfo
    return { error: apiError(e.code, e.rawMessage), unexpected: false };
  }
  const db = fromDatabaseError(e);
  if (db) return { error: db, unexpected: false };
  return { error: apiError(Code.Internal, "internal error"), unexpected: true };
}

export interface RestErrorBody {
  code: number;
  message: string;
  details: Record<string, unknown>[];
}

/** The grpc-gateway error body: google.rpc.Status as JSON with proto field names. */
export function restErrorBody(error: ConnectError): { status: number; body: RestErrorBody } {
  const details = error.details.map((d: any) => {
    if ("desc" in d) {
      return { "@type": `type.googleapis.com/${d.desc.typeName}`, ...(toJson(d.desc, create(d.desc, d.value), { useProtoFieldName: true }) as object) };
    }
    return { "@type": `type.googleapis.com/${d.type}` };
  });
  return { status: HTTP_STATUS_BY_CODE[error.code] ?? 500, body: { code: error.code, message: error.rawMessage, details } };
}
