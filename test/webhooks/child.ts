// A server in a child process (fixtures/serve.ts) with the test suite's credentials, and REST calls to it.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { freePort, TEST_CLIENT_ID, TEST_CLIENT_SECRET } from "../helpers/server.js";

export interface ChildServer {
  url: string;
  proc: ChildProcess;
  rest(method: string, p: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** SIGKILL: no shutdown code runs */
  kill9(): Promise<void>;
  /** SIGTERM: graceful shutdown */
  stop(): Promise<void>;
}

const SERVE = path.join(import.meta.dirname, "fixtures/serve.ts");

export async function startChild(env: Record<string, string>): Promise<ChildServer> {
  const port = await freePort();
  const proc = spawn(process.execPath, ["--import", "tsx", SERVE], {
    cwd: path.resolve(import.meta.dirname, "../.."),
    env: {
      PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "warn",
      SCALEKIT_CLIENT_ID: TEST_CLIENT_ID, SCALEKIT_CLIENT_SECRET: TEST_CLIENT_SECRET, ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  proc.stderr!.on("data", (c) => { stderr += c; });
  const exited = new Promise<void>((res) => proc.once("exit", () => res()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`child server did not start within 60 s: ${stderr}`)), 60_000);
    proc.stdout!.on("data", (c) => {
      out += c;
      const m = /ready (\S+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.once("exit", (code) => { clearTimeout(timer); reject(new Error(`child server exited (${code}): ${stderr}`)); });
  });

  let token: string | undefined;
  const getToken = async () => {
    if (token) return token;
    const res = await fetch(`${url}/oauth/token`, {
      method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: TEST_CLIENT_ID, client_secret: TEST_CLIENT_SECRET }),
    });
    token = (await res.json()).access_token;
    return token!;
  };
  return {
    url, proc,
    async rest(method, p, body) {
      const res = await fetch(`${url}${p}`, {
        method, headers: { authorization: `Bearer ${await getToken()}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async kill9() { proc.kill("SIGKILL"); await exited; },
    async stop() { proc.kill("SIGTERM"); await exited; },
  };
}

/** Runs `fn` over `items` with at most `limit` at a time. */
export async function pool<T>(items: T[], limit: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

/**
 * Local TCP ports of the sockets a process holds (Linux /proc): which replica sent a request, from the receiver's
 * view of the sender's port. Empty where /proc is not available.
 */
export function tcpPortsOf(pid: number): Set<number> {
  const inodes = new Set<string>();
  try {
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`, "utf8"));
      if (m) inodes.add(m[1]);
    }
  } catch { return new Set(); }
  const ports = new Set<number>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try { text = fs.readFileSync(table, "utf8"); } catch { continue; }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 9 && inodes.has(cols[9])) ports.add(parseInt(cols[1].split(":")[1], 16));
    }
  }
  return ports;
}
