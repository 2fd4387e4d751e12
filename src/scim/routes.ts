// The SCIM 2.0 endpoint of every directory (RFC 7644): <SCALEKIT_ENVIRONMENT_URL>/api/v1/directories/<dir_id>/scim/v2.
// No google.api.http binding uses /api/v1/directories, so nothing collides with the transcoded REST routes. These
// routes sit outside the environment-token auth: an identity provider authenticates with the directory's own
// bearer secret, and every answer, errors included, is SCIM (application/scim+json).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Directory as DirectoryRow } from "../generated/prisma/client.js";
import type { ServiceDeps } from "../api/deps.js";
import { hashSecret } from "../auth/secrets.js";
import { scimBase } from "../api/directories/mapping.js";
import { directories } from "../protocol/descriptors.js";
import { ScimError, badRequest, fromServerError } from "./errors.js";
import { MAX_RESULTS, resourceTypes, schemas, serviceProviderConfig } from "./discovery.js";
import { changeGroup, createGroup, deleteGroup, getGroup, listGroups } from "./groups.js";
import { LIST_RESPONSE_SCHEMA, type JsonObject } from "./paths.js";
import { changeUser, createUser, deleteUser, getUser, listUsers, type ScimContext } from "./users.js";

export const SCIM_PREFIX = "/api/v1/directories/:directoryId/scim/v2";
const CONTENT_TYPE = "application/scim+json; charset=utf-8";
/** last_used_time is written at most this often per secret, so a busy directory does not write on every call */
const LAST_USED_RESOLUTION_MS = 60_000;

declare module "fastify" {
  interface FastifyRequest { scim?: ScimContext }
}

type Params = { directoryId: string; id?: string };

function send(reply: FastifyReply, status: number, body?: unknown, headers: Record<string, string> = {}) {
  reply.code(status).headers(headers);
  if (body === undefined) return reply.send();
  return reply.type(CONTENT_TYPE).send(JSON.stringify(body));
}

function sendError(reply: FastifyReply, e: ScimError) {
  if (e.status === 401) reply.header("www-authenticate", 'Bearer realm="SCIM"');
  return send(reply, e.status, e.body());
}

function paging(query: Record<string, string | undefined>): { startIndex: number; count: number } {
  const num = (name: string, v: string | undefined, def: number) => {
    if (v === undefined || v === "") return def;
    if (!/^-?\d+$/.test(v)) throw badRequest("invalidValue", `${name} must be an integer`);
    return Number(v);
  };
  // RFC 7644 §3.4.2.4: startIndex < 1 is read as 1, a negative count as 0
  const startIndex = Math.max(1, num("startIndex", query.startIndex, 1));
  const count = Math.min(MAX_RESULTS, Math.max(0, num("count", query.count, 100)));
  return { startIndex, count };
}

function excluded(query: Record<string, string | undefined>, resource: JsonObject): JsonObject {
  const names = (query.excludedAttributes ?? "").split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (!names.length) return resource;
  return Object.fromEntries(Object.entries(resource).filter(([k]) => k === "id" || k === "schemas" || !names.includes(k.toLowerCase())));
}

function listResponse(total: number, startIndex: number, resources: JsonObject[]) {
  return { schemas: [LIST_RESPONSE_SCHEMA], totalResults: total, itemsPerPage: resources.length, startIndex, Resources: resources };
}

async function authenticate(deps: ServiceDeps, req: FastifyRequest<{ Params: Params }>): Promise<ScimContext> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  const refused = new ScimError(401, "a valid bearer token (the directory's secret) is required");
  if (!m) throw refused;
  const dir: DirectoryRow | null = await deps.db.directory.findUnique({ where: { id: req.params.directoryId } });
  if (!dir) throw refused;
  const secret = await deps.db.directorySecret.findUnique({ where: { secretHash: hashSecret(deps.hashKey, m[1]) } });
  const now = new Date();
  if (!secret || secret.directoryId !== dir.id || secret.status !== directories.SecretStatus.ACTIVE || (secret.expireTime && secret.expireTime <= now)) throw refused;
  if (!secret.lastUsedTime || now.getTime() - secret.lastUsedTime.getTime() > LAST_USED_RESOLUTION_MS)
    await deps.db.directorySecret.update({ where: { id: secret.id }, data: { lastUsedTime: now } }).catch(() => {});
  if (!dir.enabled) throw new ScimError(403, `directory ${dir.id} is disabled`);
  return { db: deps.db, outbox: deps.outbox, dir, base: scimBase(deps.config.environmentUrl, dir.id) };
}

