// TLS on the same terms as cleartext: ALPN h2 for gRPC and http/1.1 for REST and the token endpoint, from a
// generated self-signed certificate or from given files; the SDK trusts it through NODE_EXTRA_CA_CERTS.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import http2 from "node:http2";
import path from "node:path";
import { promisify } from "node:util";
import { startTestServer, TEST_CLIENT_ID, TEST_CLIENT_SECRET, type TestServer } from "../helpers/server.js";
import { rpcClient } from "../helpers/grpc.js";
import { organizations } from "../../src/protocol/descriptors.js";

let s: TestServer;
let ca: Buffer;
beforeAll(async () => {
  s = await startTestServer({ env: { TLS: "self-signed" } });
  ca = fs.readFileSync(s.built.tls!.certFile);
});
afterAll(async () => { await s?.close(); });

function h1(pathname: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) {
  return new Promise<{ status: number; alpn: string | false | null; body: string }>((resolve, reject) => {
    const req = https.request(`${s.url}${pathname}`, { ca, method: init.method ?? "GET", headers: init.headers, agent: false, ALPNProtocols: ["http/1.1"] } as https.RequestOptions, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode!, alpn: (res.socket as any).alpnProtocol, body }));
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

describe("TLS", () => {
  it("serves https with a generated certificate in the data directory", async () => {
    expect(s.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(s.built.tls!.certFile).toBe(path.join(s.dataDir, "tls", "cert.pem"));
    const r = await h1("/healthz");
    expect(r.status).toBe(200);
    expect(r.alpn).toBe("http/1.1");
  });

  it("issues tokens over HTTP/1.1 and serves gRPC over ALPN h2", async () => {
    const t = await h1("/oauth/token", {
      method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: TEST_CLIENT_ID, client_secret: TEST_CLIENT_SECRET }).toString(),
    });
    expect(t.status).toBe(200);
    const token = JSON.parse(t.body).access_token;
    const session = http2.connect(s.url, { ca });
    const alpn = await new Promise((r) => session.once("connect", () => r(session.alpnProtocol)));
    expect(alpn).toBe("h2");
    session.close();
    const client = rpcClient(s.url, organizations.OrganizationService, "grpc", token, { ca });
    const res = await client.listOrganization({ pageSize: 10 });
    expect(res.totalSize).toBeGreaterThanOrEqual(0);
  });

  it("refuses clients that do not trust the certificate", async () => {
    await expect(new Promise((resolve, reject) => https.get(`${s.url}/healthz`, { agent: false }, resolve).on("error", reject))).rejects.toThrow(/self.signed|certificate/i);
  });

  it("lets the real SDK connect with NODE_EXTRA_CA_CERTS", async () => {
    const script = `
      import { ScalekitClient } from "@scalekit-sdk/node";
      const c = new ScalekitClient(process.argv[1], process.argv[2], process.argv[3]);
      const r = await c.organization.listOrganization({ pageSize: 10 });
      console.log(JSON.stringify({ ok: Array.isArray(r.organizations) }));`;
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script, s.url, TEST_CLIENT_ID, TEST_CLIENT_SECRET], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: s.built.tls!.certFile }, timeout: 30_000,
    });
    expect(JSON.parse(stdout.trim())).toEqual({ ok: true });
  });

  it("uses given certificate files (TLS_CERT_FILE / TLS_KEY_FILE)", async () => {
    const given = await startTestServer({ env: { TLS_CERT_FILE: s.built.tls!.certFile, TLS_KEY_FILE: path.join(s.dataDir, "tls", "key.pem") } });
    try {
      expect(given.built.tls!.certFile).toBe(s.built.tls!.certFile);
      const r = await new Promise<number>((resolve, reject) =>
        https.get(`${given.url}/healthz`, { ca, agent: false }, (res) => { res.resume(); resolve(res.statusCode!); }).on("error", reject));
      expect(r).toBe(200);
    } finally {
      await given.close();
    }
  });
});
