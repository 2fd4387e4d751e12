// The real @scalekit-sdk/node client, pointed at a test server.
import { ScalekitClient } from "@scalekit-sdk/node";
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET, type TestServer } from "./server.js";

export function sdkClient(server: TestServer, creds = { clientId: TEST_CLIENT_ID, clientSecret: TEST_CLIENT_SECRET }): ScalekitClient {
  return new ScalekitClient(server.url, creds.clientId, creds.clientSecret);
}

export * as sdk from "@scalekit-sdk/node";
