import type { Config } from "../config.js";
import type { Database, Db } from "../db/client.js";
import type { Outbox } from "../events/outbox.js";

/** What a service needs from the process; passed explicitly so tests can build services the same way. */
export interface ServiceDeps {
  db: Db;
  /** direct parameterised reads for hot paths (see Database.sql) */
  sql: Database["sql"];
  outbox: Outbox;
  config: Config;
  environmentId: string;
  /** the server's key for hashing secrets, codes and tokens (src/auth/secrets.ts) */
  hashKey: Buffer;
}
