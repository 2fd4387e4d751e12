// The wire contract is data: the generated protobuf-es descriptors that @scalekit-sdk/node ships (pinned to an
// exact version). This is the only module that imports the SDK package; everything else imports from here.
import type { DescService } from "@bufbuild/protobuf";
import * as auditlogs from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/auditlogs/auditlogs_pb.js";
import * as auth from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/auth/auth_pb.js";
import * as passwordless from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/auth/passwordless_pb.js";
import * as webauthn from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/auth/webauthn_pb.js";
import * as clients from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/clients/clients_pb.js";
import * as commons from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/commons/commons_pb.js";
import * as connectedAccounts from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/connected_accounts/connected_accounts_pb.js";
import * as connections from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/connections/connections_pb.js";
import * as directories from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/directories/directories_pb.js";
import * as domains from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/domains/domains_pb.js";
import * as errdetails from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/errdetails/errdetails_pb.js";
import * as events from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/events/events_pb.js";
import * as options from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/options/options_pb.js";
import * as organizations from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/organizations/organizations_pb.js";
import * as roles from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/roles/roles_pb.js";
import * as sessions from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/sessions/sessions_pb.js";
import * as tokens from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/tokens/tokens_pb.js";
import * as tools from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/tools/tools_pb.js";
import * as users from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/users/users_pb.js";

export {
  auditlogs, auth, passwordless, webauthn, clients, commons, connectedAccounts, connections, directories, domains,
  errdetails, events, options, organizations, roles, sessions, tokens, tools, users,
};

/** Every service of the contract, in a stable order (17 services, 204 RPCs). */
export const allServices: DescService[] = [
  auditlogs.AuditLogsService, auth.AuthService, passwordless.PasswordlessService, webauthn.WebAuthnService,
  clients.ClientService, connectedAccounts.ConnectedAccountService, connections.ConnectionService,
  directories.DirectoryService, domains.DomainService, events.EventsService, organizations.OrganizationService,
  roles.RolesService, sessions.SessionService, tokens.ApiTokenService, tools.ToolService, users.UserService,
  errdetails.Dummy,
];

/** Descriptor files, for registries that must resolve google.protobuf.Any in error details. */
export const errorInfoSchema = errdetails.ErrorInfoSchema;
