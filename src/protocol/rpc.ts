// A service method is implemented once, as an RpcHandler over protobuf-es messages. The gRPC/Connect adapter
// (grpc.ts) and the REST transcoder (rest.ts) are generic: both resolve a method here, authenticate the
// caller the same way, and run the same handler.
import type { DescMethod, DescService, MessageInitShape, MessageShape, DescMessage } from "@bufbuild/protobuf";
import type { Logger } from "pino";
import type { Principal } from "../auth/principal.js";
import { unimplemented } from "./errors.js";

export interface CallContext {
  principal: Principal;
  requestId: string;
  log: Logger;
}

export type RpcHandler<I extends DescMessage = DescMessage, O extends DescMessage = DescMessage> =
  (req: MessageShape<I>, ctx: CallContext) => Promise<MessageInitShape<O>>;

/** Implementations of some methods of one service, keyed by the method's localName (createOrganization). */
export interface ServiceImplementation<S extends DescService = DescService> {
  service: S;
  methods: { [K in keyof S["method"]]?: RpcHandler<S["method"][K]["input"], S["method"][K]["output"]> };
}

export function implement<S extends DescService>(service: S, methods: ServiceImplementation<S>["methods"]): ServiceImplementation<S> {
  return { service, methods };
}

export class RpcRegistry {
  private readonly byMethod = new Map<DescMethod, RpcHandler>();

  constructor(readonly services: DescService[], implementations: ServiceImplementation<any>[]) {
    for (const impl of implementations) {
      if (!services.includes(impl.service)) throw new Error(`${impl.service.typeName} is not a service of the contract`);
      for (const [localName, fn] of Object.entries(impl.methods)) {
        const m = impl.service.methods.find((x: DescMethod) => x.localName === localName);
        if (!m) throw new Error(`${impl.service.typeName} has no method ${localName}`);
        if (this.byMethod.has(m)) throw new Error(`${m.parent.typeName}/${m.name} implemented twice`);
        this.byMethod.set(m, fn as RpcHandler);
      }
    }
  }

  isImplemented(m: DescMethod): boolean {
    return this.byMethod.has(m);
  }

  /** The handler, or one that answers UNIMPLEMENTED through the same error path as every other failure. */
  handler(m: DescMethod): RpcHandler {
    return this.byMethod.get(m) ?? (async () => { throw unimplemented(`${m.parent.typeName}/${m.name}`); });
  }
}
