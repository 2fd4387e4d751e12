// The REST surface is derived from the descriptors: every google.api.http binding of every service is routed to
// its own RPC, path variables included, and the coverage of the contract is computed and printed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { allServices } from "../../src/protocol/descriptors.js";
import { openApiOperations } from "../../src/protocol/openapi.js";

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(async () => { await s?.close(); });

describe("REST transcoding of the whole contract", () => {
  it("registers all 221 bindings of the 204 RPCs of 17 services", () => {
    expect(allServices).toHaveLength(17);
    expect(allServices.reduce((n, svc) => n + svc.methods.length, 0)).toBe(204);
    expect(s.built.restRoutes).toHaveLength(221);
  });

  it("routes each binding to its own RPC with its path variables", async () => {
    const token = await s.token();
    const misrouted: string[] = [];
    for (const r of s.built.restRoutes) {
      if (s.built.registry.isImplemented(r.binding.method)) continue; // those have their own tests
      const url = r.binding.path.replace(/\{([^}=]+)(=[^}]*)?\}/g, (_m, v) => `val_${v.replace(/\W/g, "_")}`);
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
    const implemented = methods.filter((m) => s.built.registry.isImplemented(m));
    const ops = openApiOperations();
    const servedOps = new Set(s.built.restRoutes.filter((r) => r.operationId && s.built.registry.isImplemented(r.binding.method)).map((r) => r.operationId));
    const byService = allServices.map((svc) => `${svc.name} ${svc.methods.filter((m) => s.built.registry.isImplemented(m)).length}/${svc.methods.length}`);
    console.log([
      `coverage: ${implemented.length}/${methods.length} RPCs implemented; ${servedOps.size}/${ops.length} REST operations of the spec served by an implemented RPC`,
      `  by service: ${byService.join(", ")}`,
    ].join("\n"));
    expect(servedOps.size).toBeLessThanOrEqual(ops.length);
  });
});
