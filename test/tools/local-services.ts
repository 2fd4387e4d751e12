// Loopback stand-ins for the user's side of tool calling: a tool executor and a provider API (proxy upstream).
// Both record what they received so tests can check what this server sent.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface Recorded { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }

export interface LocalService {
  url: string;
  received: Recorded[];
  close(): Promise<void>;
}

export async function localService(handle: (r: Recorded, res: http.ServerResponse) => void): Promise<LocalService> {
  const received: Recorded[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const r = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      received.push(r);
      handle(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`, received,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
};

/** A tool executor whose behaviour is chosen by the tool name: `*_fail` answers 500 with an error body,
 *  `*_limited` 429, `*_badjson` a non-JSON 200; anything else echoes what it was asked to do. */
export function toolExecutor(): Promise<LocalService> {
  return localService((r, res) => {
    const call = JSON.parse(r.body || "{}");
    const name: string = call.tool_name ?? "";
    if (name.endsWith("_fail")) return json(res, 500, { error: { code: "PROVIDER_DOWN", message: "the provider is down" } });
    if (name.endsWith("_limited")) return json(res, 429, { message: "slow down" });
    if (name.endsWith("_badjson")) return json(res, 200, "<html>not json</html>");
    json(res, 200, { ok: true, tool: name, echo: call.params, token: call.authorization_details?.oauth_token?.access_token ?? null });
  });
}

/** A provider API that answers every request with what it saw. */
export function upstreamApi(): Promise<LocalService> {
  return localService((r, res) => {
    res.writeHead(r.url.includes("/missing") ? 404 : 200, { "content-type": "application/json", "x-upstream": "yes" });
    res.end(JSON.stringify({ method: r.method, url: r.url, authorization: r.headers.authorization ?? null, api_key: r.headers["x-api-key"] ?? null, body: r.body }));
  });
}
