// The gRPC surface as a grpc-core client sees it (the Python and Java SDKs): @grpc/grpc-js over TLS with the merged
// contract loaded from its descriptor set. Statuses come as HTTP/2 trailers with grpc-status-details-bin holding a
// google.rpc.Status whose details carry the ErrorInfo; RPCs of both SDKs' surfaces are served.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fs from "node:fs";
import https from "node:https";
import { startTestServer, TEST_CLIENT_ID, TEST_CLIENT_SECRET, type TestServer } from "../helpers/server.js";
import { grpcJsClient, grpcJsError } from "../helpers/grpc-js.js";

let s: TestServer;
let ca: Buffer;
let token: string;
beforeAll(async () => {
  s = await startTestServer({ env: { TLS: "self-signed" } });
  ca = fs.readFileSync(s.built.tls!.certFile);
  token = await new Promise<string>((resolve, reject) => {
    const body = new URLSearchParams({ grant_type: "client_credentials", client_id: TEST_CLIENT_ID, client_secret: TEST_CLIENT_SECRET }).toString();
    const req = https.request(`${s.url}/oauth/token`, { method: "POST", ca, headers: { "content-type": "application/x-www-form-urlencoded" } }, (res) => {
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve(JSON.parse(text).access_token));
    });
    req.on("error", reject);
    req.end(body);
  });
});
afterAll(async () => { await s?.close(); });

describe("grpc-js over TLS", () => {
  it("answers the first call without a token UNAUTHENTICATED with decoded status details, as the SDKs expect", async () => {
    const c = grpcJsClient(s.url, "scalekit.v1.organizations.OrganizationService", { ca });
    const e = await grpcJsError(c.call("ListOrganization", { page_size: 5 }));
    c.close();
    expect(e.code).toBe(16);
    expect(e.status?.code).toBe(16);
    expect(e.status?.errorInfo?.errorCode).toBe("UNAUTHENTICATED");
  });

  it("calls a Node SDK RPC with snake_case messages", async () => {
    const c = grpcJsClient(s.url, "scalekit.v1.organizations.OrganizationService", { ca, token });
    const created = await c.call("CreateOrganization", { organization: { display_name: "grpc-js Org", external_id: "gjs-1" } });
    expect(created.organization.display_name).toBe("grpc-js Org");
    const got = await c.call("GetOrganization", { id: created.organization.id });
    expect(got.organization.external_id).toBe("gjs-1");
    const e = await grpcJsError(c.call("GetOrganization", { id: "org_0" }));
    expect(e.code).toBe(5);
    expect(e.status?.errorInfo?.errorCode).toBe("NOT_FOUND");
    c.close();
  });

  it("serves the Python-only services: authentication first, then their answer", async () => {
    const anon = grpcJsClient(s.url, "scalekit.v1.workspaces.WorkspaceService", { ca });
    expect((await grpcJsError(anon.call("GetCurrentWorkspace", {}))).code).toBe(16);
    anon.close();
    const c = grpcJsClient(s.url, "scalekit.v1.workspaces.WorkspaceService", { ca, token });
    const e = await grpcJsError(c.call("GetCurrentWorkspace", {}));
    c.close();
    expect(e.code).toBe(12);
    expect(e.details).toContain("scalekit.v1.workspaces.WorkspaceService/GetCurrentWorkspace");
    expect(e.status?.errorInfo?.errorCode).toBe("UNIMPLEMENTED");
  });
});

describe("grpc-js over h2c (cleartext HTTP/2, prior knowledge)", () => {
  it("calls a Python-only service and a Node one on the same port", async () => {
    const plain = await startTestServer();
    try {
      const t = await plain.token();
      const orgs = grpcJsClient(plain.url, "scalekit.v1.organizations.OrganizationService", { token: t });
      await orgs.call("CreateOrganization", { organization: { display_name: "h2c Org" } });
      const list = await orgs.call("ListOrganization", { page_size: 5 });
      expect(list.organizations.map((o: any) => o.display_name)).toContain("h2c Org");
      orgs.close();
      const mcp = grpcJsClient(plain.url, "scalekit.v1.mcp.McpService", { token: t });
      const code = await mcp.call("ListMcpConfigs", {}).then(() => 0, (e) => e.code);
      mcp.close();
      expect([0, 12]).toContain(code); // served: implemented or UNIMPLEMENTED, never a transport error
    } finally {
      await plain.close();
    }
  });
});
