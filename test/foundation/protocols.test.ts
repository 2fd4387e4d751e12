// One cleartext port speaks HTTP/1.1 and h2c at once: REST and the token endpoint over HTTP/1.1, gRPC over
// HTTP/2 prior knowledge, Connect and gRPC-web over HTTP/1.1; and the real SDK's lazy authentication works.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import { Code, ConnectError } from "@connectrpc/connect";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { rpcClient } from "../helpers/grpc.js";
import { sdkClient } from "../helpers/sdk.js";
import { organizations } from "../../src/protocol/descriptors.js";

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(async () => { await s?.close(); });

function h1Get(path: string): Promise<{ status: number; httpVersion: string; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(`${s.url}${path}`, { agent: false }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode!, httpVersion: res.httpVersion, body }));
    }).on("error", reject);
  });
}

function h2Get(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(s.url);
    session.on("error", reject);
    const req = session.request({ ":path": path });
    let body = "", status = 0;
    req.on("response", (h) => (status = Number(h[":status"])));
    req.on("data", (c) => (body += c));
    req.on("end", () => { session.close(); resolve({ status, body }); });
    req.end();
  });
}

describe("one port", () => {
  it("serves HTTP/1.1 and h2c concurrently", async () => {
    const token = await s.token();
    const grpc = rpcClient(s.url, organizations.OrganizationService, "grpc", token);
    const [h1, h2, rpc, ready] = await Promise.all([
      h1Get("/healthz"), h2Get("/healthz"), grpc.listOrganization({ pageSize: 10 }), h1Get("/readyz"),
    ]);
    expect(h1).toMatchObject({ status: 200, httpVersion: "1.1" });
    expect(h2.status).toBe(200);
    expect(JSON.parse(h2.body)).toEqual({ status: "ok" });
    expect(rpc.organizations).toBeDefined();
    expect(ready.status).toBe(200);
  });

  it("tags gRPC answers with a request id, echoing the caller's", async () => {
    const client = rpcClient(s.url, organizations.OrganizationService, "grpc", await s.token());
    let header: Headers | undefined;
    await client.listOrganization({ pageSize: 10 }, { onHeader: (h) => { header = h; } });
    expect(header?.get("x-request-id")).toMatch(/^req_[0-9a-f]{32}$/);
    await client.listOrganization({ pageSize: 10 }, { headers: { "x-request-id": "trace-123" }, onHeader: (h) => { header = h; } });
    expect(header?.get("x-request-id")).toBe("trace-123");
  });

  it("speaks Connect and gRPC-web over HTTP/1.1", async () => {
    const token = await s.token();
    for (const protocol of ["connect", "grpc-web"] as const) {
      const client = rpcClient(s.url, organizations.OrganizationService, protocol, token);
      const res = await client.listOrganization({ pageSize: 10 });
      expect(res.totalSize).toBeGreaterThanOrEqual(0);
      const anon = rpcClient(s.url, organizations.OrganizationService, protocol);
      const e = await anon.listOrganization({}).then(() => undefined, (x) => x);
      expect((e as ConnectError).code).toBe(Code.Unauthenticated);
    }
  });

  it("survives clients that connect and send nothing, or garbage", async () => {
    const idle = net.connect(Number(new URL(s.url).port), "127.0.0.1");
    await new Promise((r) => idle.once("connect", r));
    const junk = net.connect(Number(new URL(s.url).port), "127.0.0.1");
    await new Promise((r) => junk.once("connect", r));
    junk.write("PRI * HTTP/2.0\r\n\r\nXX garbage");
    junk.destroy();
    expect((await h1Get("/healthz")).status).toBe(200);
    idle.destroy();
  });
});

describe("the real SDK", () => {
  // The SDK sends its first RPC without a token; only an UNAUTHENTICATED answer makes it fetch one and retry.
  it("gets UNAUTHENTICATED first, fetches a token, retries and succeeds", async () => {
    const client = sdkClient(s);
    const res = await client.organization.listOrganization({ pageSize: 10 });
    expect(Array.isArray(res.organizations)).toBe(true);
    const again = await client.organization.listOrganization({ pageSize: 10 });
    expect(again.totalSize).toBe(res.totalSize);
  });

  it("surfaces a wrong secret as the SDK's own error, not a hang", async () => {
    const client = sdkClient(s, { clientId: "skc_100000000000000001", clientSecret: "test_wrong_secret_value_123456" });
    await expect(client.organization.listOrganization({ pageSize: 10 })).rejects.toThrow();
  });
});
