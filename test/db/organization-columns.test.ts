// The fast organization reads (src/api/organizations/store.ts) name their columns by hand to skip Prisma's
// per-query cost. This ties that list to the Prisma model: a field added to the model and not to the list, a
// renamed alias, or a timestamp read in the wrong time zone fails here instead of silently going missing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "../../src/generated/prisma/client.js";
import { openDatabase, type Database } from "../../src/db/client.js";
import { loadConfig } from "../../src/config.js";
import { ORGANIZATION_COLUMNS, readOrganization } from "../../src/api/organizations/store.js";
import { freshDatabase, type TestDatabase } from "../helpers/database.js";

/** The name each column of the list is returned under (its alias, or the column itself). */
function aliases(columns: string): string[] {
  return columns.split(",").map((c) => c.trim()).map((c) => /AS "([A-Za-z]+)"$/.exec(c)?.[1] ?? c);
}

describe("the organization column list", () => {
  it("returns exactly the scalar fields of the Prisma model", () => {
    expect(aliases(ORGANIZATION_COLUMNS.text).sort()).toEqual(Object.keys(Prisma.OrganizationScalarFieldEnum).sort());
  });

  describe("read through the driver", () => {
    let t: TestDatabase;
    let database: Database;
    beforeAll(async () => {
      t = await freshDatabase();
      database = await openDatabase({ url: t.url, dataDir: "", migrationsDir: loadConfig({}).migrationsDir, memoryTemplate: t.template });
    });
    afterAll(async () => { await database?.close(); await t?.drop(); });

    it("gives the row Prisma gives, values and types alike", async () => {
      const created = await database.prisma.organization.create({
        data: {
          id: "org_100000000000000001", displayName: "Columns", externalId: "ext-columns", metadata: { a: "1" }, regionCode: 2,
          slug: "columns", logoUrl: "https://example.test/logo.png", features: [{ name: "sso", enabled: true }],
          userManagement: { max_allowed_users: 3 }, sessionPolicy: { policy_source: "ORGANIZATION" },
          createTime: new Date("2026-01-02T03:04:05.678Z"), updateTime: new Date("2026-02-03T04:05:06.789Z"),
        },
      });
      const viaPrisma = await database.prisma.organization.findUniqueOrThrow({ where: { id: created.id } });
      expect(await readOrganization(database.sql, { id: created.id })).toEqual(viaPrisma);
      expect(await readOrganization(database.sql, { externalId: "ext-columns" })).toEqual(viaPrisma);
    });
  });
});