export async function registerScim(app: FastifyInstance, deps: ServiceDeps): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // application/scim+json, application/json, or anything else a client labels its JSON with
    scope.addContentTypeParser("*", { parseAs: "string", bodyLimit: 1 << 20 }, (_req, body, done) => {
      const text = String(body);
      if (!text.trim()) return done(null, undefined);
      try { done(null, JSON.parse(text)); } catch { done(badRequest("invalidSyntax", "the body is not valid JSON"), undefined); }
    });
    scope.setErrorHandler((err: any, req, reply) => {
      if (err instanceof ScimError) return sendError(reply, err);
      if (typeof err?.statusCode === "number" && err.statusCode < 500)
        return sendError(reply, err.statusCode === 413 ? new ScimError(413, "the body is too large") : badRequest("invalidSyntax", err.message));
      const known = fromServerError(err);
      if (known) return sendError(reply, known);
      req.log.error({ err }, "SCIM request failed");
      return sendError(reply, new ScimError(500, "internal error"));
    });
    scope.addHook("onRequest", async (req) => { req.scim = await authenticate(deps, req as FastifyRequest<{ Params: Params }>); });
    scope.setNotFoundHandler(async (req, reply) => {
      // the 404 handler has no route parameters: authenticate here with the directory id taken from the URL
      const directoryId = /^\/api\/v1\/directories\/([^/?]+)\/scim\/v2/.exec(req.url)?.[1] ?? "";
      try {
        await authenticate(deps, Object.assign(Object.create(req), { params: { directoryId } }) as FastifyRequest<{ Params: Params }>);
      } catch (e) {
        if (e instanceof ScimError) return sendError(reply, e);
        throw e;
      }
      return sendError(reply, new ScimError(404, `no SCIM endpoint ${req.method} ${req.url.split("?")[0].replace(/^.*\/scim\/v2/, "")}`));
    });

    const ctx = (req: FastifyRequest) => req.scim!;
    type R = FastifyRequest<{ Params: Params; Querystring: Record<string, string | undefined> }>;

    scope.get("/ServiceProviderConfig", async (req, reply) => send(reply, 200, serviceProviderConfig(ctx(req).base)));
    scope.get("/ResourceTypes", async (req, reply) => {
      const list = resourceTypes(ctx(req).base);
      return send(reply, 200, listResponse(list.length, 1, list));
    });
    scope.get("/ResourceTypes/:id", async (req: R, reply) => {
      const found = resourceTypes(ctx(req).base).find((t) => t.id === req.params.id);
      if (!found) throw new ScimError(404, `resource type ${req.params.id} not found`);
      return send(reply, 200, found);
    });
    scope.get("/Schemas", async (req, reply) => {
      const list = schemas(ctx(req).base);
      return send(reply, 200, listResponse(list.length, 1, list));
    });
    scope.get("/Schemas/:id", async (req: R, reply) => {
      const found = schemas(ctx(req).base).find((s) => s.id === req.params.id);
      if (!found) throw new ScimError(404, `schema ${req.params.id} not found`);
      return send(reply, 200, found);
    });

    scope.post("/Users", async (req: R, reply) => {
      const { json } = await createUser(ctx(req), req.body);
      return send(reply, 201, json, { location: json.meta.location, etag: json.meta.version });
    });
    scope.get("/Users", async (req: R, reply) => {
      const { startIndex, count } = paging(req.query);
      const { total, resources } = await listUsers(ctx(req), req.query.filter, startIndex, count);
      return send(reply, 200, listResponse(total, startIndex, resources.map((r) => excluded(req.query, r))));
    });
    scope.get("/Users/:id", async (req: R, reply) => {
      const { json } = await getUser(ctx(req), req.params.id!);
      return send(reply, 200, excluded(req.query, json), { etag: json.meta.version });
    });
    scope.put("/Users/:id", async (req: R, reply) => {
      const { json } = await changeUser(ctx(req), req.params.id!, req.body, "replace");
      return send(reply, 200, json, { etag: json.meta.version });
    });
    scope.patch("/Users/:id", async (req: R, reply) => {
      const { json } = await changeUser(ctx(req), req.params.id!, req.body, "patch");
      return send(reply, 200, json, { etag: json.meta.version });
    });
    scope.delete("/Users/:id", async (req: R, reply) => {
      await deleteUser(ctx(req), req.params.id!);
      return send(reply, 204);
    });

    scope.post("/Groups", async (req: R, reply) => {
      const { json } = await createGroup(ctx(req), req.body);
      return send(reply, 201, json, { location: json.meta.location, etag: json.meta.version });
    });
    scope.get("/Groups", async (req: R, reply) => {
      const { startIndex, count } = paging(req.query);
      const withMembers = !(req.query.excludedAttributes ?? "").toLowerCase().split(",").map((s) => s.trim()).includes("members");
      const { total, resources } = await listGroups(ctx(req), req.query.filter, startIndex, count, withMembers);
      return send(reply, 200, listResponse(total, startIndex, resources.map((r) => excluded(req.query, r))));
    });
    scope.get("/Groups/:id", async (req: R, reply) => {
      const { json } = await getGroup(ctx(req), req.params.id!);
      return send(reply, 200, excluded(req.query, json), { etag: json.meta.version });
    });
    scope.put("/Groups/:id", async (req: R, reply) => {
      const { json } = await changeGroup(ctx(req), req.params.id!, req.body, "replace");
      return send(reply, 200, json, { etag: json.meta.version });
    });
    scope.patch("/Groups/:id", async (req: R, reply) => {
      const { json } = await changeGroup(ctx(req), req.params.id!, req.body, "patch");
      return send(reply, 200, json, { etag: json.meta.version });
    });
    scope.delete("/Groups/:id", async (req: R, reply) => {
      await deleteGroup(ctx(req), req.params.id!);
      return send(reply, 204);
    });
  }, { prefix: SCIM_PREFIX });
}
