// RolesService: environment and organization roles, their permissions and defaults, and permissions — every RPC
// the SDK or the REST contract uses, implemented once for gRPC and REST. Each request is checked against the
// buf.validate rules of its descriptor before the method runs.
import type { DescMethod } from "@bufbuild/protobuf";
import { roles } from "../../protocol/descriptors.js";
import { implement, type RpcHandler, type ServiceImplementation } from "../../protocol/rpc.js";
import type { ServiceDeps } from "../deps.js";
import { defaultRoles } from "./defaults.js";
import { checkRules } from "./descriptor-rules.js";
import { environmentRoles } from "./environment-roles.js";
import { organizationRoles } from "./organization-roles.js";
import { permissions } from "./permissions.js";
import { rolePermissions } from "./role-permissions.js";

type Methods = ServiceImplementation<typeof roles.RolesService>["methods"];

// Fields whose `required` rule a method waives: a permission PUT may leave the (immutable) name out.
const NOT_REQUIRED: Partial<Record<keyof Methods, string[]>> = {
  updatePermission: ["permission.name"],
};

function validated(methods: Methods): Methods {
  const out: Record<string, RpcHandler> = {};
  for (const [name, fn] of Object.entries(methods) as [keyof Methods, RpcHandler][]) {
    const desc = roles.RolesService.methods.find((m: DescMethod) => m.localName === name)!;
    const waived = NOT_REQUIRED[name] ?? [];
    out[name] = (req, ctx) => {
      checkRules(desc.input, req, waived);
      return fn(req, ctx);
    };
  }
  return out as Methods;
}

export function rolesService(deps: ServiceDeps) {
  return implement(roles.RolesService, validated({
    ...environmentRoles(deps),
    ...organizationRoles(deps),
    ...rolePermissions(deps),
    ...defaultRoles(deps),
    ...permissions(deps),
  }));
}
