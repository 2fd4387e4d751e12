// gRPC, Connect and gRPC-web for every service of the contract. Each method — implemented or not — authenticates
// the caller and runs the registry's handler, so an unimplemented method still demands a token and then answers
// UNIMPLEMENTED with an ErrorInfo, like every other error.
// Two entry points share the same routes: the Fastify plugin (Connect and gRPC-web over HTTP/1.1, and anything
// else), and a plain Node handler that the HTTP/2 server calls directly for application/grpc requests, because
// routing the SDKs' gRPC calls through Fastify's compatibility layer costs a large share of their CPU. That handler
// answers plain unary calls itself (grpc-unary.ts) and gives the rest to Connect.
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from "fastify";
import type { IncomingMessage, RequestListener } from "node:http";
import type { DescMethod } from "@bufbuild/protobuf";
import { createContextKey, createContextValues, type ConnectRouter, type HandlerContext } from "@connectrpc/connect";
import { fastifyConnectPlugin } from "@connectrpc/connect-fastify";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { Logger } from "pino";
import type { Authenticator } from "../auth/authenticator.js";
import { requestId } from "../log.js";
import type { RpcRegistry } from "./rpc.js";
import { unaryGrpcHandler, grpcStatusHeaders } from "./grpc-unary.js";
import { apiError } from "./errors.js";
import { Code } from "@connectrpc/connect";
import { codeToHttpStatus, errorToJson } from "@connectrpc/connect/protocol-connect";
import type { FastifyReply } from "fastify";

const RPC_PATH = /^\/[A-Za-z_][\w.]*\.[A-Za-z_]\w*\/[A-Za-z_]\w*$/;

/**
 * A gRPC, gRPC-web or Connect call to a method the contract lacks, as the protocol's UNIMPLEMENTED (gRPC and
 * gRPC-web: HTTP 200 trailers-only with grpc-status-details-bin; Connect: its JSON error, HTTP 501) instead of the
 * router's HTTP 404. Returns false for requests that are not RPCs.
 */
export function answerUnknownRpc(req: FastifyRequest, reply: FastifyReply): boolean {
  const path = req.url.split("?")[0];
  const ct = String(req.headers["content-type"] ?? "");
  const connect = req.headers["connect-protocol-version"] !== undefined || /^application\/(connect\+)?(json|proto)/.test(ct);
  if (!RPC_PATH.test(path) || !(ct.startsWith("application/grpc") || connect)) return false;
  const error = apiError(Code.Unimplemented, `unknown method ${path}`);
  if (ct.startsWith("application/grpc")) {
    reply.code(200).headers({ "content-type": ct, ...grpcStatusHeaders(error) }).send();
  } else {
    reply.code(codeToHttpStatus(Code.Unimplemented)).type("application/json").send(JSON.stringify(errorToJson(error, undefined)));
  }
  return true;
}

const requestKey = createContextKey<{ id: string; log: Logger } | undefined>(undefined);

function grpcRoutes(registry: RpcRegistry, auth: Authenticator, fallbackLog: Logger) {
  return (router: ConnectRouter) => {
    for (const service of registry.services) {
      const impl: Record<string, (req: any, ctx: HandlerContext) => Promise<any>> = {};
      for (const m of service.methods as DescMethod[]) {
        impl[m.localName] = (req, hctx) => {
          const r = hctx.values.get(requestKey);
          return registry.invoke(m, {
            authorization: hctx.requestHeader.get("authorization") ?? undefined, requestId: r?.id ?? "", log: r?.log ?? fallbackLog,
          }, () => req, auth);
        };
      }
      router.service(service, impl as any);
    }
  };
}

/** Registers the Fastify plugin and returns the direct HTTP/2 gRPC handler built on the same routes. */
export async function registerGrpc(app: FastifyInstance, registry: RpcRegistry, auth: Authenticator): Promise<RequestListener> {
  const log = app.log as unknown as Logger;
  const routes = grpcRoutes(registry, auth, log);
  await app.register(fastifyConnectPlugin, {
    routes,
    grpc: true, grpcWeb: true, connect: true,
    contextValues: (req: FastifyRequest) => createContextValues().set(requestKey, { id: String(req.id), log: req.log as unknown as Logger }),
  });
  const ids = new WeakMap<object, string>();
  const childLog = (id: string) => (app.log as FastifyBaseLogger).child({ reqId: id }) as unknown as Logger;
  const direct = connectNodeAdapter({
    routes,
    grpc: true, grpcWeb: false, connect: false,
    contextValues: (req) => {
      const id = ids.get(req) ?? requestId(req as IncomingMessage);
      return createContextValues().set(requestKey, { id, log: childLog(id) });
    },
  });
  const unary = unaryGrpcHandler({
    registry, auth, log: childLog,
    fallback: (req, res) => {
      res.setHeader("x-request-id", ids.get(req)!); // as Fastify's onSend hook does for every other response
      direct(req as any, res as any);
    },
  });
  return (req, res) => {
    const id = requestId(req);
    ids.set(req, id);
    unary(req, res, id);
  };
}
