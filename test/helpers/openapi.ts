// Response bodies checked against the vendored OpenAPI contract (3.1, so JSON Schema 2020-12) with ajv. The whole
// document is registered under one $id, so every "#/components/schemas/…" $ref resolves as it does in the spec.
// Every tag's REST tests use this; `validatedOperations()` lets a test prove it covered all of its tag.
import fs from "node:fs";
import Ajv2020Module from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import type { ValidateFunction } from "ajv";
import { OPENAPI_FILE } from "../../src/protocol/openapi.js";

// both are CommonJS modules whose default export is also under `.default`
const Ajv2020 = ((Ajv2020Module as any).default ?? Ajv2020Module) as typeof import("ajv/dist/2020.js").default;
const addFormats = ((addFormatsModule as any).default ?? addFormatsModule) as typeof import("ajv-formats").default;

const DOC_ID = "scalekit.openapi.json";
const VERBS = ["get", "put", "post", "delete", "patch", "head", "options"];

export const spec: any = JSON.parse(fs.readFileSync(OPENAPI_FILE, "utf8"));

export interface SpecOperation {
  operationId: string;
  method: string;
  /** path template as in the spec: /api/v1/organizations/{id} */
  path: string;
  tag: string;
  /** documented statuses, e.g. ["200", "400"] */
  statuses: string[];
}

export const specOperations: SpecOperation[] = Object.entries<any>(spec.paths).flatMap(([p, item]) =>
  VERBS.filter((v) => item[v]?.operationId).map((v) => ({
    operationId: item[v].operationId as string, method: v.toUpperCase(), path: p, tag: item[v].tags?.[0] ?? "",
    statuses: Object.keys(item[v].responses ?? {}),
  })));

export function operationsOfTag(tag: string): SpecOperation[] {
  return specOperations.filter((o) => o.tag === tag);
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
// OpenAPI's numeric formats. On `type: integer` the type already demands a whole number; on `type: string`
// (protojson's int64) the text must be one. A format applies to one JSON type only, so strings are checked here.
for (const name of ["int64", "uint64", "int32", "uint32"]) ajv.addFormat(name, { type: "string", validate: /^-?\d+$/ });
for (const name of ["double", "float"]) ajv.addFormat(name, { type: "number", validate: () => true });
ajv.addSchema(spec, DOC_ID);

/** "OrganizationService_GetOrganization" or "GET /api/v1/organizations/{id}" (a concrete path works too). */
export function findSpecOperation(operation: string): SpecOperation {
  const byId = specOperations.find((o) => o.operationId === operation);
  if (byId) return byId;
  const m = /^([A-Z]+)\s+(\S+)$/.exec(operation.trim());
  if (m) {
    const [, method, rawPath] = m;
    const target = rawPath.split("?")[0];
    const exact = specOperations.find((o) => o.method === method && o.path === target);
    if (exact) return exact;
    const templated = specOperations.find((o) => {
      if (o.method !== method) return false;
      const re = new RegExp(`^${o.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{[^}]+\\?\}|\{[^}]+\}/g, "[^/:]+")}$`);
      return re.test(target);
    });
    if (templated) return templated;
  }
  throw new Error(`no operation "${operation}" in the OpenAPI document`);
}

const validators = new Map<string, ValidateFunction>();
const validated = new Set<string>();

function validatorFor(op: SpecOperation, status: number): ValidateFunction {
  const key = `${op.operationId} ${status}`;
  let v = validators.get(key);
  if (!v) {
    const responses = spec.paths[op.path][op.method.toLowerCase()].responses ?? {};
    const statusKey = String(status) in responses ? String(status) : "default" in responses ? "default" : undefined;
    if (!statusKey) throw new Error(`${op.operationId} does not document HTTP ${status} (documented: ${op.statuses.join(", ")})`);
    const content = responses[statusKey].content?.["application/json"];
    const escape = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");
    const pointer = content?.schema
      ? `#/paths/${escape(op.path)}/${op.method.toLowerCase()}/responses/${statusKey}/content/${escape("application/json")}/schema`
      : undefined;
    v = ajv.compile(pointer ? { $ref: `${DOC_ID}${pointer}` } : {});
    validators.set(key, v);
  }
  return v;
}

/** Throws with ajv's findings unless `body` matches the schema the spec documents for that operation and status. */
export function expectMatchesResponseSchema(operation: string, status: number, body: unknown): void {
  const op = findSpecOperation(operation);
  const validate = validatorFor(op, status);
  if (!validate(body)) {
    const errors = (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ");
    throw new Error(`${op.operationId} HTTP ${status}: body does not match the OpenAPI schema: ${errors}\n${JSON.stringify(body, null, 2)}`);
  }
  validated.add(`${op.operationId} ${status}`);
}

/** Status check plus schema check, for a response from TestServer.rest(). */
export function expectResponse(res: { status: number; body: unknown }, operation: string, status: number): void {
  if (res.status !== status)
    throw new Error(`${operation}: expected HTTP ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  expectMatchesResponseSchema(operation, status, res.body);
}

/** "OperationId status" pairs validated so far in this test file. */
export function validatedOperations(): Set<string> {
  return new Set(validated);
}

const ERROR_INFO_TYPE = "type.googleapis.com/scalekit.v1.errdetails.ErrorInfo";

/** The grpc-gateway error envelope with an ErrorInfo detail whose error_code is the gRPC code name. */
export function expectErrorBody(body: any, code: number, errorCode: string): void {
  const ok = body && typeof body === "object" && body.code === code && typeof body.message === "string" && body.message.length > 0
    && Array.isArray(body.details) && body.details.length >= 1
    && body.details[0]["@type"] === ERROR_INFO_TYPE && body.details[0].error_code === errorCode;
  if (!ok) throw new Error(`expected error {code: ${code}, error_code: ${errorCode}}, got ${JSON.stringify(body)}`);
}
