// OrganizationService: every RPC the SDK or the REST contract uses, implemented once for gRPC and REST.
import { organizations } from "../../protocol/descriptors.js";
import { implement, methodGroups } from "../../protocol/rpc.js";
import type { ServiceDeps } from "../deps.js";
import { organizationCrud } from "./crud.js";
import { portalLinks } from "./portal-links.js";
import { organizationSettings } from "./settings.js";

export function organizationService(deps: ServiceDeps) {
  return implement(organizations.OrganizationService, methodGroups(organizationCrud(deps), portalLinks(deps), organizationSettings(deps)));
}
