// Hand-written HTTP routes (the local API under /local/v1, the magic-link pages, login pages, the console)
// declare what they accept as JSON Schema (TypeBox), and one formatter turns a validation failure into the
// contract's error body: 400 {code: 3, message: "<field>: <why>", details: [ErrorInfo naming the field]}, the
// same as a service's invalidArgument(). Handlers then get typed, checked input and read no fields by hand.
//
// How to use it:
//
//   import { Type } from "@sinclair/typebox";
//   import { route, useContractErrors } from "../http/route.js";
//
//   export async function widgetLocalRoutes(scope: FastifyInstance, deps: ServiceDeps) {
//     useContractErrors(scope);           // once per scope that has no contract error handler yet (/local/v1 has one)
//     route(scope, {
//       method: "POST", url: "/widgets/:id",
//       params: Type.Object({ id: Type.String() }),
//       query: Type.Object({ dry_run: Type.Optional(Type.Boolean()) }),
//       body: Type.Object({
//         name: Type.String({ minLength: 1, maxLength: 100 }),
//         size: Type.Optional(Type.Integer({ minimum: 1, errorMessage: "must be a positive integer" })),
//       }),
//       handler: async (req, reply) => reply.code(201).send({ widget: await createWidget(req.params.id, req.body) }),
//     });
//   }
//
// Rules the validators apply (the same for every route, so two routes never disagree about "5"):
// - body and params are taken as sent: `"5"` is not an integer in a JSON body. Query strings are all text, so
//   their values are converted to the declared type (`?page_size=5` is 5, `?enabled=true` is true), and an
//   empty value (`?page_token=`) counts as absent. HTML form bodies (acceptForms()) are text too and are read
//   the same way.
// - in a body, a member that is null counts as absent (as in the proto3 JSON of /api/v1).
// - fields a schema does not list are accepted and ignored unless the object says additionalProperties: false.
// - `errorMessage` on a schema replaces the generated description of any failure of that value.
// - defaults declared in the schema are filled in.
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import type { Static, TSchema } from "@sinclair/typebox";
import { Code, ConnectError } from "@connectrpc/connect";
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchemaCompiler, RouteHandlerMethod } from "fastify";
import { apiError, invalidArgument } from "../protocol/errors.js";
import { sendApiError } from "../protocol/rest.js";

type Part = "body" | "params" | "querystring" | "headers";

function makeAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({ coerceTypes, useDefaults: true, allErrors: false, verbose: true, strict: false });
  ajv.addKeyword({ keyword: "errorMessage", schemaType: "string" });
  return ajv;
}

const asSent = makeAjv(false);
const fromText = makeAjv(true);

/** null members of JSON objects, at any depth, are dropped: absent and null mean the same, as in proto3 JSON. */
function dropNulls(v: unknown): void {
  if (!v || typeof v !== "object") return;
  if (Array.isArray(v)) { v.forEach(dropNulls); return; }
  for (const [k, x] of Object.entries(v)) {
    if (x === null) delete (v as Record<string, unknown>)[k];
    else dropNulls(x);
  }
}

type Context = { parentData?: Record<string, unknown>; parentDataProperty?: string };

/** A validator that prepares the value first; Fastify reads `.errors` off the function it was given. */
function prepared(validate: ValidateFunction, prepare: (data: unknown, ctx: Context | undefined) => unknown): ValidateFunction {
  const fn = ((data: unknown, ctx?: Context) => {
    const value = prepare(data, ctx);
    const ok = validate(value, ctx as never);
    fn.errors = validate.errors;
    return ok;
  }) as ValidateFunction;
  // with schemaEnv set Fastify passes the request as parent, which lets a missing body become {}
  Object.assign(fn, { schemaEnv: validate.schemaEnv, schema: validate.schema });
  return fn;
}

/** bodies parsed from an HTML form: text, like a query string, so their values are converted like one */
const fromForms = new WeakSet<object>();

/** Parses application/x-www-form-urlencoded bodies for a scope whose routes take HTML forms. */
export function acceptForms(scope: FastifyInstance): void {
  scope.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
    const fields = Object.fromEntries(new URLSearchParams(body as string));
    fromForms.add(fields);
    done(null, fields);
  });
}

function dropEmpty(data: unknown): unknown {
  if (data && typeof data === "object") {
    for (const [k, v] of Object.entries(data)) if (v === "") delete (data as Record<string, unknown>)[k];
  }
  return data;
}

const compile: FastifySchemaCompiler<any> = ({ schema, httpPart }) => {
  if (httpPart === "body") {
    const sent = asSent.compile(schema);
    const typed = prepared(sent, (data, ctx) => {
      // no body at all is an empty object, so routes whose fields are all optional accept a bare POST
      if ((data === null || data === undefined) && (schema as { type?: string }).type === "object") {
        data = {};
        if (ctx?.parentData && ctx.parentDataProperty) ctx.parentData[ctx.parentDataProperty] = data;
      }
      dropNulls(data);
      return data;
    });
    const form = prepared(fromText.compile(schema), dropEmpty);
    const fn = ((data: unknown, ctx?: Context) => {
      const v = data && typeof data === "object" && fromForms.has(data) ? form : typed;
      const ok = v(data, ctx as never);
      fn.errors = v.errors;
      return ok;
    }) as ValidateFunction;
    Object.assign(fn, { schemaEnv: sent.schemaEnv, schema: sent.schema });
    return fn;
  }
  if (httpPart === "querystring") return prepared(fromText.compile(schema), dropEmpty);
  return asSent.compile(schema);
};

