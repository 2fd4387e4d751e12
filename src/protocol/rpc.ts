// A service method is implemented once, as an RpcHandler over protobuf-es messages. The gRPC/Connect adapter
// (grpc.ts) and the REST transcoder (rest.ts) are generic: both resolve a method here, authenticate the
// caller the same way, and run the same handler.
import type { DescMethod, DescService, MessageInitShape, MessageShape, DescMessage, Message } from "@bufbuild/protobuf";
import type { Logger } from "pino";
import type { Principal } from "../auth/principal.js";
import type { Authenticator } from "../auth/authenticator.js";
import { toApiError, unimplemented } from "./errors.js";
import { rejectNul } from "./nul-guard.js";
import type { ConnectError } from "@connectrpc/connect";

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

/**
 * The methods of several groups (files) of one service as one object; a method defined by two groups is a mistake
 * found at start-up, not a silent override by whichever spread came last.
 */
export function methodGroups<G extends object[]>(...groups: G): MergedGroups<G> {
  const out: Record<string, unknown> = {};
  for (const g of groups as object[]) {
    for (const [name, fn] of Object.entries(g)) {
      if (name in out) throw new Error(`method ${name} is defined by two method groups`);
      out[name] = fn;
    }
  }
  return out as MergedGroups<G>;
}

type MergedGroups<G extends object[]> = G extends [infer H, ...infer R extends object[]] ? H & MergedGroups<R> : unknown;

/** Who calls and how to reach them: the authorization header (checked here) or a principal a hook already checked. */
export interface CallRequest {
  authorization?: string;
  principal?: Principal;
  requestId: string;
  log: Logger;
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

  /**
   * The one call path of every transport (REST, gRPC/Connect, the direct unary gRPC path): authenticate, then read
   * the request (only then: a body is never read for a caller without a valid token), run the method's handler
   * (which checks the descriptor's rules first), and map anything thrown to the one error model, logging what was
   * unexpected. Throws the mapped ConnectError.
   */
  async invoke(m: DescMethod, call: CallRequest, readInput: () => unknown, auth: Authenticator): Promise<unknown> {
    try {
      const principal = call.principal ?? await auth.verifyCaller(call.authorization, m);
      const input = await readInput() as Message;
      rejectNul(m.input, input);
      return await this.handler(m)(input as any, { principal, requestId: call.requestId, log: call.log });
    } catch (e) {
      throw this.failure(m, e, call.log);
    }
  }

  /** Maps a failure to the error model, logging it when it was not the caller's doing. */
  failure(m: DescMethod, e: unknown, log: Logger): ConnectError {
    const { error, unexpected } = toApiError(e);
    if (unexpected) log.error({ err: e, rpc: `${m.parent.typeName}/${m.name}` }, "unexpected error");
    return error;
  }

  /** The handler, or one that answers UNIMPLEMENTED through the same error path as every other failure. */
  handler(m: DescMethod): RpcHandler {
    return this.byMethod.get(m) ?? (async () => { throw unimplemented(`${m.parent.typeName}/${m.name}`); });
  }
}
