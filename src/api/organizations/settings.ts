// Organization settings: feature toggles, user-management limits and the session policy. Each change is an
// organization.updated event, written in the same transaction under the organization's row lock.
import type { Organization as OrganizationRow, Prisma } from "../../generated/prisma/client.js";
import { inTransaction } from "../../db/tx.js";
import { commons, organizations } from "../../protocol/descriptors.js";
import { invalidArgument } from "../../protocol/errors.js";
import type { ServiceImplementation } from "../../protocol/rpc.js";
import type { ServiceDeps } from "../deps.js";
import {
  featuresOf, organizationMessage, sessionPolicyMessage, sessionPolicyOf, userManagementMessage, userManagementOf,
  type Feature, type SessionPolicy, type UserManagementSettings,
} from "./mapping.js";
import { emitOrganizationEvent, findOrganization, lockOrganization } from "./store.js";
import { checkFeatureName, requirePrefixedId } from "./validation.js";

type Methods = ServiceImplementation<typeof organizations.OrganizationService>["methods"];
type Row = OrganizationRow;

// The application-level policy has no setting in this server yet; these are the contract's documented example
// values, and custom policies are checked against the same access-token expiry.
const ACCESS_TOKEN_EXPIRY_MINUTES = 5;
export const APPLICATION_POLICY = {
  absoluteSessionTimeout: 480, absoluteSessionTimeoutUnit: commons.TimeUnit.MINUTES,
  idleSessionTimeoutEnabled: false, idleSessionTimeout: 0, accessTokenExpiry: ACCESS_TOKEN_EXPIRY_MINUTES,
};
const MAX_TIMEOUT_MINUTES = 365 * 24 * 60;
const MINUTES_PER_UNIT: Record<number, number> = {
  [commons.TimeUnit.SESSION_TIME_UNIT_UNSPECIFIED]: 1, // "Defaults to MINUTES"
  [commons.TimeUnit.MINUTES]: 1, [commons.TimeUnit.HOURS]: 60, [commons.TimeUnit.DAYS]: 24 * 60,
};

/** Toggles are merged by name: a PATCH naming `sso` leaves `dir_sync` as it was. */
function mergeFeatures(current: Feature[], incoming: Feature[]): Feature[] {
  const merged = current.map((f) => ({ ...f }));
  for (const f of incoming) {
    const existing = merged.find((x) => x.name === f.name);
    if (existing) existing.enabled = f.enabled;
    else merged.push({ ...f });
  }
  return merged;
}

function toMinutes(field: string, value: number, unit: commons.TimeUnit | undefined): number {
  const factor = MINUTES_PER_UNIT[unit ?? commons.TimeUnit.MINUTES];
  if (factor === undefined) throw invalidArgument(`${field}_unit`, "must be MINUTES, HOURS or DAYS");
  if (!Number.isInteger(value) || value <= 0) throw invalidArgument(field, "must be a positive whole number");
  const minutes = value * factor;
  if (minutes <= ACCESS_TOKEN_EXPIRY_MINUTES) throw invalidArgument(field, `must be longer than the access token expiry (${ACCESS_TOKEN_EXPIRY_MINUTES} minutes)`);
  if (minutes > MAX_TIMEOUT_MINUTES) throw invalidArgument(field, "must be at most 365 days");
  return minutes;
}

