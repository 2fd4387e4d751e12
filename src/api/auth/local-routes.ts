// Login requests for "Bring your own Auth", standing in for the hosted authorization flow that would open them:
//   POST /local/v1/connections/{connection_id}/login-requests  {expires_in_seconds?}  -> 201 {login_request}
//   GET  /local/v1/login-requests/{id}                                               -> 200 {login_request}
// The login_request's id is what the app passes to UpdateLoginUserDetails; GET shows the user details it sent.
import type { FastifyInstance } from "fastify";
import type { ServiceDeps } from "../deps.js";
import { invalidArgument } from "../../protocol/errors.js";
import { loginRequestJson } from "./mapping.js";
import { DEFAULT_LOGIN_REQUEST_TTL_SECONDS, MAX_LOGIN_REQUEST_TTL_SECONDS, findLoginRequest, openLoginRequest } from "./store.js";

type Json = Record<string, unknown>;

export async function loginRequestLocalRoutes(scope: FastifyInstance, deps: ServiceDeps): Promise<void> {
  scope.post("/connections/:connection_id/login-requests", async (req, reply) => {
    const { connection_id: connectionId } = req.params as { connection_id: string };
    const raw = req.body ?? {};
    if (typeof raw !== "object" || Array.isArray(raw)) throw invalidArgument("body", "must be a JSON object");
    const b = raw as Json;
    const ttl = b.expires_in_seconds ?? DEFAULT_LOGIN_REQUEST_TTL_SECONDS;
    if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < 1 || ttl > MAX_LOGIN_REQUEST_TTL_SECONDS)
      throw invalidArgument("expires_in_seconds", `must be an integer from 1 to ${MAX_LOGIN_REQUEST_TTL_SECONDS}`);
    const row = await openLoginRequest(deps.db, connectionId, ttl);
    return reply.code(201).send({ login_request: loginRequestJson(row) });
  });

  scope.get("/login-requests/:id", async (req) => {
    const { id } = req.params as { id: string };
    return { login_request: loginRequestJson(await findLoginRequest(deps.db, id)) };
  });
}
