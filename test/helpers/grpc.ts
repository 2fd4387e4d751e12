// A plain gRPC (HTTP/2) client for any service of the contract, for tests that need more control than the SDK.
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport, createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import type { DescService } from "@bufbuild/protobuf";

export type Protocol = "grpc" | "connect" | "grpc-web";

export function rpcClient<S extends DescService>(baseUrl: string, service: S, protocol: Protocol = "grpc", token?: string, nodeOptions?: object): Client<S> {
  const interceptors = token === undefined ? [] : [(next: any) => (req: any) => { req.header.set("authorization", `Bearer ${token}`); return next(req); }];
  const transport = protocol === "grpc"
    ? createGrpcTransport({ baseUrl, interceptors, nodeOptions })
    : protocol === "connect"
      ? createConnectTransport({ baseUrl, httpVersion: "1.1", interceptors, nodeOptions })
      : createGrpcWebTransport({ baseUrl, httpVersion: "1.1", interceptors, nodeOptions });
  return createClient(service, transport);
}
