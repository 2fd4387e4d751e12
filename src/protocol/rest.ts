// grpc-gateway-style REST transcoding, derived from the google.api.http bindings in the descriptors: path
// variables, `body: "*"` or a field, query parameters into request fields, response_body; JSON with proto
// field names. Every route authenticates first, then runs the same RpcHandler that gRPC runs.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  create, fromJson, toJson, ScalarType,
  type DescField, type DescMessage, type DescMethod, type JsonValue,
} from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Authenticator } from "../auth/authenticator.js";
import type { Principal } from "../auth/principal.js";
import { serviceBindings, type HttpBinding } from "./http-rule.js";
import { findOperation } from "./openapi.js";
import { apiError, invalidArgument, restErrorBody, toApiError } from "./errors.js";
import type { RpcRegistry } from "./rpc.js";
import { dropZeroEnums } from "./zero-enums.js";
import type { Logger } from "pino";

declare module "fastify" {
  interface FastifyRequest { principal?: Principal }
}

export interface RestRoute { binding: HttpBinding; url: string; successStatus: number; operationId?: string }

/**
 * "/api/v1/orgs/{id}:enable" -> "/api/v1/orgs/:id(^[^:/]+)::enable" (find-my-way: "::" is a literal colon); a
 * trailing "**" segment (WebhookService's /webhooks/wb/**) matches the rest of the path, as in grpc-gateway.
 */
export function toRouterPath(template: string): { url: string; vars: string[] } {
  const vars: string[] = [];
  const url = template.split("/").map((seg) => seg === "**" ? "*" :
    seg.replace(/\{([^}=]+)(?:=[^}]*)?\}|(:)/g, (_m, v: string | undefined, colon) => {
      if (colon) return "::";
      vars.push(v!);
      const name = v!.replace(/\./g, "__");
      return seg.includes(":") ? `:${name}(^[^:/]+)` : `:${name}`;
    }),
  ).join("/");
  return { url, vars };
}

function fieldAt(msg: DescMessage, path: string): DescField | undefined {
  let m: DescMessage | undefined = msg;
  let f: DescField | undefined;
  for (const part of path.split(".")) {
    f = m?.fields.find((x) => x.name === part || x.jsonName === part);
    m = f?.message;
  }
  return f;
}

function setPath(obj: Record<string, any>, path: string, value: unknown) {
  const keys = path.split(".");
  let o = obj;
  for (const k of keys.slice(0, -1)) o = o[k] = o[k] && typeof o[k] === "object" ? o[k] : {};
  o[keys[keys.length - 1]] = value;
}

const WRAPPER_SCALAR: Record<string, ScalarType> = {
  "google.protobuf.BoolValue": ScalarType.BOOL, "google.protobuf.Int32Value": ScalarType.INT32,
  "google.protobuf.UInt32Value": ScalarType.UINT32, "google.protobuf.Int64Value": ScalarType.INT64,
  "google.protobuf.UInt64Value": ScalarType.UINT64, "google.protobuf.FloatValue": ScalarType.FLOAT,
  "google.protobuf.DoubleValue": ScalarType.DOUBLE,
};

/** A query or path string as the JSON value protojson expects for the field; fromJson does the checking. */
function coerce(f: DescField | undefined, raw: string, name: string): JsonValue {
  const scalar = f?.fieldKind === "scalar" || (f?.fieldKind === "list" && f.listKind === "scalar")
    ? (f as any).scalar as ScalarType
    : f?.message ? WRAPPER_SCALAR[f.message.typeName] : undefined;
  if (scalar === ScalarType.BOOL) {
    if (raw === "true" || raw === "1") return true;
    if (raw === "false" || raw === "0" || raw === "") return false;
    throw invalidArgument(name, `must be true or false, got "${raw}"`);
  }
  if ((scalar === ScalarType.FLOAT || scalar === ScalarType.DOUBLE) && raw !== "" && Number.isFinite(Number(raw))) return Number(raw);
  return raw; // integers (protojson accepts decimal strings), enums by name or number, timestamps, strings
}

