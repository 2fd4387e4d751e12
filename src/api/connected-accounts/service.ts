// ConnectedAccountService: the nine contract operations (list, search, create, update, delete, magic link, get
// by locator with credentials, user verify) implemented once for gRPC and REST. Requests are checked against the
// buf.validate rules of their descriptors first.
import { connectedAccounts } from "../../protocol/descriptors.js";
import type { ServiceDeps } from "../deps.js";
import { implementChecked } from "../../protocol/descriptor-rules.js";
import { accountCrud } from "./accounts.js";
import { magicLinkMethods } from "./magic-link.js";
import { methodGroups } from "../../protocol/rpc.js";

export function connectedAccountService(deps: ServiceDeps) {
  return implementChecked(connectedAccounts.ConnectedAccountService, methodGroups(accountCrud(deps), magicLinkMethods(deps)));
}
