// Pending logins (login_flows): created by /oauth/authorize, bound to the browser that started them through the
// keyed hash of a random cookie, 10 minutes long. Every step reads the flow through loadFlow, so a login id
// copied to another browser, an expired one or a finished one is refused the same way everywhere.
import { randomBytes } from "node:crypto";
import type { LoginFlow, Prisma } from "../../../generated/prisma/client.js";
import { hashSecret } from "../../../auth/secrets.js";
import { newId } from "../../../protocol/ids.js";
import type { ServiceDeps } from "../../deps.js";
import { PageError } from "./errors.js";

export const FLOW_TTL_MS = 10 * 60 * 1000;
const FLOW_ID = /^lri_\d{1,30}$/;

export const newBrowserKey = () => randomBytes(24).toString("base64url");
export const browserHash = (key: Buffer, browserKey: string) => hashSecret(key, `browser:${browserKey}`);

export type NewFlow = Omit<Prisma.LoginFlowUncheckedCreateInput, "id" | "browserHash" | "expiresAt">;

export async function createFlow(deps: ServiceDeps, browserKey: string, data: NewFlow): Promise<LoginFlow> {
  const now = new Date();
  return deps.db.loginFlow.create({
    data: { ...data, id: newId("lri"), browserHash: browserHash(deps.hashKey, browserKey), expiresAt: new Date(now.getTime() + FLOW_TTL_MS), createdAt: now, updatedAt: now },
  });
}

/** The flow `id` of this browser, still open (unless `allowDone`); a PageError otherwise. */
export async function loadFlow(deps: ServiceDeps, id: unknown, browserKey: string | undefined, o: { allowDone?: boolean } = {}): Promise<LoginFlow> {
  if (typeof id !== "string" || !FLOW_ID.test(id)) throw new PageError("Login not found", "This login link is incomplete. Start again from the application.");
  const flow = await deps.db.loginFlow.findUnique({ where: { id } });
  if (!flow || !browserKey || flow.browserHash !== browserHash(deps.hashKey, browserKey))
    throw new PageError("Login not found", "This login was started in another browser, or it does not exist. Start again from the application.");
  if (flow.expiresAt <= new Date()) throw new PageError("Login expired", "This login took longer than 10 minutes. Start again from the application.");
  if (!o.allowDone && (flow.step === "done" || flow.step === "failed"))
    throw new PageError("Login already finished", "This login has already finished. Start again from the application.");
  return flow;
}

/** Moves a flow on, only from the step it was read in (a concurrent or repeated post changes nothing). */
export async function advanceFlow(deps: ServiceDeps, flow: LoginFlow, data: Prisma.LoginFlowUpdateManyMutationInput): Promise<LoginFlow> {
  const [row] = await deps.db.loginFlow.updateManyAndReturn({
    where: { id: flow.id, step: flow.step, updatedAt: flow.updatedAt },
    data: { ...data, updatedAt: new Date() },
  });
  if (!row) throw new PageError("Login already moved on", "This step was already submitted (another tab?). Start again from the application.", 409);
  return row;
}
