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

/** One raw HTTP/2 gRPC call: what came back in the headers and trailers, and the body bytes. */
function rawGrpc(path: string, body: Buffer, headers: Record<string, string> = {}): Promise<{ headers: http2.IncomingHttpHeaders; trailers: http2.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(s.url);
    session.on("error", reject);
    const req = session.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers", ...headers });
    let h: http2.IncomingHttpHeaders = {}, t: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    req.on("response", (x) => (h = x));
    req.on("trailers", (x) => (t = x));
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => { session.close(); resolve({ headers: h, trailers: t, body: Buffer.concat(chunks) }); });
    req.on("error", reject);
    req.end(body);
  });
}

const grpcFrame = (message: Uint8Array, compressed = 0) => Buffer.concat([Buffer.from([compressed, ...[24, 16, 8, 0].map((s) => (message.length >>> s) & 0xff)]), message]);

describe("unary gRPC answered directly", () => {
  const path = "/scalekit.v1.organizations.OrganizationService/ListOrganization";

  it("answers one message with status 0 in the trailers", async () => {
    const r = await rawGrpc(path, grpcFrame(new Uint8Array()), { authorization: `Bearer ${await s.token()}` });
    expect(r.headers[":status"]).toBe(200);
    expect(r.headers["content-type"]).toBe("application/grpc");
    expect(r.trailers["grpc-status"]).toBe("0");
    expect(r.body[0]).toBe(0);
    expect(r.body.readUInt32BE(1)).toBe(r.body.length - 5);
  });

  it("refuses malformed frames with INVALID_ARGUMENT, and no token with UNAUTHENTICATED, in the trailers", async () => {
    const auth = { authorization: `Bearer ${await s.token()}` };
    for (const body of [Buffer.alloc(0), Buffer.from([0, 0, 0]), Buffer.from([0, 0, 0, 0, 9, 1, 2])]) {
      const r = await rawGrpc(path, body, auth);
      expect(r.trailers["grpc-status"]).toBe(String(Code.InvalidArgument));
      expect(r.body.length).toBe(0);
    }
    const garbage = await rawGrpc(path, grpcFrame(Buffer.from([0xff, 0xff, 0xff])), auth);
    expect(garbage.trailers["grpc-status"]).toBe(String(Code.InvalidArgument));
    const anonymous = await rawGrpc(path, grpcFrame(new Uint8Array()));
    expect(anonymous.trailers["grpc-status"]).toBe(String(Code.Unauthenticated));
    expect(anonymous.trailers["grpc-status-details-bin"]).toBeTruthy(); // the ErrorInfo the SDKs read
  });

  it("leaves compressed requests and unknown methods to the full gRPC implementation", async () => {
    // a client that compresses its requests (Connect's transport, gzip) still gets its answer
    const { createGrpcTransport, compressionGzip } = await import("@connectrpc/connect-node");
    const { createClient } = await import("@connectrpc/connect");
    const token = await s.token();
    const compressed = createClient(organizations.OrganizationService, createGrpcTransport({
      baseUrl: s.url, sendCompression: compressionGzip, compressMinBytes: 0,
      interceptors: [(next) => (req) => { req.header.set("authorization", `Bearer ${token}`); return next(req); }],
    }));
    const created = await compressed.createOrganization({ organization: { displayName: "Gzip Inc" } });
    expect(created.organization?.displayName).toBe("Gzip Inc");
    expect(await s.db.organization.count({ where: { id: created.organization!.id } })).toBe(1);
    const unknown = await rawGrpc("/scalekit.v1.organizations.OrganizationService/NoSuchMethod", grpcFrame(new Uint8Array()), { authorization: `Bearer ${token}` });
    // a gRPC status, trailers-only, with the ErrorInfo: never an HTTP 404
    expect(unknown.headers[":status"]).toBe(200);
    expect(unknown.headers["grpc-status"]).toBe(String(Code.Unimplemented));
    expect(unknown.headers["grpc-status-details-bin"]).toBeTruthy();
  });
});
