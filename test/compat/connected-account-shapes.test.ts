// The authorization_details shapes the SDKs send (issue 14 item 3): static credentials are a Struct the SDKs
// fill from the caller's own keys (domain/username/password, api_key, token, client_id/client_secret, ...), kept
// snake_case as passed and returned unchanged; over REST the same as proto JSON.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScalekitClient } from "@scalekit-sdk/node";
import { connectedAccounts as pb } from "../../src/protocol/descriptors.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { sdkClient } from "../helpers/sdk.js";
import { organization, unique } from "../rbac/fixtures.js";

const CA = "/api/v1/connected_accounts";
const SHAPES: Record<string, Record<string, unknown>> = {
  basic: { domain: "acme.atlassian.net", username: "ada@acme.test", password: "s3cret" },
  api_key: { api_key: "key_123", domain: "api.acme.test" },
  bearer: { token: "tok_456" },
  client_credentials: { client_id: "cid", client_secret: "csecret", base_url: "https://acme.test", scopes: ["a", "b"] },
  nested: { account: { region: "eu", sandbox: true }, port: 8443 },
};

describe("connected accounts: authorization_details shapes", () => {
  let s: TestServer;
  let sk: ScalekitClient;
  beforeAll(async () => { s = await startTestServer(); sk = sdkClient(s); });
  afterAll(async () => { await s?.close(); });

  it("takes every static shape through the Node SDK and gives it back as sent", async () => {
    const org = await organization(s);
    for (const [name, details] of Object.entries(SHAPES)) {
      const identifier = unique(name);
      const created = await sk.connectedAccounts.createConnectedAccount({
        connector: `static-${name}`, identifier, organizationId: org,
        connectedAccount: { authorizationDetails: { details: { case: "staticAuth", value: { details } } } } as any,
      });
      expect(created.connectedAccount!.status).toBe(pb.ConnectorStatus.ACTIVE);
      const got = await sk.connectedAccounts.getConnectedAccountByIdentifier({ connector: `static-${name}`, identifier, organizationId: org });
      expect(got.connectedAccount!.authorizationDetails!.details).toEqual({ case: "staticAuth", value: expect.objectContaining({ details }) });
    }
  });

  it("takes the Python SDK's shape over REST ({static_auth: {details: {...}}}) and the same keys back", async () => {
    const org = await organization(s);
    const identifier = unique("py");
    const res = await s.rest("POST", CA, {
      connector: "jira", identifier, organization_id: org,
      connected_account: { authorization_details: { static_auth: { details: SHAPES.basic } } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.connected_account.authorization_details).toEqual({ static_auth: { details: SHAPES.basic } });
    const auth = await s.rest("GET", `${CA}/auth?connector=jira&identifier=${identifier}&organization_id=${org}`);
    expect(auth.status, JSON.stringify(auth.body)).toBe(200);
    expect(auth.body.connected_account.authorization_details.static_auth.details).toEqual(SHAPES.basic);
    // credentials are stored encrypted, never as the plain JSON
    const row = await s.db.connectedAccount.findUniqueOrThrow({ where: { id: res.body.connected_account.id } });
    expect(JSON.stringify(row)).not.toContain("s3cret");
  });

  it("an empty static_auth carries no credentials: the account waits for them (PENDING_AUTH)", async () => {
    const res = await s.rest("POST", CA, {
      connector: "jira", identifier: unique("empty"), connected_account: { authorization_details: { static_auth: { details: {} } } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.connected_account.status).toBe("PENDING_AUTH");
  });
});
