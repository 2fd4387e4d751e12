// The bench's child-process protocol, shared by the server under test and the baseline. A child started with
// fork() announces itself with a "ready" message and answers "cpu" (its own process.cpuUsage()), and optionally
// "profile-start"/"profile-stop" (V8 CPU profile of the window in between, written to a file). Started by hand
// (no IPC channel) it prints the ready line as JSON on stdout and one cpu line per SIGUSR2 instead.
import fs from "node:fs";
import net from "node:net";
import { Session } from "node:inspector/promises";

export interface ReadyMessage {
  type: "ready";
  name: string;
  pid: number;
  url: string;
  [k: string]: unknown;
}

export type ParentRequest =
  | { type: "cpu"; seq: number }
  | { type: "profile-start"; seq: number }
  | { type: "profile-stop"; seq: number; file: string }
  | { type: "stop"; seq: number };

export interface CpuReply { type: "reply"; seq: number; user: number; system: number; rss: number }

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function cpu(seq: number): CpuReply {
  const u = process.cpuUsage();
  return { type: "reply", seq, user: u.user, system: u.system, rss: process.memoryUsage.rss() };
}

/** Announces readiness and serves the parent's requests until it says stop (or goes away). */
export function serveBenchChild(ready: { name: string; url: string; [k: string]: unknown }, stop: () => Promise<void>): void {
  const msg: ReadyMessage = { type: "ready", pid: process.pid, ...ready };
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(code || 1), 5_000);
    force.unref();
    try { await stop(); } catch { /* exiting anyway */ }
    process.exit(code);
  };
  process.on("SIGTERM", () => void shutdown(0));
  process.on("SIGINT", () => void shutdown(0));

  if (!process.send) {
    process.stdout.write(JSON.stringify(msg) + "\n");
    process.on("SIGUSR2", () => process.stdout.write(JSON.stringify(cpu(0)) + "\n"));
    return;
  }

  let session: Session | undefined;
  const send = (m: object) => process.send?.(m);
  process.on("disconnect", () => void shutdown(0)); // the parent died or let go: never outlive it
  process.on("message", async (raw: unknown) => {
    const m = raw as ParentRequest;
    try {
      switch (m.type) {
        case "cpu":
          send(cpu(m.seq));
          break;
        case "profile-start":
          session = new Session();
          session.connect();
          await session.post("Profiler.enable");
          await session.post("Profiler.setSamplingInterval", { interval: 100 });
          await session.post("Profiler.start");
          send(cpu(m.seq));
          break;
        case "profile-stop": {
          const c = cpu(m.seq);
          if (session) {
            const { profile } = await session.post("Profiler.stop");
            session.disconnect();
            session = undefined;
            fs.writeFileSync(m.file, JSON.stringify(profile));
          }
          send(c);
          break;
        }
        case "stop":
          send(cpu(m.seq));
          await shutdown(0);
          break;
      }
    } catch (e) {
      send({ type: "error", seq: m.seq, message: String((e as Error)?.stack ?? e) });
    }
  });
  send(msg);
}
