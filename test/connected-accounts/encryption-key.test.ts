// The credentials key: SCALEKIT_ENCRYPTION_KEY (32 bytes, hex or base64) is used as given and a bad value stops
// start-up naming the variable; without it a key is generated once, kept in the database, and survives restarts.
import { createDecipheriv, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import { freshDatabase } from "../helpers/database.js";
import { startTestServer } from "../helpers/server.js";

const CA = "/api/v1/connected_accounts";

/** Opens a stored value on its own ("v1.<iv>.<tag>.<ciphertext>", base64url, AAD = the account id). */
function decrypt(stored: string, key: Buffer, accountId: string): any {
  const [version, iv, tag, body] = stored.split(".");
  expect(version).toBe("v1");
  const d = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  d.setAAD(Buffer.from(accountId));
  d.setAuthTag(Buffer.from(tag, "base64url"));
  return JSON.parse(Buffer.concat([d.update(Buffer.from(body, "base64url")), d.final()]).toString("utf8"));
}

describe("credential encryption key", () => {
  it("accepts 32 bytes as hex or base64 and refuses anything else, naming SCALEKIT_ENCRYPTION_KEY", () => {
    const key = randomBytes(32);
    expect(loadConfig({ SCALEKIT_ENCRYPTION_KEY: key.toString("hex") }).encryptionKey).toEqual(key);
    expect(loadConfig({ SCALEKIT_ENCRYPTION_KEY: key.toString("base64") }).encryptionKey).toEqual(key);
    expect(loadConfig({ SCALEKIT_ENCRYPTION_KEY: key.toString("base64url") }).encryptionKey).toEqual(key);
    expect(loadConfig({}).encryptionKey).toBeUndefined();
    for (const bad of ["short", randomBytes(16).toString("hex"), randomBytes(31).toString("base64"), "z".repeat(64)]) {
      expect(() => loadConfig({ SCALEKIT_ENCRYPTION_KEY: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ SCALEKIT_ENCRYPTION_KEY: bad })).toThrow(/SCALEKIT_ENCRYPTION_KEY/);
    }
  });

  it("encrypts with the configured key, and keeps none in the database", async () => {
    const key = randomBytes(32);
    const s = await startTestServer({ env: { SCALEKIT_ENCRYPTION_KEY: key.toString("hex") } });
    try {
      const res = await s.rest("POST", CA, { connector: "gmail", identifier: "u1", connected_account: { authorization_details: { oauth_token: { access_token: "cfg-secret" } } } });
      expect(res.status).toBe(201);
      const row = await s.db.connectedAccount.findUniqueOrThrow({ where: { id: res.body.connected_account.id } });
      expect(decrypt(row.credentials!, key, row.id)).toEqual({ oauth_token: { access_token: "cfg-secret" } });
      expect(await s.db.generatedEncryptionKey.count()).toBe(0);
      // bound to its row: the same ciphertext on another account does not decrypt
      expect(() => decrypt(row.credentials!, key, "ca_000000000000000001")).toThrow();
    } finally { await s.close(); }
  });

  it("generates a key once when none is configured, and reads old credentials after a restart", async () => {
    const database = await freshDatabase();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sk-ca-key-"));
    try {
      const a = await startTestServer({ dataDir, database });
      const res = await a.rest("POST", CA, { connector: "gmail", identifier: "u2", connected_account: { authorization_details: { oauth_token: { access_token: "gen-secret" } } } });
      expect(res.status).toBe(201);
      const [k] = await a.db.generatedEncryptionKey.findMany();
      expect(Buffer.from(k.key, "base64")).toHaveLength(32);
      const row = await a.db.connectedAccount.findUniqueOrThrow({ where: { id: res.body.connected_account.id } });
      expect(decrypt(row.credentials!, Buffer.from(k.key, "base64"), row.id).oauth_token.access_token).toBe("gen-secret");
      await a.close({ keepData: true });

      const b = await startTestServer({ dataDir, database });
      try {
        const got = await b.rest("GET", `${CA}/auth?id=${row.id}`);
        expect(got.body.connected_account.authorization_details.oauth_token.access_token).toBe("gen-secret");
        expect(await b.db.generatedEncryptionKey.count()).toBe(1);
      } finally { await b.close(); }
    } finally { fs.rmSync(dataDir, { recursive: true, force: true }); }
  });
});
