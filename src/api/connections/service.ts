// ConnectionService: SSO connections of organizations and the environment's own connections (login methods and
// app connectors), implemented once for gRPC and REST. GetConnectionTestResult reads what a run of the
// connection's test flow (src/sso/connection-tests.ts) found.
import { connections } from "../../protocol/descriptors.js";
import { implementChecked } from "../../protocol/descriptor-rules.js";
import type { ServiceDeps } from "../deps.js";
import { connectionLists } from "./lists.js";
import { envKey, orgKey, type ConnectionKey } from "./store.js";
import { connectionWrites } from "./writes.js";
import { invalidArgument, notFound } from "../../protocol/errors.js";
import { testResult } from "../../sso/connection-tests.js";

export function connectionService(deps: ServiceDeps) {
  const w = connectionWrites(deps);
  const lists = connectionLists(deps.db);

  /** Context routes exist with and without the organization in the path; without it, any connection by id. */
  async function contextKey(organizationId: string, connectionId: string): Promise<ConnectionKey> {
    if (organizationId) return orgKey(organizationId, connectionId);
    const row = await deps.db.connection.findUnique({ where: { id: connectionId }, select: { organizationId: true } });
    if (!row) throw notFound("connection", connectionId);
    return { organizationId: row.organizationId, id: connectionId };
  }

  return implementChecked(connections.ConnectionService, {
    async createConnection(req) {
      if (!req.organizationId) throw invalidArgument("organization_id", "is required");
      return w.create({ organizationId: req.organizationId, connection: req.connection });
    },
    async createEnvironmentConnection(req) {
      return w.create({ organizationId: null, connection: req.connection, flags: req.flags });
    },

    async getConnection(req) {
      return w.get(orgKey(req.organizationId, req.id));
    },
    async getEnvironmentConnection(req) {
      return w.get(envKey(req.connectionId));
    },

    async updateConnection(req) {
      return w.update(orgKey(req.organizationId, req.id), req.connection);
    },
    async updateEnvironmentConnection(req) {
      return w.update(envKey(req.connectionId), req.connection);
    },

    async deleteConnection(req) {
      return w.remove(orgKey(req.organizationId, req.id));
    },
    async deleteEnvironmentConnection(req) {
      return w.remove(envKey(req.connectionId));
    },

    async enableConnection(req) {
      return w.toggle(orgKey(req.organizationId, req.id), true);
    },
    async disableConnection(req) {
      return w.toggle(orgKey(req.organizationId, req.id), false);
    },
    async enableEnvironmentConnection(req) {
      return w.toggle(envKey(req.connectionId), true);
    },
    async disableEnvironmentConnection(req) {
      return w.toggle(envKey(req.connectionId), false);
    },

    async assignDomainsToConnection(req) {
      return w.assignDomains(orgKey(req.organizationId, req.connectionId), req.domainIds);
    },

    async listConnections(req) {
      return lists.list(req);
    },
    async listOrganizationConnections(req) {
      return lists.listOrganizationConnections(req);
    },
    async searchOrganizationConnections(req) {
      return lists.searchOrganizationConnections(req);
    },
    async listAppConnections(req) {
      return lists.listAppConnections(req);
    },

    async getConnectionContext(req) {
      return w.getContext(await contextKey(req.organizationId, req.connectionId));
    },
    async getConnectionTestResult(req) {
      if (!req.connectionId) throw invalidArgument("connection_id", "is required");
      if (!req.testRequestId) throw invalidArgument("test_request_id", "is required");
      const row = await testResult(deps.db, req.connectionId, req.testRequestId);
      if (!row) throw notFound("test request", req.testRequestId);
      return {
        status: row.status as connections.TestResultStatus, userInfo: row.userInfo ?? undefined, error: row.error ?? undefined,
        errorDescription: row.errorDescription ?? undefined, errorDetails: row.errorDetails ?? undefined,
      };
    },
    async updateConnectionContext(req) {
      return w.updateContext(await contextKey(req.organizationId, req.connectionId), req.context);
    },
  });
}