/**
 * grpc-gateway discards unknown JSON fields, but protobuf-es's ignoreUnknownFields would also drop unknown enum
 * names silently. So unknown fields are removed here, by the descriptor, enum names are checked with the field
 * named in the error, and fromJson stays strict about everything else.
 */
function checkedJson(msg: DescMessage, json: unknown, prefix = ""): unknown {
  if (!json || typeof json !== "object" || Array.isArray(json) || msg.typeName.startsWith("google.protobuf.")) return json;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) {
    const f = msg.fields.find((x) => x.name === k || x.jsonName === k);
    if (!f) continue;
    const name = prefix + f.name;
    const enumOf = f.fieldKind === "enum" ? f.enum : f.fieldKind === "list" && f.listKind === "enum" ? f.enum : undefined;
    if (enumOf && enumOf.typeName !== "google.protobuf.NullValue") {
      for (const e of Array.isArray(v) ? v : [v]) {
        if (typeof e === "string" && !enumOf.values.some((x) => x.name === e))
          throw invalidArgument(name, `unknown value "${e}"; expected one of ${enumOf.values.map((x) => x.name).join(", ")}`);
      }
    }
    if (f.fieldKind === "message") out[k] = checkedJson(f.message, v, `${name}.`);
    else if (f.fieldKind === "list" && f.listKind === "message" && Array.isArray(v)) out[k] = v.map((x) => checkedJson(f.message, x, `${name}.`));
    else if (f.fieldKind === "map" && f.mapKind === "message" && v && typeof v === "object")
      out[k] = Object.fromEntries(Object.entries(v).map(([mk, mv]) => [mk, checkedJson(f.message, mv, `${name}.`)]));
    else out[k] = v;
  }
  return out;
}

/** Builds the request message from path variables, query parameters and body, as grpc-gateway does. */
export function requestFromHttp(b: HttpBinding, vars: string[], req: FastifyRequest): unknown {
  const m = b.method;
  const json: Record<string, any> = {};
  const body = req.body;
  if (b.body) {
    if (body !== undefined && body !== null && (typeof body !== "object" || Array.isArray(body)) && b.body === "*")
      throw apiError(Code.InvalidArgument, "request body must be a JSON object");
    if (b.body === "*") Object.assign(json, body ?? {});
    else if (body !== undefined) setPath(json, b.body, body);
  }
  if (b.body !== "*") {
    for (const [k, v] of Object.entries(req.query as Record<string, string | string[]>)) {
      const key = k.endsWith("[]") ? k.slice(0, -2) : k;
      const f = fieldAt(m.input, key);
      if (!f || (b.body && key.split(".")[0] === b.body)) continue; // grpc-gateway ignores unknown parameters
      const list = Array.isArray(v) ? v : [v];
      if (f.fieldKind === "list") setPath(json, key, list.flatMap((x) => x.split(",").filter((s) => s !== "")).map((x) => coerce(f, x, key)));
      else setPath(json, key, coerce(f, list[list.length - 1], key));
    }
  }
  const params = req.params as Record<string, string>;
  for (const v of vars) setPath(json, v, coerce(fieldAt(m.input, v), params[v.replace(/\./g, "__")], v));
  const checked = checkedJson(m.input, json) as JsonValue;
  try {
    return fromJson(m.input, checked);
  } catch (e) {
    const msg = (e as Error).message;
    const field = /field ([\w.]+)/.exec(msg)?.[1]?.split(".").pop();
    throw field ? invalidArgument(field, msg) : apiError(Code.InvalidArgument, `invalid request: ${msg}`);
  }
}

/**
 * What Fastify itself refuses (before or around a route: bad percent-encoding, an over-long path parameter, a body
 * too large, an unsupported content type, malformed JSON, a failed route schema) as the contract's error model.
 */
