// Server-wide values generated once and shared by every replica through the database. Insert-if-absent and
// re-read, so replicas starting together agree on one value.
import { randomBytes } from "node:crypto";
import type { Db } from "../db/client.js";
import { newId } from "../protocol/ids.js";

export async function ensureSetting(db: Db, name: string, generate: () => string): Promise<string> {
  await db.serverSetting.createMany({ data: [{ name, value: generate() }], skipDuplicates: true });
  const row = await db.serverSetting.findUniqueOrThrow({ where: { name } });
  return row.value;
}

export interface ServerSettings {
  environmentId: string;
  /** key of the keyed hash that client secrets are stored under */
  secretHashKey: Buffer;
}

export async function loadServerSettings(db: Db, configuredEnvironmentId: string | undefined): Promise<ServerSettings> {
  const environmentId = configuredEnvironmentId ?? (await ensureSetting(db, "environment_id", () => newId("env")));
  const key = await ensureSetting(db, "secret_hash_key", () => randomBytes(32).toString("base64"));
  return { environmentId, secretHashKey: Buffer.from(key, "base64") };
}
