// Endpoint signing secrets must be usable to sign, so they cannot be stored as hashes like client secrets. They
// are stored AES-256-GCM encrypted under a key generated once and kept in server_settings (shared by replicas).
// That keeps them out of table dumps, query logs and listings; it does not protect against someone who holds the
// whole database, which also holds the key. The plain secret is returned only when it is created or rotated.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { Db } from "../db/client.js";
import { ensureSetting } from "../auth/settings.js";

const VERSION = "v1";

export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static async load(db: Db): Promise<SecretBox> {
    const key = await ensureSetting(db, "webhook_secret_key", () => randomBytes(32).toString("base64"));
    return new SecretBox(Buffer.from(key, "base64"));
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv("aes-256-gcm", this.key, iv);
    const body = Buffer.concat([c.update(plain, "utf8"), c.final()]);
    return [VERSION, iv.toString("base64url"), c.getAuthTag().toString("base64url"), body.toString("base64url")].join(".");
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split(".");
    if (version !== VERSION || !iv || !tag || body === undefined) throw new Error("unrecognised sealed secret");
    const d = createDecipheriv("aes-256-gcm", this.key, Buffer.from(iv, "base64url"));
    d.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([d.update(Buffer.from(body, "base64url")), d.final()]).toString("utf8");
  }
}
