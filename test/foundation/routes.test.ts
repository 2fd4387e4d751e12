// The REST surface is derived from the descriptors: every google.api.http binding of every service is routed to
// its own RPC, path variables included, and the coverage of the contract is computed and printed.
import { ScalarType } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { allServices, nodeServices, pythonOnlyServices } from "../../src/protocol/descriptors.js";
import { serviceBindings } from "../../src/protocol/http-rule.js";
import { openApiOperations } from "../../src/protocol/openapi.js";

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(async () => { await s?.close(); });

describe("REST transcoding of the whole contract", () => {
  it("registers every binding of both SDKs' contracts: Node's 17 services (204 RPCs) and the Python-only 15 (151)", () => {
    const rpcs = (list: typeof allServices) => list.reduce((n, svc) => n + svc.methods.length, 0);
    expect(nodeServices).toHaveLength(17);
    expect(rpcs(nodeServices)).toBe(204);
    expect(nodeServices.flatMap(serviceBindings)).toHaveLength(221);
    expect(pythonOnlyServices).toHaveLength(15);
    expect(rpcs(pythonOnlyServices)).toBe(151);
    expect(pythonOnlyServices.map((svc) => svc.typeName)).toContain("scalekit.v1.mcp.McpService");
    expect(s.built.restRoutes).toHaveLength(allServices.flatMap(serviceBindings).length);
    expect(new Set(s.built.restRoutes.map((r) => r.binding.method.parent)).size).toBe(32);
  });

  it("routes each binding to its own RPC with its path variables", async () => {
    const token = await s.token();
    const misrouted: string[] = [];
    for (const r of s.built.restRoutes) {
      if (s.built.registry.isImplemented(r.binding.method)) continue; // those have their own tests
      const numeric = (v: string) => {
        const f = r.binding.method.input.fields.find((x) => x.name === v);
        return f?.fieldKind === "scalar" && f.scalar !== ScalarType.STRING && f.scalar !== ScalarType.BOOL;
      };
      const url = r.binding.path.replace(/\{([^}=]+)(=[^}]*)?\}/g, (_m, v) => (numeric(v) ? "7" : `val_${v.replace(/\W/g, "_")}`)).replace(/\/\*\*$/, "/any/rest");
      const res = await s.built.app.inject({
        method: r.binding.verb as any, url, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        payload: ["POST", "PUT", "PATCH"].includes(r.binding.verb)
          ? (r.binding.method.input.fields.find((f) => f.name === r.binding.body)?.fieldKind === "list" ? "[]" : "{}")
          : undefined,
      });
      const body = res.json();
      const rpc = `${r.binding.method.parent.typeName}/${r.binding.method.name}`;
      if (res.statusCode !== 501 || !String(body.message).includes(rpc) || body.details?.[0]?.error_code !== "UNIMPLEMENTED")
        misrouted.push(`${r.binding.verb} ${url} -> ${res.statusCode} ${body.message}`);
    }
    expect(misrouted).toEqual([]);
  });

  it("matches every operation of the spec to a binding, with the spec's success status", () => {
    const ops = openApiOperations();
    expect(ops).toHaveLength(89);
    const served = new Set(s.built.restRoutes.map((r) => r.operationId).filter(Boolean));
    expect(ops.filter((o) => !served.has(o.operationId)).map((o) => o.operationId)).toEqual([]);
    const create = s.built.restRoutes.find((r) => r.operationId === "OrganizationService_CreateOrganization");
    expect(create?.successStatus).toBe(201);
    const domain = s.built.restRoutes.find((r) => r.operationId === "DomainService_CreateDomain");
    expect(domain?.successStatus).toBe(200);
  });

  it("prints the coverage", () => {
    const methods = allServices.flatMap((svc) => svc.methods);
    const count = (list: typeof allServices) => {
      const ms = list.flatMap((svc) => svc.methods);
      return `${ms.filter((m) => s.built.registry.isImplemented(m)).length}/${ms.length}`;
    };
    const implemented = methods.filter((m) => s.built.registry.isImplemented(m));
    const ops = openApiOperations();
    const servedOps = new Set(s.built.restRoutes.filter((r) => r.operationId && s.built.registry.isImplemented(r.binding.method)).map((r) => r.operationId));
    const byService = allServices.map((svc) => `${svc.name} ${svc.methods.filter((m) => s.built.registry.isImplemented(m)).length}/${svc.methods.length}`);
    console.log([
      `coverage: ${implemented.length}/${methods.length} RPCs implemented (Node SDK's ${count(nodeServices)}, Python-only ${count(pythonOnlyServices)}); ${servedOps.size}/${ops.length} REST operations of the spec served by an implemented RPC`,
      `  by service: ${byService.join(", ")}`,
    ].join("\n"));
    expect(servedOps.size).toBeLessThanOrEqual(ops.length);
  });
});
