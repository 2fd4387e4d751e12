// One error model on every transport: unknown RPCs answer UNIMPLEMENTED in their own protocol (never an HTTP 404),
// every 4xx/5xx on /api/v1 and /local/v1 has the contract's {code, message, details[ErrorInfo]} body — Fastify's
// own refusals included — and NUL bytes or over-long values in any REST operation are a 4xx, never a 500.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import http2 from "node:http2";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { decodeStatus, grpcJsClient, grpcJsError } from "../helpers/grpc-js.js";

let s: TestServer;
let token: string;
beforeAll(async () => { s = await startTestServer(); token = await s.token(); });
afterAll(async () => { await s?.close(); });

const ERROR_INFO = "type.googleapis.com/scalekit.v1.errdetails.ErrorInfo";

function expectErrorBody(body: any, code: number) {
  expect(Object.keys(body).sort()).toEqual(["code", "details", "message"]);
  expect(body.code).toBe(code);
  expect(typeof body.message).toBe("string");
  expect(body.details[0]["@type"]).toBe(ERROR_INFO);
}

function h2(path: string, headers: Record<string, string>, body: Buffer) {
  return new Promise<{ headers: http2.IncomingHttpHeaders; trailers: http2.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const session = http2.connect(s.url);
    session.on("error", reject);
    const req = session.request({ ":method": "POST", ":path": path, ...headers });
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

describe("unknown RPCs", () => {
  const unknown = ["/scalekit.v1.organizations.OrganizationService/NoSuchMethod", "/scalekit.v1.nothing.NoService/Call"];

  it("are UNIMPLEMENTED, trailers-only with grpc-status-details-bin, over HTTP/2 gRPC", async () => {
    for (const path of unknown) {
      const r = await h2(path, { "content-type": "application/grpc", te: "trailers", authorization: `Bearer ${token}` }, Buffer.from([0, 0, 0, 0, 0]));
      expect(r.headers[":status"]).toBe(200);
      expect(r.headers["grpc-status"]).toBe("12");
      const status = decodeStatus(Buffer.from(String(r.headers["grpc-status-details-bin"]), "base64"));
      expect(status.code).toBe(12);
      expect(status.errorInfo?.errorCode).toBe("UNIMPLEMENTED");
    }
  });

  it("are UNIMPLEMENTED with decoded details for a grpc-core client (grpc-js)", async () => {
    const c = grpcJsClient(s.url, "scalekit.v1.organizations.OrganizationService", { token });
    const e = await grpcJsError(c.callPath(unknown[1]));
    c.close();
    expect(e.code).toBe(12);
    expect(e.status?.errorInfo?.errorCode).toBe("UNIMPLEMENTED");
  });

  it("are UNIMPLEMENTED for gRPC-web and Connect too", async () => {
    const web = await fetch(`${s.url}${unknown[0]}`, { method: "POST", headers: { "content-type": "application/grpc-web+proto", authorization: `Bearer ${token}` }, body: new Uint8Array(5) });
    expect(web.status).toBe(200);
    expect(web.headers.get("grpc-status")).toBe("12");
    expect(web.headers.get("grpc-status-details-bin")).toBeTruthy();
    const connect = await fetch(`${s.url}${unknown[0]}`, { method: "POST", headers: { "content-type": "application/json", "connect-protocol-version": "1" }, body: "{}" });
    expect(connect.status).toBe(501);
    const body = await connect.json();
    expect(body.code).toBe("unimplemented");
    expect(body.details[0].type).toBe("scalekit.v1.errdetails.ErrorInfo");
  });
});

describe("one error body", () => {
  const cases: [string, string, string | undefined, Record<string, string>, number, number][] = [
    ["bad percent-encoding", "/api/v1/organizations/%E0%A4%A", undefined, {}, 400, 3],
    ["bad percent-encoding (local)", "/local/v1/webhooks/%zz", undefined, {}, 400, 3],
    ["path parameter over the limit", `/api/v1/organizations/${"x".repeat(600)}`, undefined, {}, 400, 3],
    ["malformed JSON", "/api/v1/organizations", "{bad", { "content-type": "application/json" }, 400, 3],
    ["body too large", "/api/v1/organizations", JSON.stringify({ display_name: "x".repeat(2 << 20) }), { "content-type": "application/json" }, 413, 8],
    ["unknown route", "/api/v1/no-such-thing", undefined, {}, 404, 5],
  ];
  for (const [name, path, body, headers, status, code] of cases) {
    it(name, async () => {
      const res = await fetch(`${s.url}${path}`, { method: body === undefined ? "GET" : "POST", headers: { authorization: `Bearer ${token}`, ...headers }, body });
      expect(res.status).toBe(status);
      expectErrorBody(await res.json(), code);
    });
  }

  it("malformed JSON and a bad content type on /local/v1", async () => {
    const bad = await s.rest("POST", "/local/v1/webhooks/endpoints", "{bad", { headers: { "content-type": "application/json" } });
    expect(bad.status).toBe(400);
    expectErrorBody(bad.body, 3);
    const type = await s.rest("POST", "/local/v1/webhooks/endpoints", "a=b", { headers: { "content-type": "text/x-nothing" } });
    expect(type.status).toBeGreaterThanOrEqual(400);
    expect(type.status).toBeLessThan(500);
    expectErrorBody(type.body, 3);
  });
});

describe("NUL bytes and over-long values", () => {
  it("are INVALID_ARGUMENT naming the field on the organization reads", async () => {
    for (const path of ["/api/v1/organizations/org_%00", "/api/v1/organizations:external/ab%00c", "/api/v1/organizations?external_id=a%00b"]) {
      const r = await s.rest("GET", path);
      expect(r.status).toBe(400);
      expectErrorBody(r.body, 3);
      expect(r.body.message).toMatch(/^(id|external_id): must not contain NUL/);
    }
    const grpc = grpcJsClient(s.url, "scalekit.v1.organizations.OrganizationService", { token });
    const e = await grpcJsError(grpc.call("GetOrganization", { id: "org_\u0000" }));
    grpc.close();
    expect(e.code).toBe(3);
  });

  it("never answer 500 on any REST operation of the contract", async () => {
    const failures: string[] = [];
    const routes = s.built.restRoutes;
    for (const r of routes) {
      for (const value of ["a%00b", "x".repeat(520)]) {
        const url = r.binding.path.replace(/\{([^}=]+)(=[^}]*)?\}/g, () => value).replace(/\/\*\*$/, "/a");
        const hasBody = ["POST", "PUT", "PATCH"].includes(r.binding.verb);
        const res = await s.built.app.inject({
          method: r.binding.verb as any, url: `${url}?external_id=a%00b&filter.email=a%00b`,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          payload: hasBody ? JSON.stringify({ name: "a\u0000b", display_name: "a\u0000b", external_id: "a\u0000b" }) : undefined,
        });
        if (res.statusCode >= 500 && res.statusCode !== 501) failures.push(`${r.binding.verb} ${url.slice(0, 80)} -> ${res.statusCode} ${res.body.slice(0, 120)}`);
        else if (res.statusCode >= 400 && res.statusCode !== 501) {
          const body = res.json();
          if (typeof body.code !== "number" || !Array.isArray(body.details)) failures.push(`${r.binding.verb} ${url.slice(0, 80)}: body ${res.body.slice(0, 120)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
