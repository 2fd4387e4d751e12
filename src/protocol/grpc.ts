// gRPC, Connect and gRPC-web for every service of the contract through @connectrpc/connect-fastify. Each method
// — implemented or not — authenticates the caller and runs the registry's handler, so an unimplemented method
// still demands a token and then answers UNIMPLEMENTED with an ErrorInfo, like every other error.
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { DescMethod } from "@bufbuild/protobuf";
import { createContextKey, createContextValues, type ConnectRouter, type HandlerContext } from "@connectrpc/connect";
import { fastifyConnectPlugin } from "@connectrpc/connect-fastify";
import type { Logger } from "pino";
import type { Authenticator } from "../auth/authenticator.js";
import { toApiError } from "./errors.js";
import type { RpcRegistry } from "./rpc.js";

const requestKey = createContextKey<{ id: string; log: Logger } | undefined>(undefined);

export async function registerGrpc(app: FastifyInstance, registry: RpcRegistry, auth: Authenticator) {
  const routes = (router: ConnectRouter) => {
    for (const service of registry.services) {
      const impl: Record<string, (req: any, ctx: HandlerContext) => Promise<any>> = {};
      for (const m of service.methods as DescMethod[]) {
        const handler = registry.handler(m);
        impl[m.localName] = async (req, hctx) => {
          const r = hctx.values.get(requestKey);
          const log = r?.log ?? (app.log as unknown as Logger);
          try {
            const principal = await auth.verifyAuthorization(hctx.requestHeader.get("authorization") ?? undefined);
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
  await app.register(fastifyConnectPlugin, {
    routes,
    grpc: true, grpcWeb: true, connect: true,
    contextValues: (req: FastifyRequest) => createContextValues().set(requestKey, { id: String(req.id), log: req.log as unknown as Logger }),
  });
}
