// The real @scalekit-sdk/node client, pointed at a test server.
import { expect } from "vitest";
import { ScalekitClient, ScalekitServerException } from "@scalekit-sdk/node";
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET, type TestServer } from "./server.js";

export function sdkClient(server: TestServer, creds = { clientId: TEST_CLIENT_ID, clientSecret: TEST_CLIENT_SECRET }): ScalekitClient {
  return new ScalekitClient(server.url, creds.clientId, creds.clientSecret);
}

export * as sdk from "@scalekit-sdk/node";

/** The SDK exception a call ends with; fails the test if the call succeeded or threw something else. */
export async function sdkRejection(p: Promise<unknown>): Promise<ScalekitServerException> {
  const e = await p.then(() => undefined, (err) => err);
  expect(e, "the call should have failed").toBeInstanceOf(ScalekitServerException);
  return e as ScalekitServerException;
}
