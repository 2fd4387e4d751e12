// The SDKs' hot path: unary gRPC over HTTP/2 with uncompressed protobuf. Connect's generic server spends most of
// such a call's CPU on web-standard plumbing (Headers, AbortSignals and their DOMExceptions, async iterables), so
// these requests are answered here directly: read one length-prefixed message, run the registry's handler (the
// same one REST and Connect run), write one message and the status trailers. Anything else (compression,
// streaming methods, unknown paths) goes on to Connect's handler, which implements the rest of the protocol.
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { create, fromBinary, toBinary, type DescMethod } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import type { Logger } from "pino";
import type { Authenticator } from "../auth/authenticator.js";
import { apiError, toApiError } from "./errors.js";
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

function trailers(error: ConnectError | undefined): Record<string, string> {
  const h = setTrailerStatus(new Headers(), error);
  const out: Record<string, string> = {};
  h.forEach((v, k) => { out[k] = v; });
  if (error) out["grpc-message"] = grpcMessage(error.rawMessage);
  return out;
}

export function unaryGrpcHandler({ registry, auth, log, fallback }: UnaryGrpcOptions): (req: IncomingMessage, res: ServerResponse, requestId: string) => void {
  const methods = new Map<string, DescMethod>();
  for (const service of registry.services)
    for (const m of service.methods as DescMethod[]) if (m.methodKind === "unary") methods.set(`/${service.typeName}/${m.name}`, m);

  return (req, res, requestId) => {
    const method = methods.get(req.url ?? "");
    const encoding = req.headers["grpc-encoding"];
    const ct = req.headers["content-type"] ?? "";
    if (!method || (encoding !== undefined && encoding !== "identity") || !/^application\/grpc(\+proto)?$/.test(ct)) return fallback(req, res);

    const handler = registry.handler(method);
    const reqLog = log(requestId);
    const answer = (body: Buffer | undefined, error: ConnectError | undefined) => {
      if (res.destroyed) return;
      res.writeHead(200, { "content-type": ct, "x-request-id": requestId });
      res.addTrailers(trailers(error));
      res.end(body);
    };
    void (async () => {
      try {
        const bytes = await readMessage(req);
        const principal = await auth.verifyCaller(req.headers.authorization, method);
        let input;
        try {
          input = fromBinary(method.input, bytes);
        } catch {
          throw apiError(Code.InvalidArgument, `the request is not a valid ${method.input.typeName}`);
        }
        const out = await handler(input, { principal, requestId, log: reqLog });
        answer(frame(toBinary(method.output, create(method.output, out as any))), undefined);
      } catch (e) {
        const { error, unexpected } = toApiError(e);
        if (unexpected) reqLog.error({ err: e, rpc: `${method.parent.typeName}/${method.name}` }, "unexpected error");
        answer(undefined, error);
      }
    })();
  };
}
