// UserService GetCurrentUser and GetSupportHash: the RPCs a logged-in user calls with the access token of their
// hosted login (auth_option SESSION_USER / WORKSPACE_SESSION; src/protocol/auth-option.ts lets that token through
// to these two only). The token's session must still be active: a logout or a revoked session ends what the token
// can read here, even before the JWT expires.
import { createHmac } from "node:crypto";
import { Code } from "@connectrpc/connect";
import type { CallContext, ServiceImplementation } from "../../protocol/rpc.js";
import type { users } from "../../protocol/descriptors.js";
import { apiError, unauthenticated } from "../../protocol/errors.js";
import type { ServiceDeps } from "../deps.js";
import { activeAt } from "../sessions/service.js";
import { userMessage } from "./mapping.js";
import { findUser, userView } from "./store.js";

type Methods = ServiceImplementation<typeof users.UserService>["methods"];

export function currentUserMethods({ db, environmentId, hashKey }: ServiceDeps): Methods {
  /** The user behind the token, after checking that its session is live. */
  async function currentUser(ctx: CallContext, rpc: string) {
    const { userId, sessionId } = ctx.principal;
    if (!userId) throw apiError(Code.PermissionDenied, `${rpc} needs a user's access token from a hosted login (sub usr_…); a client token has no current user`);
    if (sessionId) {
      const live = await db.userSession.findFirst({ where: { AND: [{ id: sessionId, userId }, activeAt(new Date())] }, select: { id: true } });
      if (!live) throw unauthenticated(`the session ${sessionId} of this access token has ended (logged out, revoked or expired)`);
    }
    return findUser(db, { id: userId });
  }

  return {
    async getCurrentUser(_req, ctx) {
      const row = await currentUser(ctx, "GetCurrentUser");
      return { user: userMessage(await userView(db, row), environmentId), currentSessionId: ctx.principal.sessionId ?? "", gatewayEnabled: false };
    },

    async getSupportHash(_req, ctx) {
      const row = await currentUser(ctx, "GetSupportHash");
      // an identity-verification hash for a support widget: stable per user email, unforgeable without the server key
      return { supportHash: createHmac("sha256", hashKey).update(`support-hash:${row.email.toLowerCase()}`).digest("hex") };
    },
  };
}
