// POST /local/v1/sessions: creates a session for a user, standing in for hosted login until it exists.
import type { FastifyInstance } from "fastify";
import { Type } from "@sinclair/typebox";
import type { ServiceDeps } from "../deps.js";
import { route } from "../../http/route.js";
import { invalidArgument } from "../../protocol/errors.js";
import { createSession } from "./service.js";
import { sessionJson } from "./mapping.js";

const Text = Type.Optional(Type.String());
const NewSession = Type.Object({
  user_id: Type.String(), organization_id: Text, user_agent: Text, ip: Text, browser: Text, browser_version: Text,
  os: Text, os_version: Text, device_type: Text,
  idle_timeout_seconds: Type.Optional(Type.Integer()), absolute_timeout_seconds: Type.Optional(Type.Integer()),
});

export async function sessionLocalRoutes(scope: FastifyInstance, deps: ServiceDeps): Promise<void> {
  route(scope, {
    method: "POST", url: "/sessions", body: NewSession,
    handler: async (req, reply) => {
      const b = req.body;
      if (!b.user_id) throw invalidArgument("user_id", "is required");
      const row = await createSession(deps.db, {
        userId: b.user_id, organizationId: b.organization_id || undefined, userAgent: b.user_agent, ip: b.ip,
        browser: b.browser, browserVersion: b.browser_version, os: b.os, osVersion: b.os_version, deviceType: b.device_type,
        idleTimeoutSeconds: b.idle_timeout_seconds, absoluteTimeoutSeconds: b.absolute_timeout_seconds,
      });
      return reply.code(201).send({ session: sessionJson(row) });
    },
  });
}
