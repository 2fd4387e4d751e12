// UserService: every user and membership RPC the SDK or the REST contract uses, implemented once for gRPC and
// REST. Each request is checked against the buf.validate rules of its descriptor before the method runs.
import type { DescMethod } from "@bufbuild/protobuf";
import { users } from "../../protocol/descriptors.js";
import { implement, type RpcHandler, type ServiceImplementation } from "../../protocol/rpc.js";
import type { ServiceDeps } from "../deps.js";
import { checkRules } from "../roles/descriptor-rules.js";
import { inviteMethods } from "./invites.js";
import { membershipMethods } from "./memberships.js";
import { userCrud } from "./users.js";

type Methods = ServiceImplementation<typeof users.UserService>["methods"];

function validated(methods: Methods): Methods {
  const out: Record<string, RpcHandler> = {};
  for (const [name, fn] of Object.entries(methods) as [keyof Methods, RpcHandler][]) {
    const desc = users.UserService.methods.find((m: DescMethod) => m.localName === name)!;
    out[name] = (req, ctx) => {
      checkRules(desc.input, req, []);
      return fn(req, ctx);
    };
  }
  return out as Methods;
}

export function userService(deps: ServiceDeps) {
  return implement(users.UserService, validated({ ...userCrud(deps), ...membershipMethods(deps), ...inviteMethods(deps) }));
}
