// A webhook receiver on a random loopback port: records every request with its raw body, and answers as the test
// says (status, delay, headers), so tests can play a healthy, failing, slow or gone receiver.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  headers: Record<string, string>;
  body: string;
  json: any;
  at: number;
  /** the sender's TCP port: tells which process sent it (see tcpPortsOf in child.ts) */
  remotePort: number;
}

export interface Answer { status?: number; delayMs?: number; headers?: Record<string, string>; body?: string }

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** how the next requests are answered (default 200 at once) */
  answer: (r: Received, n: number) => Answer | Promise<Answer>;
  waitFor(predicate: (received: Received[]) => boolean, timeoutMs?: number): Promise<void>;
  ids(): Set<string>;
  close(): Promise<void>;
}

export async function startReceiver(port = 0): Promise<Receiver> {
  const received: Received[] = [];
  const sockets = new Set<import("node:net").Socket>();
  const r: Receiver = {
    url: "", port: 0, received, answer: () => ({}),
    async waitFor(predicate, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      while (!predicate(received)) {
        if (Date.now() > until) throw new Error(`receiver: condition not met within ${timeoutMs} ms (${received.length} requests received)`);
        await new Promise((res) => setTimeout(res, 20));
      }
    },
    ids: () => new Set(received.map((x) => x.headers["webhook-id"])),
    close: () => new Promise<void>((res) => { for (const s of sockets) s.destroy(); server.close(() => res()); }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json: any;
      try { json = JSON.parse(body); } catch { json = undefined; }
      const rec: Received = { headers: req.headers as Record<string, string>, body, json, at: Date.now(), remotePort: req.socket.remotePort ?? 0 };
      received.push(rec);
      const a = await r.answer(rec, received.length);
      if (a.delayMs) await new Promise((res2) => setTimeout(res2, a.delayMs));
      if (res.destroyed) return;
      res.writeHead(a.status ?? 200, { "content-type": "text/plain", ...a.headers });
      res.end(a.body ?? "ok");
    });
  });
  server.on("connection", (s) => { sockets.add(s); s.on("close", () => sockets.delete(s)); });
  await new Promise<void>((res) => server.listen(port, "127.0.0.1", () => res()));
  r.port = (server.address() as AddressInfo).port;
  r.url = `http://127.0.0.1:${r.port}/webhooks`;
  return r;
}
