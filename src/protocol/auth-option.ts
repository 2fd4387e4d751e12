// Who may call an RPC, as the contract says: each method's scalekit.v1.options.auth_option (extension 50000)
// names its callers as a bit set (CLIENT 4, USER 8, SESSION 16, WORKSPACE 64, …). This server has two kinds of
// caller: API clients (the environment client) and the users of a hosted login, whose access tokens may call only
// the RPCs that name a user (SESSION_USER: GetCurrentUser, the "current agent consents" and "my connected account"
// RPCs) or a session without a client (WORKSPACE_SESSION: GetSupportHash, which Scalekit's own login page calls
// with the user's token).
import { getOption, type DescMethod } from "@bufbuild/protobuf";
import { options } from "./descriptors.js";

const { AuthenticationType: A } = options;
const cache = new WeakMap<DescMethod, boolean>();

export function authenticationType(method: DescMethod): number {
  return getOption(method, options.auth_option)?.authenticationType ?? A.BLOCKED;
}

/** May a user's hosted-login access token call `method`? */
export function acceptsUserSession(method: DescMethod): boolean {
  let v = cache.get(method);
  if (v === undefined) {
    const t = authenticationType(method);
    v = (t & A.USER) !== 0 || t === A.WORKSPACE_SESSION;
    cache.set(method, v);
  }
  return v;
}