/** PATCH semantics: a CUSTOM update may omit values an earlier CUSTOM policy already set. */
function nextPolicy(current: SessionPolicy, req: organizations.UpdateOrganizationSessionPolicyRequest): SessionPolicy {
  const { SessionPolicyType } = organizations;
  if (req.policySource === SessionPolicyType.APPLICATION) return { policy_source: "APPLICATION" };
  if (req.policySource !== SessionPolicyType.CUSTOM) throw invalidArgument("policy_source", "must be APPLICATION or CUSTOM");
  const prev = current.policy_source === "CUSTOM" ? current : undefined;
  const absolute = req.absoluteSessionTimeout !== undefined
    ? toMinutes("absolute_session_timeout", req.absoluteSessionTimeout, req.absoluteSessionTimeoutUnit)
    : prev?.absolute_minutes;
  if (absolute === undefined) throw invalidArgument("absolute_session_timeout", "is required when policy_source is CUSTOM");
  const idleEnabled = req.idleSessionTimeoutEnabled ?? prev?.idle_enabled ?? false;
  if (!idleEnabled) return { policy_source: "CUSTOM", absolute_minutes: absolute, idle_enabled: false };
  const idle = req.idleSessionTimeout !== undefined
    ? toMinutes("idle_session_timeout", req.idleSessionTimeout, req.idleSessionTimeoutUnit)
    : prev?.idle_minutes;
  if (idle === undefined) throw invalidArgument("idle_session_timeout", "is required when idle_session_timeout_enabled is true");
  if (idle > absolute) throw invalidArgument("idle_session_timeout", "must not be longer than absolute_session_timeout");
  return { policy_source: "CUSTOM", absolute_minutes: absolute, idle_enabled: true, idle_minutes: idle };
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function organizationSettings({ db, outbox }: ServiceDeps): Methods {
  /** Applies `change` to the locked row; writes and emits only when it really changes something. */
  const patch = (organizationId: string, change: (row: Row) => Prisma.OrganizationUpdateInput | undefined) =>
    inTransaction(db, async (tx) => {
      const row = await lockOrganization(tx, { id: organizationId });
      const data = change(row);
      if (!data) return row;
      const updated = await tx.organization.update({ where: { id: row.id }, data: { ...data, updateTime: new Date() } });
      await emitOrganizationEvent(outbox, tx, "organization.updated", updated);
      return updated;
    });

  return {
    async updateOrganizationSettings(req) {
      const id = requirePrefixedId("id", req.id, "org_");
      if (!req.settings) throw invalidArgument("settings", "is required");
      const incoming = req.settings.features.map((f) => ({ name: checkFeatureName(f.name), enabled: f.enabled }));
      const row = await patch(id, (r) => {
        const merged = mergeFeatures(featuresOf(r), incoming);
        return sameJson(merged, featuresOf(r)) ? undefined : { features: merged as unknown as Prisma.InputJsonValue };
      });
      return { organization: organizationMessage(row) };
    },

    async upsertUserManagementSettings(req) {
      const id = requirePrefixedId("organization_id", req.organizationId, "org_");
      if (!req.settings) throw invalidArgument("settings", "is required");
      const max = req.settings.maxAllowedUsers;
      if (max !== undefined && (!Number.isInteger(max) || max < 0))
        throw invalidArgument("settings.max_allowed_users", "must be 0 (no limit) or a positive number");
      const row = await patch(id, (r) => {
        const current = userManagementOf(r);
        const next: UserManagementSettings = max === undefined ? current : { ...current, max_allowed_users: max };
        return sameJson(next, current) ? undefined : { userManagement: next as Prisma.InputJsonValue };
      });
      return { settings: userManagementMessage(userManagementOf(row)) };
    },

    async getOrganizationUserManagementSetting(req) {
      const id = requirePrefixedId("organization_id", req.organizationId, "org_");
      return { settings: userManagementMessage(userManagementOf(await findOrganization(db, { id }))) };
    },

    async updateOrganizationSessionPolicy(req) {
      const id = requirePrefixedId("organization_id", req.organizationId, "org_");
      const row = await patch(id, (r) => {
        const current = sessionPolicyOf(r);
        const next = nextPolicy(current, req);
        return sameJson(next, current) ? undefined : { sessionPolicy: next as unknown as Prisma.InputJsonValue };
      });
      return { policy: sessionPolicyMessage(sessionPolicyOf(row)) };
    },

    async getOrganizationSessionPolicy(req) {
      const id = requirePrefixedId("organization_id", req.organizationId, "org_");
      return { policy: sessionPolicyMessage(sessionPolicyOf(await findOrganization(db, { id }))) };
    },

    async getApplicationSessionPolicy(req) {
      const id = requirePrefixedId("organization_id", req.organizationId, "org_");
      await findOrganization(db, { id });
      return { applicationPolicy: APPLICATION_POLICY };
    },
  };
}
