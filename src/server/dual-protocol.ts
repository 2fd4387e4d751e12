// One port, every protocol. Cleartext: an http.Server whose 'connection' listener sniffs the 24-byte HTTP/2
// preface and hands the socket to an h2c server (gRPC from SDKs using http://) or back to HTTP/1.1 (REST,
// /oauth/token, /keys). TLS: one secure HTTP/2 server with ALPN h2 + http/1.1. Both track HTTP/2 sessions so
// Fastify's close() can end them (closeHttp2Sessions) instead of waiting for clients to hang up.
import http from "node:http";
import http2 from "node:http2";
import type net from "node:net";

/**
 * A handler that HTTP/2 gRPC requests (content-type application/grpc…) go to instead of Fastify, once set.
 * Set after the routes exist, which is after Fastify has built the server.
 */
export interface DirectGrpc { handler?: http.RequestListener }

function withDirectGrpc(handler: http.RequestListener, direct: DirectGrpc): http.RequestListener {
  return (req, res) => {
    const ct = req.headers["content-type"];
    if (direct.handler && req.httpVersionMajor === 2 && typeof ct === "string" && ct.startsWith("application/grpc") && !ct.startsWith("application/grpc-web"))
      return direct.handler(req, res);
    return handler(req, res);
  };
}

const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");
const IDLE_SESSION_MS = 72_000;
const SNIFF_TIMEOUT_MS = 10_000;

function sniff(socket: net.Socket, route: (isH2: boolean) => void) {
  let buf: Buffer = Buffer.alloc(0);
  const cleanup = () => {
    socket.off("readable", onReadable);
    socket.off("error", onError);
    socket.off("close", cleanup);
    clearTimeout(timer);
  };
  // Until hand-off nobody else listens on the socket: swallow its errors (ECONNRESET would crash the process)
  // and bound how long a silent client may hold a connection.
  const onError = () => { cleanup(); socket.destroy(); };
  const timer = setTimeout(onError, SNIFF_TIMEOUT_MS);
  const onReadable = () => {
    let chunk: Buffer | null;
    while ((chunk = socket.read()) !== null) buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    const n = Math.min(buf.length, PREFACE.length);
    const prefixMatches = buf.subarray(0, n).equals(PREFACE.subarray(0, n));
    if (prefixMatches && buf.length < PREFACE.length) return; // a partial preface: wait for more bytes
    cleanup();
    if (buf.length) socket.unshift(buf); // give the bytes back to the real parser
    route(prefixMatches);
  };
  socket.on("readable", onReadable);
  socket.on("error", onError);
  socket.once("close", cleanup);
}

function trackSessions(server: http2.Http2Server | http2.Http2SecureServer, target: object) {
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (s: http2.ServerHttp2Session) => {
    sessions.add(s);
    s.once("close", () => sessions.delete(s));
    s.setTimeout(IDLE_SESSION_MS, () => s.close());
  });
  // Fastify calls this duck-typed hook while closing (lib/server.js)
  (target as any).closeHttp2Sessions = () => { for (const s of sessions) s.close(); };
}

export function cleartextServerFactory(direct: DirectGrpc) {
  return (handler: http.RequestListener): http.Server => cleartextServer(handler, direct);
}

function cleartextServer(handler: http.RequestListener, direct: DirectGrpc): http.Server {
  const h1 = http.createServer(handler);
  h1.keepAliveTimeout = IDLE_SESSION_MS;
  const h2 = http2.createServer({}, withDirectGrpc(handler, direct) as any); // Fastify's handler serves both request kinds
  trackSessions(h2, h1);
  const [h1Connection] = h1.listeners("connection") as ((s: net.Socket) => void)[];
  h1.removeListener("connection", h1Connection);
  h1.on("connection", (socket: net.Socket) =>
    sniff(socket, (isH2) => (isH2 ? h2.emit("connection", socket) : h1Connection.call(h1, socket))));
  return h1;
}

export function tlsServerFactory(tls: { key: Buffer; cert: Buffer }, direct: DirectGrpc) {
  return (handler: http.RequestListener) => {
    const server = http2.createSecureServer({ key: tls.key, cert: tls.cert, allowHTTP1: true }, withDirectGrpc(handler, direct) as any);
    trackSessions(server, server);
    return server as unknown as http.Server;
  };
}
