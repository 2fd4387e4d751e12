// Login requests for "Bring your own Auth", standing in for the hosted authorization flow that would open them:
//   POST /local/v1/connections/{connection_id}/login-requests  {expires_in_seconds?}  -> 201 {login_request}
//   GET  /local/v1/login-requests/{id}                                               -> 200 {login_request}
// The login_request's id is what the app passes to UpdateLoginUserDetails; GET shows the user details it sent.
import type { FastifyInstance } from "fastify";
import { Type } from "@sinclair/typebox";
import type { ServiceDeps } from "../deps.js";
import { IdParams } from "../../http/fields.js";
import { route } from "../../http/route.js";
import { loginRequestJson } from "./mapping.js";
import { DEFAULT_LOGIN_REQUEST_TTL_SECONDS, MAX_LOGIN_REQUEST_TTL_SECONDS, findLoginRequest, openLoginRequest } from "./store.js";

const NewLoginRequest = Type.Object({
  expires_in_seconds: Type.Optional(Type.Integer({
    minimum: 1, maximum: MAX_LOGIN_REQUEST_TTL_SECONDS, errorMessage: `must be an integer from 1 to ${MAX_LOGIN_REQUEST_TTL_SECONDS}`,
  })),
});

export async function loginRequestLocalRoutes(scope: FastifyInstance, deps: ServiceDeps): Promise<void> {
  route(scope, {
    method: "POST", url: "/connections/:connection_id/login-requests",
    params: Type.Object({ connection_id: Type.String() }), body: NewLoginRequest,
    handler: async (req, reply) => {
      const ttl = req.body.expires_in_seconds ?? DEFAULT_LOGIN_REQUEST_TTL_SECONDS;
      const row = await openLoginRequest(deps.db, req.params.connection_id, ttl);
      return reply.code(201).send({ login_request: loginRequestJson(row) });
    },
  });

  route(scope, {
    method: "GET", url: "/login-requests/:id", params: IdParams,
    handler: async (req) => ({ login_request: loginRequestJson(await findLoginRequest(deps.db, req.params.id)) }),
  });
}
