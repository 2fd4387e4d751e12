// POST /local/v1/sessions: creates a session for a user, standing in for hosted login until it exists.
import type { FastifyInstance } from "fastify";
import type { ServiceDeps } from "../deps.js";
import { invalidArgument } from "../../protocol/errors.js";
import { createSession } from "./service.js";
import { sessionJson } from "./mapping.js";

type Json = Record<string, unknown>;

function str(b: Json, field: string): string | undefined {
  const v = b[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalidArgument(field, "must be a string");
  return v;
}

function int(b: Json, field: string): number | undefined {
  const v = b[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v)) throw invalidArgument(field, "must be an integer");
  return v;
}

export async function sessionLocalRoutes(scope: FastifyInstance, deps: ServiceDeps): Promise<void> {
  scope.post("/sessions", async (req, reply) => {
    const raw = req.body ?? {};
    if (typeof raw !== "object" || Array.isArray(raw)) throw invalidArgument("body", "must be a JSON object");
    const b = raw as Json;
    const userId = str(b, "user_id");
    if (!userId) throw invalidArgument("user_id", "is required");
    const row = await createSession(deps.db, {
      userId, organizationId: str(b, "organization_id") || undefined, userAgent: str(b, "user_agent"), ip: str(b, "ip"),
      browser: str(b, "browser"), browserVersion: str(b, "browser_version"), os: str(b, "os"), osVersion: str(b, "os_version"),
      deviceType: str(b, "device_type"), idleTimeoutSeconds: int(b, "idle_timeout_seconds"), absoluteTimeoutSeconds: int(b, "absolute_timeout_seconds"),
    });
    return reply.code(201).send({ session: sessionJson(row) });
  });
}