/**
 * "/authenticator/attachment" -> "authenticator.attachment"; "/items/2/name" -> "items[2].name". An element of
 * a list of plain values is named by its list ("/transports/0" -> "transports"), as the descriptor rules do.
 */
function fieldPath(instancePath: string, extra?: string): string {
  const parts = instancePath.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (extra !== undefined) parts.push(extra);
  else if (parts.length > 1 && /^\d+$/.test(parts[parts.length - 1])) parts.pop();
  return parts.reduce((path, p) => (/^\d+$/.test(p) ? `${path}[${p}]` : path ? `${path}.${p}` : p), "");
}

const TYPE_WORDS: Record<string, string> = {
  string: "a string", integer: "an integer", number: "a number", boolean: "true or false", array: "an array", object: "an object", null: "null",
};

function describe(e: ErrorObject, atRoot: boolean): string {
  const custom = (e.parentSchema as { errorMessage?: unknown } | undefined)?.errorMessage;
  if (typeof custom === "string" && e.keyword !== "required" && e.keyword !== "additionalProperties") return custom;
  const p = e.params as Record<string, any>;
  switch (e.keyword) {
    case "required": return "is required";
    case "additionalProperties": {
      const known = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
      return known.length ? `is not a known field (${known.join(", ")})` : "is not a known field";
    }
    case "type": {
      if (atRoot && p.type === "object") return "must be a JSON object";
      const items = (e.parentSchema as { items?: { type?: string } })?.items?.type;
      if (p.type === "array" && items && TYPE_WORDS[items]) return `must be an array of ${items === "boolean" ? "booleans" : `${items}s`}`;
      return `must be ${String(p.type).split(",").map((t) => TYPE_WORDS[t] ?? t).join(" or ")}`;
    }
    case "enum": return `must be one of ${(p.allowedValues as unknown[]).join(", ")}`;
    case "const": return `must be ${JSON.stringify(p.allowedValue)}`;
    case "minLength": return `must be at least ${p.limit} characters`;
    case "maxLength": return `must be at most ${p.limit} characters`;
    case "minItems": return `must have at least ${p.limit} items`;
    case "maxItems": return `must have at most ${p.limit} items`;
    case "minimum": return `must be at least ${p.limit}`;
    case "maximum": return `must be at most ${p.limit}`;
    case "exclusiveMinimum": return `must be greater than ${p.limit}`;
    case "exclusiveMaximum": return `must be less than ${p.limit}`;
    case "pattern": return "is not in the expected format";
    case "format": return `must be a valid ${p.format}`;
    default: return e.message ?? "is invalid";
  }
}

/** The one formatter: the first failure, as the contract's INVALID_ARGUMENT naming the field. */
export function validationError(errors: ErrorObject[], part: string): ConnectError {
  const e = errors[0];
  if (!e) return apiError(Code.InvalidArgument, "the request is invalid");
  const extra = e.keyword === "required" ? (e.params as { missingProperty: string }).missingProperty
    : e.keyword === "additionalProperties" ? (e.params as { additionalProperty: string }).additionalProperty
      : undefined;
  const field = fieldPath(e.instancePath, extra);
  const whole = part === "querystring" ? "query" : part;
  return invalidArgument(field || whole, describe(e, !field));
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RouteSpec<P extends TSchema, Q extends TSchema, B extends TSchema> {
  method: Method | Method[];
  url: string;
  params?: P;
  query?: Q;
  body?: B;
  handler: (
    req: FastifyRequest<{ Params: Static<P>; Querystring: Static<Q>; Body: Static<B> }>,
    reply: FastifyReply,
  ) => unknown;
}

/** Declares one route whose params, query and body are validated against the given schemas before it runs. */
export function route<P extends TSchema = TSchema, Q extends TSchema = TSchema, B extends TSchema = TSchema>(
  scope: FastifyInstance, spec: RouteSpec<P, Q, B>,
): void {
  scope.route({
    method: spec.method,
    url: spec.url,
    schema: {
      ...(spec.params ? { params: spec.params } : {}),
      ...(spec.query ? { querystring: spec.query } : {}),
      ...(spec.body ? { body: spec.body } : {}),
    },
    validatorCompiler: compile,
    schemaErrorFormatter: (errors, part) => validationError(errors as ErrorObject[], part as Part),
    handler: spec.handler as RouteHandlerMethod,
  });
}

/**
 * Errors of a scope's routes as the contract's error body: ConnectErrors as they are, Fastify's own 4xx
 * (unparsable body, body too large) as INVALID_ARGUMENT, anything else as INTERNAL (logged).
 */
export function useContractErrors(scope: FastifyInstance): void {
  scope.setErrorHandler((err, _req, reply) => sendApiError(reply, err)); // the one formatter of /api/v1 too
}
