// Secrets the server must be able to read back (webhook signing secrets, connected accounts' credentials) cannot
// be stored as hashes like client secrets: they are sealed with AES-256-GCM instead. Keys come from configuration
// or are generated once and kept in the database (shared by replicas); a key in the database keeps secrets out of
// table dumps, query logs and listings, but not from someone who holds the whole database.
// `boundTo` is authenticated additional data: a sealed value copied onto another row does not open.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { Db } from "../db/client.js";
import { ensureSetting } from "./settings.js";

const VERSION = "v1";

export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error("a secret box needs a 32-byte key");
  }

  /** A box whose key is generated once and kept in server_settings under `setting`. */
  static async fromSetting(db: Db, setting: string): Promise<SecretBox> {
    const key = await ensureSetting(db, setting, () => randomBytes(32).toString("base64"));
    return new SecretBox(Buffer.from(key, "base64"));
  }

  seal(plain: string, boundTo?: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv("aes-256-gcm", this.key, iv);
    if (boundTo !== undefined) c.setAAD(Buffer.from(boundTo));
    const body = Buffer.concat([c.update(plain, "utf8"), c.final()]);
    return [VERSION, iv.toString("base64url"), c.getAuthTag().toString("base64url"), body.toString("base64url")].join(".");
  }

  open(sealed: string, boundTo?: string): string {
    const [version, iv, tag, body] = sealed.split(".");
    if (version !== VERSION || !iv || !tag || body === undefined) throw new Error("unrecognised sealed secret");
    const d = createDecipheriv("aes-256-gcm", this.key, Buffer.from(iv, "base64url"));
    if (boundTo !== undefined) d.setAAD(Buffer.from(boundTo));
    d.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([d.update(Buffer.from(body, "base64url")), d.final()]).toString("utf8");
  }
}
