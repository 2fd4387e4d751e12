// Generic REST transcoding rules, checked through an implemented service: unknown JSON fields are discarded
// (as grpc-gateway does), but an unknown enum name or a wrongly typed value is the client's mistake: 400.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { toRouterPath } from "../../src/protocol/rest.js";

let s: TestServer;
let orgId: string;
beforeAll(async () => {
  s = await startTestServer();
  orgId = (await s.rest("POST", "/api/v1/organizations", { display_name: "Transcoder" })).body.organization.id;
});
afterAll(async () => { await s?.close(); });

describe("REST transcoder", () => {
  it("turns templates into router paths, custom verbs included", () => {
    expect(toRouterPath("/api/v1/organizations/{id}")).toEqual({ url: "/api/v1/organizations/:id", vars: ["id"] });
    expect(toRouterPath("/api/v1/connections/{id}:enable")).toEqual({ url: "/api/v1/connections/:id(^[^:/]+)::enable", vars: ["id"] });
    expect(toRouterPath("/api/v1/organizations:search").url).toBe("/api/v1/organizations::search");
  });

  it("discards unknown fields, accepts camelCase", async () => {
    const r = await s.rest("POST", "/api/v1/organizations", { displayName: "Camel", no_such_field: 1, metadata: { team: "abc" } });
    expect(r.status).toBe(201);
    expect(r.body.organization).toMatchObject({ display_name: "Camel", metadata: { team: "abc" } });
  });

  it("rejects an unknown enum name in a query parameter, naming the field", async () => {
    const r = await s.rest("PUT", `/api/v1/organizations/${orgId}/portal_links?features=no_such_feature`);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe(3);
    expect(r.body.message).toContain("features");
  });

  it("rejects wrongly typed values and non-object bodies", async () => {
    const typed = await s.rest("POST", "/api/v1/organizations", { display_name: 42 });
    expect(typed.status).toBe(400);
    expect(typed.body.message).toContain("display_name");
    const array = await s.rest("PATCH", `/api/v1/organizations/${orgId}`, "[1,2]");
    expect(array.status).toBe(400);
    const broken = await s.rest("POST", "/api/v1/organizations", "{broken");
    expect(broken.status).toBe(400);
    expect(broken.body.details[0].error_code).toBe("INVALID_ARGUMENT");
  });

  it("rejects a bad boolean or integer query value instead of guessing", async () => {
    const r = await s.rest("GET", "/api/v1/organizations?page_size=ten");
    expect(r.status).toBe(400);
    expect(r.body.message).toContain("page_size");
  });

  it("treats a JSON body sent as form-encoded (curl -d) as JSON", async () => {
    const r = await s.rest("POST", "/api/v1/organizations", JSON.stringify({ display_name: "Curl" }), { headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(r.status).toBe(201);
  });

  it("answers 413-class oversize bodies with the error body, not a crash", async () => {
    const r = await s.rest("POST", "/api/v1/organizations", JSON.stringify({ display_name: "x".repeat(2 << 20) }));
    expect([400, 413, 429]).toContain(r.status);
    expect(r.body.details[0]["@type"]).toBe("type.googleapis.com/scalekit.v1.errdetails.ErrorInfo");
  });
});
