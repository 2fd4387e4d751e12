// Every /api/v1 route and every RPC, implemented or not, refuses bad credentials the same way: 401 with the
// API error body over REST, UNAUTHENTICATED with an ErrorInfo over gRPC.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHmac } from "node:crypto";
import { SignJWT, generateKeyPair, importJWK, type JWK } from "jose";
import { Code, ConnectError } from "@connectrpc/connect";
import type { DescMethod } from "@bufbuild/protobuf";
import { startTestServer, TEST_CLIENT_ID, type TestServer } from "../helpers/server.js";
import { rpcClient } from "../helpers/grpc.js";
import { allServices, errdetails, organizations } from "../../src/protocol/descriptors.js";

let s: TestServer;
const bad: Record<string, string | undefined> = {};

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");

beforeAll(async () => {
  s = await startTestServer();
  const key = (await s.db.signingKey.findFirstOrThrow({ where: { active: true } }));
  const kid = key.kid;
  const privateKey = await importJWK(key.privateJwk as JWK, "RS256");
  const now = Math.floor(Date.now() / 1000);
  const claims = { client_id: TEST_CLIENT_ID, scopes: [] };
  const other = await generateKeyPair("RS256");

  bad["missing"] = undefined;
  bad["empty"] = "";
  bad["not bearer"] = `Basic ${Buffer.from("a:b").toString("base64")}`;
  bad["bearer without token"] = "Bearer ";
  bad["garbage"] = "Bearer not-a-jwt";
  bad["expired"] = `Bearer ${await new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid }).setIssuedAt(now - 7200).setExpirationTime(now - 3600).sign(privateKey)}`;
  bad["wrongly signed"] = `Bearer ${await new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid }).setIssuedAt().setExpirationTime("1h").sign(other.privateKey)}`;
  bad["unknown kid"] = `Bearer ${await new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "snk_000000000000000001" }).setIssuedAt().setExpirationTime("1h").sign(other.privateKey)}`;
  bad["no kid"] = `Bearer ${await new SignJWT(claims).setProtectedHeader({ alg: "RS256" }).setIssuedAt().setExpirationTime("1h").sign(privateKey)}`;
  bad["alg none"] = `Bearer ${b64({ alg: "none", kid })}.${b64({ ...claims, exp: now + 3600 })}.`;
  const unsigned = `${b64({ alg: "HS256", kid, typ: "JWT" })}.${b64({ ...claims, exp: now + 3600 })}`;
  const publicJwk = JSON.stringify(key.publicJwk);
  bad["HS256 with the public key"] = `Bearer ${unsigned}.${createHmac("sha256", publicJwk).update(unsigned).digest("base64url")}`;
  const pem = (await fetch(`${s.url}/keys`).then((r) => r.json())).keys[0];
  bad["HS256 with the JWKS n"] = `Bearer ${unsigned}.${createHmac("sha256", pem.n).update(unsigned).digest("base64url")}`;
  bad["valid signature, no client_id"] = `Bearer ${await new SignJWT({ scopes: [] }).setProtectedHeader({ alg: "RS256", kid }).setIssuedAt().setExpirationTime("1h").sign(privateKey)}`;
});
afterAll(async () => { await s?.close(); });

function expectUnauthenticatedBody(r: { status: number; body: any }) {
  expect(r.status).toBe(401);
  expect(r.body.code).toBe(16);
  expect(typeof r.body.message).toBe("string");
  expect(r.body.details).toEqual([{ "@type": "type.googleapis.com/scalekit.v1.errdetails.ErrorInfo", error_code: "UNAUTHENTICATED" }]);
}

const unimplemented = (): DescMethod => {
  for (const svc of allServices) for (const m of svc.methods) if (!s.built.registry.isImplemented(m) && m.methodKind === "unary") return m;
  throw new Error("every method is implemented");
};

