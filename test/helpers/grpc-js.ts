// A gRPC client that is not the Node SDK and not Connect: @grpc/grpc-js (the HTTP/2 stack grpc-core clients such
// as the Python and Java SDKs behave like) with the merged contract loaded from its FileDescriptorSet by
// @grpc/proto-loader, so any RPC of either SDK's surface can be called by its full name, over h2c or TLS, with
// messages as plain objects in proto field names (snake_case, as the Python SDK writes them).
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { fromBinary } from "@bufbuild/protobuf";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { contractDescriptorSet, errdetails } from "../../src/protocol/descriptors.js";

let definition: protoLoader.PackageDefinition | undefined;

/** The merged contract as grpc-js sees it (loaded once per test process). */
function packageDefinition(): protoLoader.PackageDefinition {
  definition ??= protoLoader.loadFileDescriptorSetFromBuffer(Buffer.from(contractDescriptorSet()), {
    keepCase: true, longs: String, enums: String, defaults: true, oneofs: true,
  });
  return definition;
}

export interface GrpcJsOptions {
  /** bearer token sent as `authorization` metadata */
  token?: string;
  /** trust this CA (the server's self-signed certificate) and speak TLS; cleartext h2c without it */
  ca?: Buffer;
  /** extra metadata on every call */
  metadata?: Record<string, string>;
}

export interface StatusDetail { typeUrl: string; value: Uint8Array }

export interface DecodedStatus {
  code: number;
  message: string;
  details: StatusDetail[];
  /** the scalekit.v1.errdetails.ErrorInfo among the details, decoded */
  errorInfo?: ReturnType<typeof fromBinary<typeof errdetails.ErrorInfoSchema>>;
}

/** An error as grpc-js reports it, with grpc-status-details-bin decoded (google.rpc.Status). */
export interface GrpcJsError extends grpc.ServiceError { status: DecodedStatus | undefined }

/** Decodes google.rpc.Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3 }. */
export function decodeStatus(bytes: Uint8Array): DecodedStatus {
  const out: DecodedStatus = { code: 0, message: "", details: [] };
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const [no, wire] = r.tag();
    if (no === 1 && wire === WireType.Varint) out.code = r.int32();
    else if (no === 2 && wire === WireType.LengthDelimited) out.message = r.string();
    else if (no === 3 && wire === WireType.LengthDelimited) {
      const any = new BinaryReader(r.bytes());
      const d: StatusDetail = { typeUrl: "", value: new Uint8Array() };
      while (any.pos < any.len) {
        const [ano, awire] = any.tag();
        if (ano === 1) d.typeUrl = any.string();
        else if (ano === 2) d.value = any.bytes();
        else any.skip(awire, ano);
      }
      out.details.push(d);
    } else r.skip(wire, no);
  }
  const info = out.details.find((d) => d.typeUrl.endsWith(`/${errdetails.ErrorInfoSchema.typeName}`));
  if (info) out.errorInfo = fromBinary(errdetails.ErrorInfoSchema, info.value);
  return out;
}

export interface GrpcJsClient {
  /** calls `Method` of the service unary; rejects with a GrpcJsError */
  call<T = any>(method: string, request?: Record<string, unknown>): Promise<T>;
  /** a unary call to any path (`/scalekit.v1.x.NoSuchService/Nope`) with raw message bytes */
  callPath(path: string, message?: Uint8Array): Promise<Buffer>;
  close(): void;
}

/**
 * A client for one service of the merged contract, e.g. `grpcJsClient(s.url, "scalekit.v1.mcp.McpService", {...})`.
 * `url` is the server's http:// or https:// base URL; https needs `ca`.
 */
export function grpcJsClient(url: string, serviceTypeName: string, opts: GrpcJsOptions = {}): GrpcJsClient {
  const loaded = grpc.loadPackageDefinition(packageDefinition());
  const Ctor = serviceTypeName.split(".").reduce<any>((o, k) => o?.[k], loaded) as grpc.ServiceClientConstructor | undefined;
  if (typeof Ctor !== "function") throw new Error(`the contract has no service ${serviceTypeName}`);
  const { host } = new URL(url);
  const credentials = url.startsWith("https:")
    ? grpc.credentials.createSsl(opts.ca ?? null)
    : grpc.credentials.createInsecure();
  const client = new Ctor(host, credentials) as grpc.Client & Record<string, Function>;
  const metadata = () => {
    const m = new grpc.Metadata();
    if (opts.token !== undefined) m.set("authorization", `Bearer ${opts.token}`);
    for (const [k, v] of Object.entries(opts.metadata ?? {})) m.set(k, v);
    return m;
  };
  const settle = <T>(resolve: (v: T) => void, reject: (e: unknown) => void) => (err: grpc.ServiceError | null, res?: T) => {
    if (!err) return resolve(res as T);
    const raw = err.metadata?.get("grpc-status-details-bin")[0];
    (err as GrpcJsError).status = raw ? decodeStatus(typeof raw === "string" ? Buffer.from(raw, "base64") : raw) : undefined;
    reject(err);
  };
  return {
    call(method, request = {}) {
      const fn = client[method];
      if (typeof fn !== "function") return Promise.reject(new Error(`${serviceTypeName} has no method ${method}`));
      return new Promise((resolve, reject) => { fn.call(client, request, metadata(), settle(resolve, reject)); });
    },
    callPath(path, message = new Uint8Array()) {
      return new Promise((resolve, reject) => {
        client.makeUnaryRequest<Buffer, Buffer>(path, (b) => b, (b) => b, Buffer.from(message), metadata(), {}, settle(resolve, reject));
      });
    },
    close: () => client.close(),
  };
}

/** The rejection of `p` as a GrpcJsError (fails if `p` resolves). */
export async function grpcJsError(p: Promise<unknown>): Promise<GrpcJsError> {
  try {
    await p;
  } catch (e) {
    return e as GrpcJsError;
  }
  throw new Error("the call succeeded");
}
