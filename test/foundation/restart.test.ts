// A restart keeps everything: signing keys (tokens issued before still work), the environment, the generated
// environment client and its secret, and data. File-backed PGlite by default; the same PostgreSQL database
// when TEST_DATABASE_URL is set.
import { afterAll, describe, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { freshDatabase } from "../helpers/database.js";
import { newId } from "../../src/protocol/ids.js";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sk-restart-"));
const generated = { SCALEKIT_CLIENT_ID: "", SCALEKIT_CLIENT_SECRET: "" };
let last: TestServer | undefined;
afterAll(async () => {
  await last?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("restart", () => {
  it("keeps keys, credentials and data", async () => {
    const database = await freshDatabase();
    const s1 = await startTestServer({ dataDir, database, env: generated });
    const creds1 = s1.built.credentials;
    expect(creds1.source).toBe("generated");
    expect(creds1.clientId).toMatch(/^skc_\d{18}$/);
    expect(creds1.clientSecret).toMatch(/^test_[A-Za-z0-9]{64}$/);
    const token1 = await s1.token();
    const orgId = newId("org");
    await s1.db.organization.create({ data: { id: orgId, displayName: "Survives restarts" } });
    const kid1 = (await s1.db.signingKey.findFirstOrThrow()).kid;
    const env1 = s1.built.environmentId;
    await s1.close({ keepData: true });

    const s2 = await startTestServer({ dataDir, database, env: generated });
    last = s2;
    expect(s2.built.credentials.clientId).toBe(creds1.clientId);
    expect(s2.built.environmentId).toBe(env1);
    if (s2.built.database.kind === "pglite") {
      // the embedded database keeps the generated secret in the data directory so the banner can show it again
      expect(s2.built.credentials.clientSecret).toBe(creds1.clientSecret);
    }
    expect(s2.built.database.applied).toEqual([]); // migrations ran once
    expect((await s2.db.signingKey.findMany()).map((k) => k.kid)).toEqual([kid1]);
    expect(await s2.db.organization.findUnique({ where: { id: orgId } })).toMatchObject({ displayName: "Survives restarts" });

    // a token issued before the restart is still accepted
    const r = await s2.rest("GET", "/api/v1/no-such-route", undefined, { token: token1 });
    expect(r.status).toBe(404);
    expect(r.body.details[0].error_code).toBe("NOT_FOUND");
    // and the generated credentials still get tokens
    const res = await fetch(`${s2.url}/oauth/token`, {
      method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: creds1.clientId, client_secret: creds1.clientSecret! }),
    });
    expect(res.status).toBe(200);
  });

  it("configured credentials replace a previous secret of that client", async () => {
    const database = await freshDatabase();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sk-restart-cfg-"));
    const a = await startTestServer({ dataDir: dir, database, env: { SCALEKIT_CLIENT_ID: "skc_55", SCALEKIT_CLIENT_SECRET: "first_secret_value_0123456789" } });
    await a.close({ keepData: true });
    const b = await startTestServer({ dataDir: dir, database, env: { SCALEKIT_CLIENT_ID: "skc_55", SCALEKIT_CLIENT_SECRET: "second_secret_value_0123456789" } });
    const tokenWith = (secret: string) => fetch(`${b.url}/oauth/token`, {
      method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: "skc_55", client_secret: secret }),
    }).then((r) => r.status);
    expect(await tokenWith("second_secret_value_0123456789")).toBe(200);
    expect(await tokenWith("first_secret_value_0123456789")).toBe(401);
    await b.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("embedded data directory", () => {
  it("refuses a second server on the same data directory, and starts after the first stops", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sk-lock-"));
    const database = { url: undefined, label: "pglite:file", drop: async () => {} };
    const a = await startTestServer({ dataDir: dir, database });
    await expect(startTestServer({ dataDir: dir, database })).rejects.toThrow(/in use by another server/);
    await a.close({ keepData: true });
    const b = await startTestServer({ dataDir: dir, database });
    await b.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
