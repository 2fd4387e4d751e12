// The README's "Log users in" snippet, run as written: it is copied out of the README into a file next to the
// project's node_modules, started with node against a test server, and a user logs in through it (plain HTTP:
// the login page's email form and the +sktest code), refreshes and logs out.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startTestServer, TEST_CLIENT_ID, TEST_CLIENT_SECRET, type TestServer } from "../helpers/server.js";
import { CookieBrowser } from "./browser.js";

const README = fs.readFileSync(path.resolve(import.meta.dirname, "../../README.md"), "utf8");
const snippet = /<!-- login-snippet:start -->\n```js\n([\s\S]*?)```\n<!-- login-snippet:end -->/.exec(README)?.[1];
// inside the repository, so that `import "@scalekit-sdk/node"` resolves as in a user's project
const file = path.resolve(import.meta.dirname, `../../examples/.readme-login-${process.pid}.mjs`);

let s: TestServer;
let child: ChildProcess;
let appUrl: string;

beforeAll(async () => {
  expect(snippet, "the README's login snippet between its markers").toBeTruthy();
  s = await startTestServer();
  fs.writeFileSync(file, snippet!);
  appUrl = `http://127.0.0.1:${await freePort()}`;
  child = spawn(process.execPath, [file], {
    env: { ...process.env, SCALEKIT_ENVIRONMENT_URL: s.url, SCALEKIT_CLIENT_ID: TEST_CLIENT_ID, SCALEKIT_CLIENT_SECRET: TEST_CLIENT_SECRET, APP_URL: appUrl },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d) => { stderr += d; });
  // up when it answers (a refused connection just means "not yet")
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the README snippet exited: ${stderr}`);
    try { await fetch(appUrl); break; } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
});
afterAll(async () => {
  child?.kill();
  fs.rmSync(file, { force: true });
  await s?.close();
});

/** The app and the server as one browser: cookies of both, redirects followed across them. */
async function visit(b: CookieBrowser, app: CookieBrowser, url: string) {
  let hop = url.startsWith(appUrl) ? await app.get(url) : await b.open(url);
  for (let i = 0; i < 20; i++) {
    if (!hop.location || hop.status < 300 || hop.status >= 400) return hop;
    hop = hop.location.startsWith(appUrl) ? await app.get(hop.location) : await b.open(hop.location);
  }
  throw new Error("too many redirects");
}

describe("the README's login snippet", () => {
  it("logs a user in, shows email, organization and roles, refreshes and logs out", async () => {
    const b = new CookieBrowser(s.url), app = new CookieBrowser(appUrl);
    const start = await visit(b, app, `${appUrl}/`);
    expect(start.body).toContain('href="/login"');
    const login = await visit(b, app, `${appUrl}/login`);
    expect(login.url.startsWith(`${s.url}/`)).toBe(true);
    expect(login.body).toContain('name="email"');
    const otp = await b.submit(login, "/login/email", { email: "readme+sktest@readme-co.test" });
    expect(otp.body).toContain('name="code"');
    const back = await b.submit(otp, "/login/otp", { code: "424242" });
    const home = await visit(b, app, back.location!);
    expect(home.status).toBe(200);
    const m = /^Signed in as (\S+) in (org_\d+) with roles (.+)$/.exec(home.body);
    expect(m, home.body).toBeTruthy();
    expect(m![1]).toBe("readme+sktest@readme-co.test");
    expect(m![3]).toBe("member"); // signup: the default member role
    const user = await s.db.user.findUniqueOrThrow({ where: { emailKey: "readme+sktest@readme-co.test" } });
    const tokensBefore = await s.db.refreshToken.count({ where: { userId: user.id } });

    const refreshed = await visit(b, app, `${appUrl}/refresh`);
    expect(refreshed.body).toMatch(/^Signed in as readme\+sktest@readme-co.test/);
    expect(await s.db.refreshToken.count({ where: { userId: user.id } })).toBe(tokensBefore + 1);

    const out = await visit(b, app, `${appUrl}/logout`);
    expect(out.body).toContain('href="/login"');
    const sessions = await s.rest("GET", `/api/v1/users/${user.id}/sessions`);
    expect(sessions.body.sessions.map((x: any) => x.status)).toEqual(["logout"]);
  });
});
