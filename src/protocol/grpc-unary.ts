// The SDKs' hot path: unary gRPC over HTTP/2 with uncompressed protobuf. Connect's generic server spends most of
// such a call's CPU on web-standard plumbing (Headers, AbortSignals and their DOMExceptions, async iterables), so
// these requests are answered here directly: read one length-prefixed message, run the registry's handler (the
// same one REST and Connect run), write one message and the status trailers. Anything else (compression,
// streaming methods, unknown paths) goes on to Connect's handler, which implements the rest of the protocol.
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { ServerHttp2Stream } from "node:http2";
import { create, fromBinary, toBinary, type DescMethod } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import type { Logger } from "pino";
import type { Authenticator } from "../auth/authenticator.js";
import { apiError } from "./errors.js";
import type { RpcRegistry } from "./rpc.js";

/** The largest request message accepted (the same bound as REST bodies). */
const MAX_MESSAGE_BYTES = 1 << 20;

export interface UnaryGrpcOptions {
  registry: RpcRegistry;
  auth: Authenticator;
  log: (requestId: string) => Logger;
  /** everything this handler does not take */
  fallback: RequestListener;
}

function readMessage(req: IncomingMessage): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_MESSAGE_BYTES + 5) {
        reject(apiError(Code.ResourceExhausted, `message larger than ${MAX_MESSAGE_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.once("end", () => {
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      if (body.length < 5) return reject(apiError(Code.InvalidArgument, "the request has no gRPC message"));
      if (body[0] !== 0) return reject(apiError(Code.Internal, "compressed message without grpc-encoding"));
      const length = body.readUInt32BE(1);
      if (length !== body.length - 5) return reject(apiError(Code.InvalidArgument, "the request must hold exactly one gRPC message"));
      resolve(body.subarray(5));
    });
    req.once("error", reject);
  });
}

function frame(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(5 + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
}

/**
 * grpc-message percent-encoded as the gRPC spec says: only bytes outside 0x20-0x7E, and "%". Connect encodes like
 * encodeURIComponent ("/" -> %2F), which grpc-js decodes with decodeURI and so shows its users "Service%2FMethod".
 */
function grpcMessage(message: string): string {
  let out = "";
  for (const b of Buffer.from(message, "utf8")) out += b < 0x20 || b > 0x7e || b === 0x25 ? `%${b.toString(16).toUpperCase().padStart(2, "0")}` : String.fromCharCode(b);
  return out;
}

/** grpc-status, grpc-message and grpc-status-details-bin for an error (or grpc-status 0). */
export function grpcStatusHeaders(error: ConnectError | undefined): Record<string, string> {
  return trailers(error);
}

function trailers(error: ConnectError | undefined): Record<string, string> {
  const h = setTrailerStatus(new Headers(), error);
  const out: Record<string, string> = {};
  h.forEach((v, k) => { out[k] = v; });
  if (error) out["grpc-message"] = grpcMessage(error.rawMessage);
  return out;
}

/** A status with no message: HTTP 200 whose only header block carries grpc-status (gRPC's trailers-only form). */
export function trailersOnly(res: ServerResponse, contentType: string, requestId: string, error: ConnectError) {
  if (res.destroyed || res.headersSent) return;
  const headers = { "content-type": contentType, "x-request-id": requestId, ...trailers(error) };
  // one HEADERS frame carrying END_STREAM: grpc-core clients read grpc-status from headers only in that form
  const stream = (res as unknown as { stream?: ServerHttp2Stream }).stream;
  if (stream) return stream.respond({ ":status": 200, ...headers }, { endStream: true });
  res.writeHead(200, headers);
  res.end();
}

export function unaryGrpcHandler({ registry, auth, log, fallback }: UnaryGrpcOptions): (req: IncomingMessage, res: ServerResponse, requestId: string) => void {
  const methods = new Map<string, DescMethod>();
  for (const service of registry.services)
    for (const m of service.methods as DescMethod[]) methods.set(`/${service.typeName}/${m.name}`, m);

  return (req, res, requestId) => {
    const path = (req.url ?? "").split("?")[0];
    const method = methods.get(path);
    const ct = req.headers["content-type"] ?? "";
    // a method the contract does not have is UNIMPLEMENTED with its details, never an HTTP 404 (grpc-core
    // clients, the Python SDK among them, fail on a 404 that carries no status)
    if (!method) {
      req.resume();
      return trailersOnly(res, ct || "application/grpc", requestId, apiError(Code.Unimplemented, `unknown method ${path}`));
    }
    const encoding = req.headers["grpc-encoding"];
    if (method.methodKind !== "unary" || (encoding !== undefined && encoding !== "identity") || !/^application\/grpc(\+proto)?$/.test(ct)) return fallback(req, res);

    const reqLog = log(requestId);
    const answer = (body: Buffer | undefined, error: ConnectError | undefined) => {
      if (res.destroyed) return;
      res.writeHead(200, { "content-type": ct, "x-request-id": requestId });
      res.addTrailers(trailers(error));
      res.end(body);
    };
    registry.invoke(method, { authorization: req.headers.authorization, requestId, log: reqLog }, async () => {
      const bytes = await readMessage(req);
      try {
        return fromBinary(method.input, bytes);
      } catch {
        throw apiError(Code.InvalidArgument, `the request is not a valid ${method.input.typeName}`);
      }
    }, auth).then(
      (out) => answer(frame(toBinary(method.output, create(method.output, out as any))), undefined),
      (error: ConnectError) => {
        req.resume(); // a body left unread (refused before reading it) is drained, not left to stall the stream
        answer(undefined, error);
      },
    );
  };
}
