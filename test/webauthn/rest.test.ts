// Passkey credential records over REST: created through the local API, listed per user with the options a browser
// needs (signalAllAcceptedCredentials), renamed (display_name 1–120), deleted (signalUnknownCredential options),
// and removed with their user.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { expectErrorBody, expectResponse } from "../helpers/openapi.js";
import { RFC3339 } from "../rbac/fixtures.js";
import { passkey, passkeysOf, rawCredentialId, user } from "./fixtures.js";

const CREDENTIALS = "/api/v1/webauthn/credentials";

describe("Passkeys over REST", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(async () => { await s?.close(); });

  it("lists a user's passkeys with all_accepted_credentials_options", async () => {
    const u = await user(s);
    const raw = rawCredentialId();
    const full = await passkey(s, u, {
      credential_id: raw.toString("base64url"), display_name: "  My iPhone 15 Pro ", attestation_type: "direct", transports: ["internal", "hybrid"],
      authenticator: { aaguid: "fbfc3007-154e-4ecc-8c0b-6e020557d7bd", name: "iCloud Keychain", attachment: "platform", icon_light: "https://icons.example/l.svg" },
      authenticator_flags: { user_verified: true, backup_eligible: true, backup_state: true },
      user_agent: { raw: "Mozilla/5.0 (iPhone)", browser: "Safari", browser_version: "17.2", os: "iOS", os_version: "17.2", device_type: "mobile", device_model: "iPhone15,2" },
      client_info: { ip: "192.0.2.1", city: "San Francisco", region: "US", region_subdivision: "CA" },
    });
    expect(full).toMatchObject({
      user_id: u, credential_id: raw.toString("base64"), display_name: "My iPhone 15 Pro", attestation_type: "direct", transports: ["internal", "hybrid"],
      authenticator: { aaguid: "fbfc3007-154e-4ecc-8c0b-6e020557d7bd", name: "iCloud Keychain", attachment: "platform", icon_light: "https://icons.example/l.svg", icon_dark: "" },
      authenticator_flags: { user_present: true, user_verified: true, backup_eligible: true, backup_state: true },
      user_agent: { browser: "Safari", os: "iOS", device_type: "mobile", device_model: "iPhone15,2", url: "" },
      client_info: { ip: "192.0.2.1", city: "San Francisco", region: "US", region_subdivision: "CA" },
    });
    expect(full.id).toMatch(/^cred_\d{18}$/);
    expect(full.created_at).toMatch(RFC3339);
    const minimal = await passkey(s, u);
    expect(minimal).toMatchObject({ attestation_type: "none", transports: [], authenticator_flags: { user_present: true, user_verified: true, backup_eligible: false } });
    expect(minimal.display_name).toBeUndefined();
    expect(Buffer.from(minimal.credential_id, "base64")).toHaveLength(32);
    await passkey(s, await user(s)); // someone else's

    const res = await s.rest("GET", `${CREDENTIALS}?user_id=${u}`);
    expectResponse(res, "WebAuthnService_ListCredentials", 200);
    expect(res.body.credentials.map((c: any) => c.id)).toEqual([full.id, minimal.id]);
    expect(res.body.credentials[0]).toEqual(full);
    expect(res.body.all_accepted_credentials_options).toEqual({
      rp_id: "127.0.0.1", user_id: u,
      all_accepted_credential_ids: [raw.toString("base64url"), Buffer.from(minimal.credential_id, "base64").toString("base64url")],
    });

    const none = await s.rest("GET", `${CREDENTIALS}?user_id=${await user(s)}`);
    expectResponse(none, "WebAuthnService_ListCredentials", 200);
    expect(none.body.credentials).toEqual([]);
    expect(none.body.all_accepted_credentials_options.all_accepted_credential_ids).toEqual([]);

    const noUser = await s.rest("GET", CREDENTIALS);
    expect(noUser.status).toBe(400);
    expectErrorBody(noUser.body, 3, "INVALID_ARGUMENT");
    expect(noUser.body.details[0].validation_error_info.field_violations[0].field).toBe("user_id");
    const unknown = await s.rest("GET", `${CREDENTIALS}?user_id=usr_000000000000000001`);
    expect(unknown.status).toBe(404);
    expectErrorBody(unknown.body, 5, "NOT_FOUND");
    expect((await s.rest("GET", `${CREDENTIALS}?user_id=${u}`, undefined, { token: "" })).status).toBe(401);
  });

  it("renames a passkey; display_name must be 1–120 characters", async () => {
    const u = await user(s);
    const c = await passkey(s, u, { display_name: "Old" });
    const res = await s.rest("PATCH", `${CREDENTIALS}/${c.id}`, { display_name: "Work YubiKey 5C" });
    expectResponse(res, "WebAuthnService_UpdateCredential", 200);
    expect(res.body.credential).toMatchObject({ id: c.id, display_name: "Work YubiKey 5C", credential_id: c.credential_id, created_at: c.created_at });
    expect(Date.parse(res.body.credential.updated_at)).toBeGreaterThanOrEqual(Date.parse(c.updated_at));
    expect((await s.db.passkeyCredential.findUniqueOrThrow({ where: { id: c.id } })).displayName).toBe("Work YubiKey 5C");

    const max = "é".repeat(120);
    expectResponse(await s.rest("PATCH", `${CREDENTIALS}/${c.id}`, { display_name: max }), "WebAuthnService_UpdateCredential", 200);
    for (const display_name of ["", "x".repeat(121), "   "]) {
      const bad = await s.rest("PATCH", `${CREDENTIALS}/${c.id}`, { display_name });
      expect(bad.status).toBe(400);
      expectErrorBody(bad.body, 3, "INVALID_ARGUMENT");
      expect(bad.body.details[0].validation_error_info.field_violations[0].field).toBe("display_name");
    }
    expect((await s.db.passkeyCredential.findUniqueOrThrow({ where: { id: c.id } })).displayName).toBe(max);
    const missing = await s.rest("PATCH", `${CREDENTIALS}/cred_000000000000000001`, { display_name: "x" });
    expect(missing.status).toBe(404);
    expectErrorBody(missing.body, 5, "NOT_FOUND");
  });

  it("deletes a passkey and answers with unknown_credential_options", async () => {
    const u = await user(s);
    const raw = rawCredentialId();
    const c = await passkey(s, u, { credential_id: raw.toString("base64") });
    const keep = await passkey(s, u);
    const res = await s.rest("DELETE", `${CREDENTIALS}/${c.id}`);
    expectResponse(res, "WebAuthnService_DeleteCredential", 200);
    expect(res.body).toEqual({ success: true, unknown_credential_options: { rp_id: "127.0.0.1", credential_id: raw.toString("base64url") } });
    expect(await s.db.passkeyCredential.findUnique({ where: { id: c.id } })).toBeNull();
    const list = await s.rest("GET", `${CREDENTIALS}?user_id=${u}`);
    expect(list.body.credentials.map((x: any) => x.id)).toEqual([keep.id]);
    const again = await s.rest("DELETE", `${CREDENTIALS}/${c.id}`);
    expect(again.status).toBe(404);
    expectErrorBody(again.body, 5, "NOT_FOUND");
  });

  it("passkeys go with their user", async () => {
    const u = await user(s);
    const c = await passkey(s, u);
    expect((await s.rest("DELETE", `/api/v1/users/${u}`)).status).toBe(200);
    expect(await s.db.passkeyCredential.findUnique({ where: { id: c.id } })).toBeNull();
  });

  it("the local route validates its input, refuses a duplicate credential id and unknown users, and needs the token", async () => {
    const u = await user(s);
    const raw = rawCredentialId().toString("base64url");
    await passkey(s, u, { credential_id: raw });
    const dup = await s.rest("POST", passkeysOf(await user(s)), { credential_id: raw });
    expect(dup.status).toBe(409);
    expectErrorBody(dup.body, 6, "ALREADY_EXISTS");

    const cases: [unknown, string][] = [
      [{ credential_id: "short" }, "credential_id"],
      [{ credential_id: "not base64!" }, "credential_id"],
      [{ display_name: "x".repeat(121) }, "display_name"],
      [{ display_name: " " }, "display_name"],
      [{ attestation_type: "self" }, "attestation_type"],
      [{ transports: ["carrier-pigeon"] }, "transports"],
      [{ authenticator: { attachment: "glued" } }, "authenticator.attachment"],
      [{ authenticator: { colour: "red" } }, "authenticator.colour"],
      [{ authenticator_flags: { user_verified: "yes" } }, "authenticator_flags.user_verified"],
      [{ user_agent: "Safari" }, "user_agent"],
      [{ client_info: { ip: 1 } }, "client_info.ip"],
    ];
    const before = await s.db.passkeyCredential.count();
    for (const [body, field] of cases) {
      const res = await s.rest("POST", passkeysOf(u), body);
      expect(res.status, `${JSON.stringify(body)} -> ${JSON.stringify(res.body)}`).toBe(400);
      expectErrorBody(res.body, 3, "INVALID_ARGUMENT");
      expect(res.body.details[0].validation_error_info.field_violations[0].field).toBe(field);
    }
    expect(await s.db.passkeyCredential.count()).toBe(before);
    const unknown = await s.rest("POST", passkeysOf("usr_000000000000000001"), {});
    expect(unknown.status).toBe(404);
    expectErrorBody(unknown.body, 5, "NOT_FOUND");
    expect((await s.rest("POST", passkeysOf(u), {}, { token: "" })).status).toBe(401);
  });
});
