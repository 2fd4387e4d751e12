// The README's Node SDK snippet runs as written against a server started the README's way.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { startTestServer, TEST_CLIENT_ID, TEST_CLIENT_SECRET, type TestServer } from "../helpers/server.js";

const readme = fs.readFileSync(path.resolve(import.meta.dirname, "../../README.md"), "utf8");

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(async () => { await s?.close(); });

describe("README", () => {
  it("Node SDK snippet works against the local server", async () => {
    const snippet = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(snippet).toContain("new ScalekitClient(");
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", snippet!], {
      cwd: path.resolve(import.meta.dirname, "../.."),
      env: { ...process.env, SCALEKIT_ENVIRONMENT_URL: s.url, SCALEKIT_CLIENT_ID: TEST_CLIENT_ID, SCALEKIT_CLIENT_SECRET: TEST_CLIENT_SECRET },
      timeout: 30_000,
    });
    const [id, total] = stdout.trim().split(" ");
    expect(id).toMatch(/^org_\d{18}$/);
    // the fresh environment's Test Organization and the one the snippet created
    expect(Number(total)).toBe(2);
    expect(await s.db.organization.count({ where: { externalId: "my_unique_id" } })).toBe(1);
  });

  it("documents the two commands", () => {
    expect(readme).toContain("npm ci && npm start");
    expect(readme).toContain("npm test");
    const pkg = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, "../../package.json"), "utf8"));
    expect(pkg.scripts.start).toContain("dist/main.js start");
    expect(pkg.scripts.test).toBe("vitest run");
  });
});
