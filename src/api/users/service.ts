// UserService: every user and membership RPC the SDK or the REST contract uses, implemented once for gRPC and
// REST. Each request is checked against the buf.validate rules of its descriptor before the method runs.
import { users } from "../../protocol/descriptors.js";
import type { ServiceDeps } from "../deps.js";
import { implementChecked } from "../../protocol/descriptor-rules.js";
import { inviteMethods } from "./invites.js";
import { membershipMethods } from "./memberships.js";
import { userCrud } from "./users.js";
import { currentUserMethods } from "./current-user.js";
import { methodGroups } from "../../protocol/rpc.js";

export function userService(deps: ServiceDeps) {
  return implementChecked(users.UserService, methodGroups(userCrud(deps), membershipMethods(deps), inviteMethods(deps), currentUserMethods(deps)));
}
