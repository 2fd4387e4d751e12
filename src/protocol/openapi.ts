// Success statuses come from the vendored contract, never from a hand-kept table.
import fs from "node:fs";
import path from "node:path";

export const OPENAPI_FILE = path.resolve(import.meta.dirname, "../../openapi/scalekit.openapi.json");

export interface OpenApiOperation { verb: string; path: string; operationId: string; successStatus: number; tag: string }

let cached: OpenApiOperation[] | undefined;

export function openApiOperations(): OpenApiOperation[] {
  if (cached) return cached;
  const doc = JSON.parse(fs.readFileSync(OPENAPI_FILE, "utf8"));
  cached = [];
  for (const [p, item] of Object.entries<any>(doc.paths)) {
    for (const [verb, op] of Object.entries<any>(item)) {
      if (!op?.operationId) continue;
      const ok = Object.keys(op.responses ?? {}).filter((s) => /^2\d\d$/.test(s)).sort()[0];
      cached.push({ verb: verb.toUpperCase(), path: p, operationId: op.operationId, successStatus: ok ? Number(ok) : 200, tag: op.tags?.[0] ?? "" });
    }
  }
  return cached;
}

/** Spec operation for a binding, matched on verb + path template (path variable names may differ). */
export function findOperation(verb: string, template: string): OpenApiOperation | undefined {
  const shape = (p: string) => p.replace(/\{[^}]+\}/g, "{}");
  return openApiOperations().find((o) => o.verb === verb && shape(o.path) === shape(template));
}
