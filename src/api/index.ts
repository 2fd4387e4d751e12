// Every implemented service, one folder per tag. Methods not listed here answer UNIMPLEMENTED through the same
// generic transports, so the coverage report is computed, not kept by hand.
import type { ServiceImplementation } from "../protocol/rpc.js";
import type { ServiceDeps } from "./deps.js";
import { organizationService } from "./organizations/service.js";
import { eventsService } from "./events/service.js";
import { rolesService } from "./roles/service.js";
import { userService } from "./users/service.js";
import { sessionService } from "./sessions/service.js";
import { clientService } from "./clients/service.js";
import { apiTokenService } from "./tokens/service.js";
import { connectionService } from "./connections/service.js";
import { domainService } from "./domains/service.js";
import { passwordlessService } from "./passwordless/service.js";
import { webauthnService } from "./webauthn/service.js";
import { directoryService } from "./directories/service.js";
import { connectedAccountService } from "./connected-accounts/service.js";
import { toolService } from "./tools/service.js";
import { authService } from "./auth/service.js";
import { providerService } from "./providers/service.js";
import { mcpService } from "./mcp/service.js";

export function serviceImplementations(deps: ServiceDeps): ServiceImplementation<any>[] {
  return [organizationService(deps), eventsService(deps), rolesService(deps), userService(deps), sessionService(deps), clientService(deps), apiTokenService(deps), connectionService(deps), domainService(deps), passwordlessService(deps), webauthnService(deps), directoryService(deps), connectedAccountService(deps), toolService(deps), authService(deps), providerService(deps), mcpService(deps)];
}
