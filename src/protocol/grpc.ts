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
import { toApiError } from "./errors.js";
import type { RpcRegistry } from "./rpc.js";
import { unaryGrpcHandler } from "./grpc-unary.js";

const requestKey = createContextKey<{ id: string; log: Logger } | undefined>(undefined);

function grpcRoutes(registry: RpcRegistry, auth: Authenticator, fallbackLog: Logger) {
  return (router: ConnectRouter) => {
    for (const service of registry.services) {
      const impl: Record<string, (req: any, ctx: HandlerContext) => Promise<any>> = {};
      for (const m of service.methods as DescMethod[]) {
        const handler = registry.handler(m);
        impl[m.localName] = async (req, hctx) => {
          const r = hctx.values.get(requestKey);
          const log = r?.log ?? fallbackLog;
          try {
            const principal = await auth.verifyCaller(hctx.requestHeader.get("authorization") ?? undefined, m);
            return await handler(req, { principal, requestId: r?.id ?? "", log });
          } catch (e) {
            const { error, unexpected } = toApiError(e);
            if (unexpected) log.error({ err: e, rpc: `${service.typeName}/${m.name}` }, "unexpected error");
            throw error;
          }
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
