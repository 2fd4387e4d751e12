import { describe, expect, it } from "vitest";
import { Code, ConnectError } from "@connectrpc/connect";
import { apiError, codeName, invalidArgument, notFound, restErrorBody, toApiError } from "../../src/protocol/errors.js";

describe("error mapping", () => {
  it("names codes as gRPC does", () => {
    expect(codeName(Code.InvalidArgument)).toBe("INVALID_ARGUMENT");
    expect(codeName(Code.NotFound)).toBe("NOT_FOUND");
    expect(codeName(Code.Unauthenticated)).toBe("UNAUTHENTICATED");
    expect(codeName(Code.DeadlineExceeded)).toBe("DEADLINE_EXCEEDED");
  });

  it.each([
    [Code.InvalidArgument, 400], [Code.FailedPrecondition, 400], [Code.OutOfRange, 400], [Code.Unauthenticated, 401],
    [Code.PermissionDenied, 403], [Code.NotFound, 404], [Code.AlreadyExists, 409], [Code.Aborted, 409],
    [Code.ResourceExhausted, 429], [Code.Internal, 500], [Code.Unknown, 500], [Code.DataLoss, 500],
    [Code.Unimplemented, 501], [Code.Unavailable, 503], [Code.DeadlineExceeded, 504],
  ])("code %i is HTTP %i with an ErrorInfo naming it", (code, status) => {
    const { status: s, body } = restErrorBody(apiError(code, "m"));
    expect(s).toBe(status);
    expect(body).toEqual({ code, message: "m", details: [{ "@type": "type.googleapis.com/scalekit.v1.errdetails.ErrorInfo", error_code: codeName(code) }] });
  });

  it("renders field violations and resources with proto field names", () => {
    expect(restErrorBody(invalidArgument("display_name", "must be 1-200 characters")).body.details[0]).toMatchObject({
      error_code: "INVALID_ARGUMENT",
      validation_error_info: { field_violations: [{ field: "display_name", description: "must be 1-200 characters" }] },
    });
    expect(restErrorBody(notFound("organization", "org_1")).body.details[0]).toMatchObject({ resource_info: { resource_name: "org_1" } });
  });

  it("maps database verdicts and hides unexpected errors", () => {
    expect(toApiError(Object.assign(new Error("x"), { code: "P2002", meta: { target: ["external_id"] } })).error.code).toBe(Code.AlreadyExists);
    expect(toApiError(Object.assign(new Error("x"), { code: "P2025" })).error.code).toBe(Code.NotFound);
    const internal = toApiError(new Error("connection string postgres://secret@db"));
    expect(internal.unexpected).toBe(true);
    expect(internal.error.code).toBe(Code.Internal);
    expect(internal.error.rawMessage).not.toContain("secret");
    const plain = toApiError(new ConnectError("deadline", Code.DeadlineExceeded));
    expect(plain.error.findDetails).toBeDefined();
    expect(restErrorBody(plain.error).body.details[0].error_code).toBe("DEADLINE_EXCEEDED");
  });
});