export function fastifyClientError(err: any): ConnectError | undefined {
  if (err instanceof ConnectError || typeof err?.statusCode !== "number" || err.statusCode >= 500) return undefined;
  if (Array.isArray(err.validation) && err.validation.length) {
    const v = err.validation[0];
    const field = String(v.params?.missingProperty ?? v.instancePath?.replace(/^\//, "").replace(/\//g, ".") ?? "") || err.validationContext || "request";
    return invalidArgument(field, v.message ?? err.message);
  }
  if (err.statusCode === 413) return apiError(Code.ResourceExhausted, err.message);
  if (err.code === "FST_ERR_MAX_PARAM_LENGTH") return apiError(Code.InvalidArgument, "a path parameter is longer than the limit of 500 characters");
  if (err.statusCode === 404) return apiError(Code.NotFound, err.message);
  return apiError(Code.InvalidArgument, err.message);
}

/** The one error body of /api/v1 and /local/v1, for anything thrown (ConnectError, database, Fastify). */
export function sendApiError(reply: FastifyReply, e: unknown) {
  const fastify = fastifyClientError(e);
  if (fastify) {
    const { status, body } = restErrorBody(fastify);
    // keep the HTTP status HTTP clients know for these two; the body's code is the gRPC one
    const http = (e as any).statusCode === 413 || (e as any).statusCode === 415 ? (e as any).statusCode : status;
    return reply.code(http).send(body);
  }
  return sendRestError(reply, e);
}

export function sendRestError(reply: FastifyReply, e: unknown) {
  const { error, unexpected } = toApiError(e);
  if (unexpected) reply.log.error({ err: e }, "unexpected error");
  const { status, body } = restErrorBody(error);
  return reply.code(status).send(body);
}

export function restRoutes(registry: RpcRegistry): RestRoute[] {
  return registry.services.flatMap(serviceBindings).map((binding) => {
    const op = findOperation(binding.verb, binding.path);
    return { binding, url: toRouterPath(binding.path).url, successStatus: op?.successStatus ?? 200, operationId: op?.operationId };
  });
}

/** Registers every binding of every service. Must be registered inside its own (encapsulated) plugin scope. */
export async function registerRestRoutes(app: FastifyInstance, registry: RpcRegistry, auth: Authenticator): Promise<RestRoute[]> {
  // REST bodies are JSON whatever the client labels them (curl -d sends form encoding); empty means {}.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string", bodyLimit: 1 << 20 }, (_req, raw, done) => {
    const text = String(raw).trim();
    if (text === "") return done(null, undefined);
    try { done(null, JSON.parse(text)); } catch { done(apiError(Code.InvalidArgument, "request body is not valid JSON"), undefined); }
  });
  app.setErrorHandler((err, _req, reply) => sendApiError(reply, err));
  app.addHook("onRequest", async (req) => {
    const rpc = (req.routeOptions.config as { rpc?: DescMethod } | undefined)?.rpc;
    req.principal = await auth.verifyCaller(req.headers.authorization, rpc);
  });

  const routes = restRoutes(registry);
  for (const r of routes) {
    const { binding } = r;
    const { vars } = toRouterPath(binding.path);
    app.route({
      method: binding.verb as any,
      url: r.url,
      config: { rpc: binding.method },
      handler: async (req, reply) => {
        // authenticated by the onRequest hook above, before Fastify read the body
        const out = await registry.invoke(binding.method, { principal: req.principal!, requestId: String(req.id), log: req.log as unknown as Logger },
          () => requestFromHttp(binding, vars, req), auth);
        const full = create(binding.method.output, out as any);
        const json = toJson(binding.method.output, full, { useProtoFieldName: true, alwaysEmitImplicit: true }) as Record<string, unknown>;
        dropZeroEnums(binding.method.output, json);
        return reply.code(r.successStatus).send(binding.responseBody ? json[binding.responseBody] : json);
      },
    });
  }
  return routes;
}
