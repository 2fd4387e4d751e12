// The floor to compare against: bare Fastify 5 + a pg Pool of the same size as the server's adapter-pg pool
// (max 20), answering GET /orgs/:id with one `SELECT … WHERE id = $1` on the same table. No auth, no protobuf,
// no Prisma: what a hand-written endpoint on this machine and database costs. Run by bench/run.ts with fork().
import Fastify from "fastify";
import pg from "pg";
import { freePort, serveBenchChild } from "./child-ipc.js";

const SQL = "SELECT id, display_name, external_id, metadata, region_code, features, create_time, update_time FROM organizations WHERE id = $1";

async function main() {
  const url = process.env.BENCH_DATABASE_URL;
  if (!url) throw new Error("BENCH_DATABASE_URL is required");
  const pool = new pg.Pool({ connectionString: url, max: 20 });
  await pool.query("SELECT 1");
  const app = Fastify({ logger: false });
  app.get("/healthz", async () => ({ status: "ok" })); // diagnostic: the framework floor without a query
  app.get<{ Params: { id: string } }>("/orgs/:id", async (req, reply) => {
    const { rows } = await pool.query(SQL, [req.params.id]);
    if (!rows.length) return reply.code(404).send({ code: 5, message: "not found" });
    return { organization: rows[0] };
  });
  const port = Number(process.env.BENCH_PORT) || await freePort();
  await app.listen({ host: "127.0.0.1", port });
  serveBenchChild({ name: "baseline", url: `http://127.0.0.1:${port}` }, async () => {
    await app.close();
    await pool.end();
  });
}

main().catch((e) => {
  process.stderr.write(`baseline failed to start: ${(e as Error)?.stack ?? e}\n`);
  process.exit(1);
});
