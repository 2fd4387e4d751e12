// A fresh database per test server: PGlite in memory by default; a new database on TEST_DATABASE_URL's server
// when that is set; a throwaway PostgreSQL container when TEST_DB=container (needs a Docker engine).
import { randomBytes } from "node:crypto";
import pg from "pg";

export interface TestDatabase { url: string | undefined; label: string; drop(): Promise<void> }

let container: Promise<{ url: string; stop(): Promise<void> }> | undefined;

async function containerUrl(): Promise<string> {
  container ??= (async () => {
    const { PostgreSqlContainer } = await import("@testcontainers/postgresql");
    const c = await new PostgreSqlContainer("postgres:16-alpine").start();
    return { url: c.getConnectionUri(), stop: async () => { await c.stop(); } };
  })();
  return (await container).url;
}

export async function freshDatabase(): Promise<TestDatabase> {
  const base = process.env.TEST_DB === "container" ? await containerUrl() : process.env.TEST_DATABASE_URL;
  if (!base) return { url: "memory", label: "pglite:memory", drop: async () => {} };
  const name = `sk_test_${Date.now()}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  return {
    url: u.toString(), label: `postgresql:${name}`,
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {});
      await c.end();
    },
  };
}
