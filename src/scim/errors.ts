// SCIM errors (RFC 7644 §3.12): {schemas:[Error], status:"404", scimType?, detail}. Thrown anywhere under the
// SCIM routes and rendered by their error handler; nothing else in the server speaks this format.
import { restErrorBody, toApiError } from "../protocol/errors.js";

export const SCIM_ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

export type ScimType =
  | "invalidFilter" | "tooMany" | "uniqueness" | "mutability" | "invalidSyntax" | "invalidPath"
  | "noTarget" | "invalidValue" | "invalidVers" | "sensitive";

export class ScimError extends Error {
  constructor(readonly status: number, detail: string, readonly scimType?: ScimType) {
    super(detail);
  }

  body(): Record<string, unknown> {
    return { schemas: [SCIM_ERROR_SCHEMA], status: String(this.status), ...(this.scimType ? { scimType: this.scimType } : {}), detail: this.message };
  }
}

export const badRequest = (scimType: ScimType, detail: string) => new ScimError(400, detail, scimType);
export const scimNotFound = (what: string, id: string) => new ScimError(404, `${what} ${id} not found`);

const SCIM_TYPE_BY_STATUS: Record<number, ScimType | undefined> = { 400: "invalidValue", 409: "uniqueness" };

/**
 * What the rest of the server throws (its ConnectErrors and the database's verdicts, such as a NUL character
 * PostgreSQL cannot store), in SCIM's format; undefined for a genuine server failure.
 */
export function fromServerError(e: unknown): ScimError | undefined {
  const { error, unexpected } = toApiError(e);
  if (unexpected) return undefined;
  const { status } = restErrorBody(error);
  return new ScimError(status, error.rawMessage, SCIM_TYPE_BY_STATUS[status]);
}
