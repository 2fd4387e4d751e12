// What a fresh environment has (as a Scalekit development environment does): the default roles, the Test
// Organization with its simulator connection, … One list of steps, run once at first start and again after a
// reset (src/local/reset.ts), so the two can never differ. Each step adds its rows through `tx` only.
import type { Tx } from "../db/tx.js";
import { inTransaction } from "../db/tx.js";
import type { ServiceDeps } from "../api/deps.js";
import { seedDefaultRoles } from "../api/roles/seed.js";
import { testOrganizationStep } from "./test-organization.js";

export interface FreshEnvironmentStep {
  /** shown in logs and in error messages */
  name: string;
  run(tx: Tx, deps: ServiceDeps): Promise<void>;
}

/** Add a step here; order matters only where a step uses what an earlier one made (roles before organizations). */
export const FRESH_ENVIRONMENT_STEPS: FreshEnvironmentStep[] = [
  { name: "default roles (admin, member)", run: (tx) => seedDefaultRoles(tx) },
  // after the default roles: members the Test Organization gets (SSO logins) get the default member role
  testOrganizationStep,
];

/** Runs every step in the caller's transaction (reset uses its own). */
export async function seedFreshEnvironment(tx: Tx, deps: ServiceDeps): Promise<void> {
  for (const step of FRESH_ENVIRONMENT_STEPS) await step.run(tx, deps);
}

const MARKER = "fresh_environment_seeded";

/**
 * At start-up: seed once per database, ever. The marker row and the seed commit together, and the insert of the
 * marker is what decides, so two replicas starting on one PostgreSQL seed exactly once.
 * Returns whether this call seeded.
 */
export async function ensureFreshEnvironment(deps: ServiceDeps): Promise<boolean> {
  return inTransaction(deps.db, async (tx) => {
    const inserted = await tx.serverSetting.createMany({ data: [{ name: MARKER, value: new Date().toISOString() }], skipDuplicates: true });
    if (inserted.count === 0) return false;
    await seedFreshEnvironment(tx, deps);
    return true;
  });
}
