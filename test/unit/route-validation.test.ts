// The one declaration helper for hand-written routes and its error formatter (src/http/route.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Fastify, { type FastifyInstance } from "fastify";
import { Type } from "@sinclair/typebox";
import { acceptForms, route, useContractErrors } from "../../src/http/route.js";

describe("route()", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify();
    await app.register(async (scope) => {
      useContractErrors(scope);
      acceptForms(scope);
      route(scope, {
        method: "POST", url: "/things/:id",
        params: Type.Object({ id: Type.String({ pattern: "^t_", errorMessage: "must start with t_" }) }),
        query: Type.Object({ page_size: Type.Optional(Type.Integer()), dry: Type.Optional(Type.Boolean()) }),
        body: Type.Object({
          name: Type.String({ maxLength: 5 }),
          size: Type.Optional(Type.Integer({ minimum: 1 })),
          tags: Type.Optional(Type.Array(Type.String())),
          kind: Type.Optional(Type.String({ enum: ["a", "b"] })),
          nested: Type.Optional(Type.Object({ x: Type.Optional(Type.Boolean()) }, { additionalProperties: false })),
        }),
        handler: async (req) => ({ params: req.params, query: req.query, body: req.body }),
      });
      route(scope, {
        method: "POST", url: "/optional", body: Type.Object({ n: Type.Optional(Type.Integer()) }),
        handler: async (req) => ({ body: req.body }),
      });
    });
    await app.ready();
  });
  afterAll(async () => { await app.close(); });

  const post = async (url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const r = await app.inject({
      method: "POST", url, headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
      payload: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: r.statusCode, body: r.json() };
  };

  function expectInvalid(r: { status: number; body: any }, field: string, description: string) {
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body).toEqual({
      code: 3, message: `${field}: ${description}`,
      details: [expect.objectContaining({ "@type": "type.googleapis.com/scalekit.v1.errdetails.ErrorInfo", error_code: "INVALID_ARGUMENT" })],
    });
    expect(JSON.stringify(r.body.details[0])).toContain(field);
  }

  it("passes typed input to the handler; query values are converted, body values are taken as sent", async () => {
    const r = await post("/things/t_1?page_size=5&dry=true", { name: "abc", size: 2 });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ params: { id: "t_1" }, query: { page_size: 5, dry: true }, body: { name: "abc", size: 2 } });
    expectInvalid(await post("/things/t_1", { name: "abc", size: "5" }), "size", "must be an integer");
  });

  it("names the field of every kind of failure", async () => {
    expectInvalid(await post("/things/t_1", {}), "name", "is required");
    expectInvalid(await post("/things/t_1", { name: 42 }), "name", "must be a string");
    expectInvalid(await post("/things/t_1", { name: "toolong" }), "name", "must be at most 5 characters");
    expectInvalid(await post("/things/t_1", { name: "a", size: 0 }), "size", "must be at least 1");
    expectInvalid(await post("/things/t_1", { name: "a", kind: "c" }), "kind", "must be one of a, b");
    expectInvalid(await post("/things/t_1", { name: "a", tags: ["x", 1] }), "tags", "must be a string");
    expectInvalid(await post("/things/t_1", { name: "a", nested: { y: 1 } }), "nested.y", "is not a known field (x)");
    expectInvalid(await post("/things/t_1", { name: "a", nested: { x: "yes" } }), "nested.x", "must be true or false");
    expectInvalid(await post("/things/t_1", [1, 2]), "body", "must be a JSON object");
    expectInvalid(await post("/things/x_1", { name: "a" }), "id", "must start with t_");
    expectInvalid(await post("/things/t_1?page_size=abc", { name: "a" }), "page_size", "must be an integer");
  });

  it("treats null members and empty query values as absent, and no body as {}", async () => {
    expect((await post("/things/t_1?page_size=", { name: "a", size: null })).body).toEqual({ params: { id: "t_1" }, query: {}, body: { name: "a" } });
    expect(await post("/optional")).toEqual({ status: 200, body: { body: {} } });
  });

  it("reads HTML form bodies as text, like query strings", async () => {
    const r = await post("/optional", "n=7", { "content-type": "application/x-www-form-urlencoded" });
    expect(r).toEqual({ status: 200, body: { body: { n: 7 } } });
    expectInvalid(await post("/optional", "n=seven", { "content-type": "application/x-www-form-urlencoded" }), "n", "must be an integer");
  });

  it("answers an unparsable body with the contract's error body", async () => {
    const r = await post("/optional", "{not json");
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 3, details: [{ error_code: "INVALID_ARGUMENT" }] });
  });
});
