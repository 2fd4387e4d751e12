// Every passkey method of the real @scalekit-sdk/node client (gRPC) against the server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScalekitClient } from "@scalekit-sdk/node";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { sdk, sdkClient, sdkRejection } from "../helpers/sdk.js";
import { passkey, rawCredentialId, user } from "./fixtures.js";

describe("Passkeys through the Node SDK", () => {
  let s: TestServer;
  let client: ScalekitClient;
  beforeAll(async () => { s = await startTestServer({ env: { WEBAUTHN_RP_ID: "auth.example.com" } }); client = sdkClient(s); });
  afterAll(async () => { await s?.close(); });

  it("listCredentials, updateCredential, deleteCredential", async () => {
    const u = await user(s);
    const raw = rawCredentialId();
    const c = await passkey(s, u, { credential_id: raw.toString("base64url"), display_name: "Laptop", transports: ["usb"], authenticator: { name: "YubiKey 5", attachment: "cross-platform" } });

    const listed = await client.webauthn.listCredentials(u);
    expect(listed.credentials).toHaveLength(1);
    expect(listed.credentials[0]).toMatchObject({ id: c.id, userId: u, displayName: "Laptop", transports: ["usb"], authenticator: { name: "YubiKey 5", attachment: "cross-platform" } });
    expect(Buffer.from(listed.credentials[0].credentialId).equals(raw)).toBe(true);
    expect(listed.allAcceptedCredentialsOptions).toMatchObject({ rpId: "auth.example.com", userId: u, allAcceptedCredentialIds: [raw.toString("base64url")] });

    const updated = await client.webauthn.updateCredential(c.id, "Office YubiKey");
    expect(updated.credential).toMatchObject({ id: c.id, displayName: "Office YubiKey" });
    const tooLong = await sdkRejection(client.webauthn.updateCredential(c.id, "x".repeat(121)));
    expect(tooLong).toBeInstanceOf(sdk.ScalekitBadRequestException);
    expect(tooLong.message).toMatch(/display_name/);

    const deleted = await client.webauthn.deleteCredential(c.id);
    expect(deleted).toMatchObject({ success: true, unknownCredentialOptions: { rpId: "auth.example.com", credentialId: raw.toString("base64url") } });
    expect((await client.webauthn.listCredentials(u)).credentials).toEqual([]);

    expect(await sdkRejection(client.webauthn.deleteCredential(c.id))).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect(await sdkRejection(client.webauthn.updateCredential(c.id, "Gone"))).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect(await sdkRejection(client.webauthn.listCredentials("usr_000000000000000001"))).toBeInstanceOf(sdk.ScalekitNotFoundException);
  });
});
