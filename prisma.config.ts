import path from "node:path";
import { defineConfig } from "prisma/config";

// Prisma's CLI wants a native schema-engine binary from a download host that is not reachable
// everywhere this project runs. prisma/schema-engine-wasm.mjs speaks the same stdio protocol on top of
// Prisma's own WASM engine, so `prisma migrate dev|deploy|diff` and `generate` work offline.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(import.meta.dirname, "prisma/schema-engine-wasm.mjs");

export default defineConfig({
  schema: "prisma/schema",
  migrations: { path: "prisma/migrations" },
  // postgres(ql)://… for a real server; pglite:<dir> for an embedded one (never one the server holds open).
  datasource: { url: process.env.DATABASE_URL ?? "pglite:./.scalekit-data/dev-cli-db" },
});
