// `scalekit-local reset` and `seed FILE`: one-shot commands on the environment's database, run with the server
// stopped (the embedded database takes one server at a time; on PostgreSQL a running server sees the result).
import type { Config } from "./config.js";
import type { MigrationProgress } from "./db/migrate.js";

export async function runLocalCommand(command: "reset" | "seed", _args: string[], _config: Config, _progress: MigrationProgress): Promise<void> {
  throw new Error(`${command} is not available in this build yet`);
}
