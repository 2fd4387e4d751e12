// The real server (loadConfig + buildApp, as `npm start` does) in its own process, so the bench can read its CPU
// time apart from the load generator's. Run by bench/run.ts with fork(); by hand:
//   BENCH_DATABASE_URL=postgresql://… node --import tsx bench/server-under-test.ts
// (BENCH_DATABASE_URL unset: embedded PGlite in BENCH_DATA_DIR). Prints/sends a ready message, see child-ipc.ts.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../src/config.js";
import { buildApp } from "../src/app.js";
import { freePort, serveBenchChild } from "./child-ipc.js";

const BENCH_CLIENT_ID = "skc_900000000000000001";
const BENCH_CLIENT_SECRET = "bench_secret_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH";

async function main() {
  const port = Number(process.env.BENCH_PORT) || await freePort();
  const dataDir = process.env.BENCH_DATA_DIR || fs.mkdtempSync(path.join(os.tmpdir(), "sk-bench-"));
  const env: NodeJS.ProcessEnv = {
    HOST: "127.0.0.1",
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL || "warn",
    SCALEKIT_CLIENT_ID: BENCH_CLIENT_ID,
    SCALEKIT_CLIENT_SECRET: BENCH_CLIENT_SECRET,
    ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
  };
  const config = loadConfig(env);
  const built = await buildApp(config);
  await built.app.listen({ host: config.host, port: config.port });
  serveBenchChild(
    {
      name: "server-under-test",
      url: config.environmentUrl,
      database: built.database.kind,
      databaseLocation: built.database.location,
      clientId: built.credentials.clientId,
      clientSecret: built.credentials.clientSecret,
    },
    () => built.app.close(),
  );
}

main().catch((e) => {
  process.stderr.write(`server-under-test failed to start: ${(e as Error)?.stack ?? e}\n`);
  process.exit(1);
});
