// Connected-account credentials are sealed at rest (src/auth/secret-box.ts, AES-256-GCM). The key is
// SCALEKIT_ENCRYPTION_KEY when set; otherwise one is generated on first use and kept in generated_encryption_keys,
// so every replica sharing the database agrees on it (setting the variable keeps the key out of the database,
// which is the stronger choice). Each value is bound to its row id, so a ciphertext copied onto another account
// does not decrypt.
import { randomBytes } from "node:crypto";
import { SecretBox } from "../../auth/secret-box.js";
import type { Db } from "../../db/client.js";

const PURPOSE = "connected_accounts";

export class CredentialCipher {
  private box: Promise<SecretBox> | undefined;

  constructor(private readonly db: Db, private readonly configured: Buffer | undefined) {}

  /** Resolves the key (once). Call before opening a transaction: the lookup uses the outer client. */
  ready(): Promise<SecretBox> {
    this.box ??= (this.configured ? Promise.resolve(this.configured) : this.loadGenerated()).then((key) => new SecretBox(key));
    this.box.catch(() => { this.box = undefined; });
    return this.box;
  }

  private async loadGenerated(): Promise<Buffer> {
    await this.db.$executeRaw`INSERT INTO generated_encryption_keys (purpose, key) VALUES (${PURPOSE}, ${randomBytes(32).toString("base64")}) ON CONFLICT (purpose) DO NOTHING`;
    const row = await this.db.generatedEncryptionKey.findUniqueOrThrow({ where: { purpose: PURPOSE } });
    return Buffer.from(row.key, "base64");
  }

  async encrypt(value: unknown, boundTo: string): Promise<string> {
    return (await this.ready()).seal(JSON.stringify(value), boundTo);
  }

  async decrypt<T>(stored: string, boundTo: string): Promise<T> {
    return JSON.parse((await this.ready()).open(stored, boundTo)) as T;
  }
}

const ciphers = new WeakMap<Db, CredentialCipher>();

/** One cipher per database client, shared by the account, tool and proxy code. */
export function cipherFor(db: Db, configured: Buffer | undefined): CredentialCipher {
  let c = ciphers.get(db);
  if (!c) ciphers.set(db, (c = new CredentialCipher(db, configured)));
  return c;
}
