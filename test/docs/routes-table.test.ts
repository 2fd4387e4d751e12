// docs/ARCHITECTURE.md's URL -> RPC -> file table is generated from the route registry; this fails when the
// committed table is stale (run `npm run docs:routes`), and checks that every file it names exists.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DOC, routesTable, withCurrentTable } from "../../scripts/routes-table.js";
import { allServices } from "../../src/protocol/descriptors.js";
import { serviceBindings } from "../../src/protocol/http-rule.js";

describe("docs/ARCHITECTURE.md", () => {
  it("has the current route table (npm run docs:routes rewrites it)", () => {
    const doc = fs.readFileSync(DOC, "utf8");
    expect(withCurrentTable(doc) === doc, "the route table is stale: run npm run docs:routes").toBe(true);
  });

  it("lists every binding once, and names files that exist", () => {
    const rows = routesTable().split("\n").slice(2);
    expect(rows).toHaveLength(allServices.flatMap(serviceBindings).length);
    for (const file of rows.flatMap((r) => [...r.matchAll(/`(src\/[^`]+)`/g)].map((m) => m[1])))
      expect(fs.existsSync(path.resolve(import.meta.dirname, "../..", file)), file).toBe(true);
  });
});
