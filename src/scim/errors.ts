// SCIM errors (RFC 7644 §3.12): {schemas:[Error], status:"404", scimType?, detail}. Thrown anywhere under the
// SCIM routes and rendered by their error handler; nothing else in the server speaks this format.
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
