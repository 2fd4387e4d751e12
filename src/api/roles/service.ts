// RolesService: environment and organization roles, their permissions and defaults, and permissions — every RPC
// the SDK or the REST contract uses, implemented once for gRPC and REST. Each request is checked against the
// buf.validate rules of its descriptor before the method runs.
import { roles } from "../../protocol/descriptors.js";
import { type ServiceImplementation, methodGroups } from "../../protocol/rpc.js";
import type { ServiceDeps } from "../deps.js";
import { defaultRoles } from "./defaults.js";
import { implementChecked } from "../../protocol/descriptor-rules.js";
import { environmentRoles } from "./environment-roles.js";
import { organizationRoles } from "./organization-roles.js";
import { permissions } from "./permissions.js";
import { rolePermissions } from "./role-permissions.js";

type Methods = ServiceImplementation<typeof roles.RolesService>["methods"];

// Fields whose `required` rule a method waives: a permission PUT may leave the (immutable) name out.
const NOT_REQUIRED: { [K in keyof Methods]?: readonly string[] } = {
  updatePermission: ["permission.name"],
};

export function rolesService(deps: ServiceDeps) {
  return implementChecked(roles.RolesService, methodGroups(environmentRoles(deps), organizationRoles(deps), rolePermissions(deps), defaultRoles(deps), permissions(deps)), NOT_REQUIRED);
}
