// Graceful shutdown ends open HTTP/2 sessions (GOAWAY) instead of waiting for clients to hang up.
import { describe, expect, it } from "vitest";
import http2 from "node:http2";
import { startTestServer } from "../helpers/server.js";

describe("graceful shutdown", () => {
  it("closes idle HTTP/2 sessions and finishes", async () => {
    const s = await startTestServer();
    const session = http2.connect(s.url);
    const goaway = new Promise<void>((resolve) => session.once("goaway", () => resolve()));
    const closed = new Promise<void>((resolve) => session.once("close", () => resolve()));
    const status = await new Promise<number>((resolve, reject) => {
      const req = session.request({ ":path": "/healthz" });
      req.on("response", (h) => resolve(Number(h[":status"])));
      req.on("error", reject);
      req.resume();
      req.end();
    });
    expect(status).toBe(200);
    await s.close(); // would hang for the session idle timeout (72 s) if sessions were left open
    await goaway;
    await closed;
    expect(session.closed || session.destroyed).toBe(true);
  });
});
