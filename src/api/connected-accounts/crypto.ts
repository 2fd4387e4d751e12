// Connected-account credentials are encrypted at rest with AES-256-GCM. The key is SCALEKIT_ENCRYPTION_KEY when
// set; otherwise one is generated on first use and kept in generated_encryption_keys, so every replica sharing the
// database agrees on it (setting the variable keeps the key out of the database, which is the stronger choice).
// Stored form: "v1." + base64url(iv[12] | tag[16] | ciphertext); the row id is bound as additional data, so a
// ciphertext copied onto another account does not decrypt.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { Db } from "../../db/client.js";

const PURPOSE = "connected_accounts";

export class CredentialCipher {
  private key: Promise<Buffer> | undefined;

  constructor(private readonly db: Db, private readonly configured: Buffer | undefined) {}

  /** Resolves the key (once). Call before opening a transaction: the lookup uses the outer client. */
  ready(): Promise<Buffer> {
    this.key ??= this.configured ? Promise.resolve(this.configured) : this.loadGenerated();
    this.key.catch(() => { this.key = undefined; });
    return this.key;
  }

  private async loadGenerated(): Promise<Buffer> {
    await this.db.$executeRaw`INSERT INTO generated_encryption_keys (purpose, key) VALUES (${PURPOSE}, ${randomBytes(32).toString("base64")}) ON CONFLICT (purpose) DO NOTHING`;
    const row = await this.db.generatedEncryptionKey.findUniqueOrThrow({ where: { purpose: PURPOSE } });
    return Buffer.from(row.key, "base64");
  }

  async encrypt(value: unknown, boundTo: string): Promise<string> {
    const key = await this.ready();
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    cipher.setAAD(Buffer.from(boundTo));
    const body = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
    return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
  }

  async decrypt<T>(stored: string, boundTo: string): Promise<T> {
    const key = await this.ready();
    if (!stored.startsWith("v1.")) throw new Error("unknown credential encoding");
    const raw = Buffer.from(stored.slice(3), "base64url");
    const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(boundTo));
    decipher.setAuthTag(raw.subarray(12, 28));
    return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8")) as T;
  }
}

const ciphers = new WeakMap<Db, CredentialCipher>();

/** One cipher per database client, shared by the account, tool and proxy code. */
export function cipherFor(db: Db, configured: Buffer | undefined): CredentialCipher {
  let c = ciphers.get(db);
  if (!c) ciphers.set(db, (c = new CredentialCipher(db, configured)));
  return c;
}
