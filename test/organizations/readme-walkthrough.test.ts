// The README's REST walkthrough, kept here as the exact shell text so it cannot rot: each curl command is parsed
// and replayed with fetch against a real server, and, where bash, curl and jq exist, the text also runs verbatim.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, TEST_CLIENT_ID, TEST_CLIENT_SECRET, type TestServer } from "../helpers/server.js";

export const WALKTHROUGH = `
TOKEN=$(curl -s -X POST "$SCALEKIT_ENVIRONMENT_URL/oauth/token" \\
  -H "Content-Type: application/x-www-form-urlencoded" \\
  -d grant_type=client_credentials \\
  -d client_id="$SCALEKIT_CLIENT_ID" \\
  -d client_secret="$SCALEKIT_CLIENT_SECRET" | jq -r .access_token)

curl -s -X POST "$SCALEKIT_ENVIRONMENT_URL/api/v1/organizations" \\
  -H "Authorization: Bearer $TOKEN" \\
  -H "Content-Type: application/json" \\
  -d '{"display_name": "Megasoft Inc", "external_id": "my_unique_id"}'

curl -s "$SCALEKIT_ENVIRONMENT_URL/api/v1/organizations?page_size=10" \\
  -H "Authorization: Bearer $TOKEN"
`;

interface Step { assignTo?: string; jqField?: string; command: string }

/** Shell words with single quotes literal and $VAR expanded outside them (all this walkthrough uses). */
function shellWords(text: string, vars: Record<string, string>): string[] {
  const words: string[] = [];
  let cur: string | undefined;
  const expand = (s: string) => s.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, n) => {
    if (!(n in vars)) throw new Error(`walkthrough uses unset variable $${n}`);
    return vars[n];
  });
  for (const m of text.matchAll(/'([^']*)'|"((?:[^"\\]|\\.)*)"|([^\s'"]+)|(\s+)/g)) {
    if (m[4] !== undefined) { if (cur !== undefined) words.push(cur); cur = undefined; continue; }
    cur = (cur ?? "") + (m[1] ?? expand((m[2] ?? m[3]).replace(/\\(.)/g, "$1")));
  }
  if (cur !== undefined) words.push(cur);
  return words;
}

/** One step per command; a step's text is split into words only when it runs, after earlier steps set variables. */
function parseSteps(script: string): Step[] {
  return script.replace(/\\\n/g, " ").split("\n").map((l) => l.trim()).filter(Boolean).map((line) => {
    const capture = /^([A-Z_]+)=\$\((.*)\s*\|\s*jq -r \.(\w+)\)$/.exec(line);
    return capture ? { assignTo: capture[1], jqField: capture[3], command: capture[2] } : { command: line };
  });
}

/** curl -s prints bodies back to back without newlines: split them by brace depth, outside strings. */
function jsonObjects(text: string): any[] {
  const out: any[] = [];
  let depth = 0, start = 0, inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) { if (c === "\\") i++; else if (c === '"') inString = false; continue; }
    if (c === '"') inString = true;
    else if (c === "{") { if (depth++ === 0) start = i; }
    else if (c === "}" && --depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
  }
  return out;
}

/** curl's meaning of the flags used: -s, -X, -H, -d (joined with &, form-encoded unless a type is given). */
async function replayCurl(words: string[]): Promise<{ status: number; body: any }> {
  if (words[0] !== "curl") throw new Error(`not a curl command: ${words.join(" ")}`);
  let method: string | undefined;
  let url: string | undefined;
  const headers = new Headers();
  const data: string[] = [];
  for (let i = 1; i < words.length; i++) {
    const w = words[i];
    if (w === "-s") continue;
    else if (w === "-X") method = words[++i];
    else if (w === "-H") { const [k, ...v] = words[++i].split(":"); headers.set(k.trim(), v.join(":").trim()); }
    else if (w === "-d") data.push(words[++i]);
    else if (w.startsWith("-")) throw new Error(`unsupported curl flag ${w}`);
    else url = w;
  }
  if (data.length && !headers.has("content-type")) headers.set("content-type", "application/x-www-form-urlencoded");
  const res = await fetch(url!, { method: method ?? (data.length ? "POST" : "GET"), headers, body: data.length ? data.join("&") : undefined });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe("README REST walkthrough", () => {
  let s: TestServer;
  let env: Record<string, string>;
  beforeAll(async () => {
    s = await startTestServer();
    env = { SCALEKIT_ENVIRONMENT_URL: s.url, SCALEKIT_CLIENT_ID: TEST_CLIENT_ID, SCALEKIT_CLIENT_SECRET: TEST_CLIENT_SECRET };
  });
  afterAll(async () => { await s?.close(); });

  it("replays each curl step with fetch: token, create, list", async () => {
    const vars = { ...env };
    const steps = parseSteps(WALKTHROUGH);
    expect(steps).toHaveLength(3);
    const results: { status: number; body: any }[] = [];
    for (const step of steps) {
      const res = await replayCurl(shellWords(step.command, vars));
      results.push(res);
      if (step.assignTo) vars[step.assignTo] = res.body[step.jqField!];
    }
    const [token, created, listed] = results;
    expect(token.status).toBe(200);
    expect(token.body).toMatchObject({ token_type: "Bearer" });
    expect(vars.TOKEN.split(".")).toHaveLength(3);

    expect(created.status).toBe(201);
    expect(created.body.organization).toMatchObject({ display_name: "Megasoft Inc", external_id: "my_unique_id", region_code: "US" });

    expect(listed.status).toBe(200);
    // newest first: the one just created, then the fresh environment's Test Organization
    expect(listed.body).toMatchObject({ total_size: 2, next_page_token: "", prev_page_token: "" });
    expect(listed.body.organizations).toEqual([created.body.organization, expect.objectContaining({ display_name: "Test Organization" })]);
  });

  const shell = promisify(execFile);
  const tools = Promise.all(["bash", "curl", "jq"].map((t) => shell("sh", ["-c", `command -v ${t}`]).then(() => true, () => false)));

  it("runs verbatim in bash with curl and jq", async (ctx) => {
    if (!(await tools).every(Boolean)) ctx.skip();
    await s.db.organization.deleteMany({ where: { externalId: "my_unique_id" } });
    const { stdout } = await shell("bash", ["-euo", "pipefail", "-c", WALKTHROUGH], { env: { ...process.env, ...env } });
    const [created, listed] = jsonObjects(stdout);
    expect(created.organization).toMatchObject({ display_name: "Megasoft Inc", external_id: "my_unique_id" });
    expect(listed.organizations.map((o: any) => o.id)).toContain(created.organization.id);
  });
});
