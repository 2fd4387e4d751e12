// The environment client: the credentials users put in SCALEKIT_CLIENT_ID / SCALEKIT_CLIENT_SECRET.
// Configured ones are upserted (and replace any other secret of that client); otherwise one is generated on
// first start. A generated secret is also written to the data directory, so the start-up banner can show it
// again for the embedded database; only its hash is in the database.
import fs from "node:fs";
import path from "node:path";
import type { Db } from "../db/client.js";
import { newId } from "../protocol/ids.js";
import { generateClientSecret, hashSecret, secretSuffix } from "./secrets.js";

export interface EnvironmentCredentials {
  clientId: string;
  /** undefined when it was generated earlier and is not known any more (shown only once) */
  clientSecret: string | undefined;
  source: "configured" | "generated" | "stored";
}

const CREDENTIALS_FILE = "credentials.json";

export async function ensureEnvironmentClient(
  db: Db, hashKey: Buffer,
  opts: { clientId?: string; clientSecret?: string; dataDir: string; persistGenerated: boolean },
): Promise<EnvironmentCredentials> {
  if (opts.clientId && opts.clientSecret) {
    const hash = hashSecret(hashKey, opts.clientSecret);
    await db.$transaction(async (tx) => {
      await tx.apiClient.upsert({ where: { id: opts.clientId! }, create: { id: opts.clientId!, kind: "environment", name: "environment" }, update: {} });
      await tx.clientSecret.deleteMany({ where: { clientId: opts.clientId!, hash: { not: hash } } });
      await tx.clientSecret.upsert({
        where: { hash },
        create: { id: newId("sec"), clientId: opts.clientId!, hash, secretSuffix: secretSuffix(opts.clientSecret!) },
        update: { clientId: opts.clientId! },
      });
    });
    return { clientId: opts.clientId, clientSecret: opts.clientSecret, source: "configured" };
  }

  const existing = await db.apiClient.findFirst({ where: { kind: "environment" }, orderBy: { createdAt: "asc" } });
  if (existing) {
    const stored = readStored(opts.dataDir);
    const known = stored?.clientId === existing.id && stored.clientSecret
      && (await db.clientSecret.findUnique({ where: { hash: hashSecret(hashKey, stored.clientSecret) } }))?.clientId === existing.id;
    return { clientId: existing.id, clientSecret: known ? stored!.clientSecret : undefined, source: "stored" };
  }

  const clientId = newId("skc");
  const clientSecret = generateClientSecret();
  await db.apiClient.create({
    data: {
      id: clientId, kind: "environment", name: "environment",
      secrets: { create: { id: newId("sec"), hash: hashSecret(hashKey, clientSecret), secretSuffix: secretSuffix(clientSecret) } },
    },
  });
  if (opts.persistGenerated) {
    fs.mkdirSync(opts.dataDir, { recursive: true });
    fs.writeFileSync(path.join(opts.dataDir, CREDENTIALS_FILE), JSON.stringify({ clientId, clientSecret }, null, 2) + "\n", { mode: 0o600 });
  }
  return { clientId, clientSecret, source: "generated" };
}

function readStored(dataDir: string): { clientId: string; clientSecret: string } | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dataDir, CREDENTIALS_FILE), "utf8"));
  } catch {
    return undefined;
  }
}