describe("REST", () => {
  const routes = ["GET /api/v1/organizations", "POST /api/v1/organizations", "GET /api/v1/users", "DELETE /api/v1/organizations/org_1", "GET /api/v1/no-such-route"];
  it.each(["missing", "empty", "not bearer", "bearer without token", "garbage", "expired", "wrongly signed", "unknown kid", "no kid", "alg none", "HS256 with the public key", "HS256 with the JWKS n", "valid signature, no client_id"])("rejects %s", async (name) => {
    for (const route of routes) {
      const [method, path] = route.split(" ");
      const headers: Record<string, string> = bad[name] === undefined ? {} : { authorization: bad[name]! };
      const r = await s.rest(method, path, method === "POST" ? { display_name: "x" } : undefined, { token: "", headers });
      expectUnauthenticatedBody(r);
    }
  });

  it("rejects before reading a malformed body", async () => {
    const r = await s.rest("POST", "/api/v1/organizations", "{not json", { token: "" });
    expectUnauthenticatedBody(r);
  });

  it("an unimplemented method answers 501 with the error body once authenticated", async () => {
    const route = s.built.restRoutes.find((r) => !s.built.registry.isImplemented(r.binding.method) && r.binding.verb === "GET" && !r.binding.path.includes("{"));
    expect(route).toBeDefined();
    const r = await s.rest("GET", route!.binding.path);
    expect(r.status).toBe(501);
    expect(r.body.code).toBe(12);
    expect(r.body.details[0].error_code).toBe("UNIMPLEMENTED");
  });
});

describe("gRPC", () => {
  async function expectUnauthenticated(p: Promise<unknown>) {
    const e = await p.then(() => undefined, (x) => x);
    expect(e).toBeInstanceOf(ConnectError);
    expect((e as ConnectError).code).toBe(Code.Unauthenticated);
    const info = (e as ConnectError).findDetails(errdetails.ErrorInfoSchema);
    expect(info[0]?.errorCode).toBe("UNAUTHENTICATED");
  }

  it.each(["missing", "garbage", "expired", "wrongly signed", "unknown kid", "alg none", "HS256 with the public key", "valid signature, no client_id"])("rejects %s on implemented and unimplemented RPCs", async (name) => {
    const header = bad[name];
    const token = header?.replace(/^Bearer /, "");
    const client = rpcClient(s.url, organizations.OrganizationService, "grpc", token);
    await expectUnauthenticated(client.listOrganization({ pageSize: 10 }));
    const m = unimplemented();
    const other: any = rpcClient(s.url, m.parent, "grpc", token);
    await expectUnauthenticated(other[m.localName]({}));
  });

  it("an unimplemented RPC answers UNIMPLEMENTED with an ErrorInfo once authenticated", async () => {
    const m = unimplemented();
    const client: any = rpcClient(s.url, m.parent, "grpc", await s.token());
    const e = await client[m.localName]({}).then(() => undefined, (x: unknown) => x);
    expect((e as ConnectError).code).toBe(Code.Unimplemented);
    expect((e as ConnectError).findDetails(errdetails.ErrorInfoSchema)[0]?.errorCode).toBe("UNIMPLEMENTED");
  });
});

describe("a token that was accepted before", () => {
  it("is refused once it expires: verified tokens are remembered, their expiry is checked on every call", async () => {
    const key = await s.db.signingKey.findFirstOrThrow({ where: { active: true } });
    const privateKey = await importJWK(key.privateJwk as JWK, "RS256");
    const exp = Math.floor(Date.now() / 1000) + 2;
    const token = await new SignJWT({ client_id: TEST_CLIENT_ID, scopes: [] }).setProtectedHeader({ alg: "RS256", kid: key.kid }).setIssuedAt().setExpirationTime(exp).sign(privateKey);
    for (let i = 0; i < 3; i++) expect((await s.rest("GET", "/api/v1/organizations", undefined, { token })).status).toBe(200);
    // wait until the second after exp, by the server's clock (the same machine)
    while (Math.floor(Date.now() / 1000) < exp) await new Promise((r) => setTimeout(r, 100));
    expectUnauthenticatedBody(await s.rest("GET", "/api/v1/organizations", undefined, { token }));
  });
});
