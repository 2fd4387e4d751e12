// The end of a login: the user is known (flow.user_id); pick the organization, join or open the session, issue
// the authorization code and send the browser back to the application. One transaction, so a code exists
// exactly when its session, membership changes and events do.
import type { LoginFlow, Organization, UserSession } from "../../../generated/prisma/client.js";
import { inTransaction } from "../../../db/tx.js";
import { authorizationCodeHash, newOpaqueToken } from "../../../auth/user-tokens.js";
import { newId } from "../../../protocol/ids.js";
import type { ServiceDeps } from "../../deps.js";
import { LoginError, PageError } from "./errors.js";
import { ensureActiveMember, loginMemberships, signUp } from "./identity.js";
import { openSession, type Device } from "./sessions.js";

export const CODE_TTL_MS = 10 * 60 * 1000;

export type Finish =
  | { kind: "redirect"; url: string; sessionCookie?: string }
  | { kind: "pick"; organizations: { id: string; name: string; pending: boolean }[] };

/** The application's redirect URI with the answer's parameters (and state, always echoed). */
export function appRedirect(flow: Pick<LoginFlow, "redirectUri" | "state">, params: Record<string, string>): string {
  const url = new URL(flow.redirectUri);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  if (flow.state !== null) url.searchParams.set("state", flow.state);
  return url.href;
}

export async function finishLogin(deps: ServiceDeps, flow: LoginFlow, o: { device: Device; current?: UserSession; chosenOrganizationId?: string; organizationName?: string }): Promise<Finish> {
  if (!flow.userId) throw new PageError("Not signed in", "This login has no verified user yet. Start again from the application.");
  const userId = flow.userId;
  const connection = flow.connectionId ? await deps.db.connection.findUnique({ where: { id: flow.connectionId } }) : null;
  const memberships = await loginMemberships(deps.db, userId);

  // which organization: the SSO connection's, the one asked for, the one picked, the only one, or a new one
  let target: string | null | "signup";
  if (connection?.organizationId) target = connection.organizationId;
  else if (flow.requestedOrganizationId) target = flow.requestedOrganizationId;
  else if (o.chosenOrganizationId) target = o.chosenOrganizationId;
  else if (memberships.length === 1) target = memberships[0].organizationId;
  else if (memberships.length > 1) {
    return { kind: "pick", organizations: memberships.map((m) => ({ id: m.organizationId, name: m.organization.displayName, pending: m.status !== 1 })) };
  } else target = "signup";
  if (o.chosenOrganizationId && !memberships.some((m) => m.organizationId === o.chosenOrganizationId))
    throw new PageError("Organization not available", "You are not a member of that organization.", 403);

  const result = await inTransaction(deps.db, async (tx) => {
    const [done] = await tx.loginFlow.updateManyAndReturn({ where: { id: flow.id, step: flow.step, updatedAt: flow.updatedAt }, data: { step: "done", updatedAt: new Date() } });
    if (!done) throw new PageError("Login already moved on", "This step was already submitted (another tab?). Start again from the application.", 409);
    let user = await tx.user.findUniqueOrThrow({ where: { id: userId } });
    let org: Organization | null = null;
    if (target === "signup") {
      ({ user, org } = await signUp(tx, deps, user.email, o.organizationName));
    } else if (target) {
      // SSO makes the user a member of the connection's organization; anything else needs a membership or invitation
      org = (await ensureActiveMember(tx, deps, target, user, { mayJoin: !!connection?.organizationId })) ?? null;
      if (!org) throw new LoginError("unauthorized", `user ${user.email} is not a member of organization ${target}`);
    }
    const { session, cookie } = await openSession(tx, deps, { current: o.current, user, org, clientId: flow.clientId, connectionId: connection?.id ?? null, device: o.device });
    const code = newOpaqueToken();
    await tx.authorizationCode.create({
      data: {
        id: newId("acd"), codeHash: authorizationCodeHash(deps.hashKey, code), clientId: flow.clientId, redirectUri: flow.redirectUri,
        sessionId: session.id, userId: user.id, organizationId: org?.id ?? null, connectionId: connection?.id ?? null,
        scopes: flow.scopes, nonce: flow.nonce, codeChallenge: flow.codeChallenge, codeChallengeMethod: flow.codeChallengeMethod,
        expiresAt: new Date(Date.now() + CODE_TTL_MS),
      },
    });
    return { code, cookie };
  });
  return { kind: "redirect", url: appRedirect(flow, { code: result.code }), sessionCookie: result.cookie };
}
