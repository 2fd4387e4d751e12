// Client secrets are random and high-entropy, so a keyed SHA-256 (HMAC) is as safe as a slow hash for them
// and keeps the token endpoint fast. The plain secret is returned once and never stored or logged.
import { createHmac, randomBytes } from "node:crypto";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A secret in Scalekit's visual style: "test_" + 64 base62 characters (~380 bits). */
export function generateClientSecret(): string {
  const bytes = randomBytes(64);
  let s = "";
  for (const b of bytes) s += ALPHABET[b % 62]; // 256 % 62 bias is irrelevant at this length
  return `test_${s}`;
}

export function hashSecret(key: Buffer, secret: string): string {
  return createHmac("sha256", key).update(secret, "utf8").digest("base64url");
}

/** Last characters shown in listings so a user can tell secrets apart. */
export function secretSuffix(secret: string): string {
  return secret.slice(-4);
}
