// Standard Webhooks signing, as @scalekit-sdk/node's verifyWebhookPayload checks it: HMAC-SHA256 over
// "<webhook-id>.<unix seconds>.<raw body>", keyed with the base64-decoded part of `whsec_<base64>` after the "_",
// sent as "v1,<base64>"; several space-separated entries let a receiver accept either secret during a rotation.
import { createHmac, randomBytes } from "node:crypto";

const SECRET_PATTERN = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

/** 32 random bytes in standard base64, which never contains "_" (the SDK splits the secret on it). */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

/** The problem with a caller-chosen secret, or undefined when it is usable. */
export function webhookSecretProblem(secret: string): string | undefined {
  const m = SECRET_PATTERN.exec(secret);
  if (!m) return "must be whsec_ followed by standard base64 (no \"_\" or \"-\")";
  const bytes = Buffer.from(m[1], "base64");
  if (bytes.toString("base64") !== m[1]) return "is not valid base64";
  if (bytes.length < 24 || bytes.length > 64) return "must encode 24 to 64 bytes";
  return undefined;
}

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.slice("whsec_".length), "base64");
}

export function sign(secret: string, id: string, timestamp: number, body: string): string {
  return createHmac("sha256", keyOf(secret)).update(`${id}.${timestamp}.${body}`).digest("base64");
}

/** The webhook-signature header value: the current secret first, then any secret still in its grace period. */
export function signatureHeader(secrets: string[], id: string, timestamp: number, body: string): string {
  return secrets.map((s) => `v1,${sign(s, id, timestamp, body)}`).join(" ");
}

/** Last characters shown in listings so a user can tell secrets apart. */
export function secretHint(secret: string): string {
  return `…${secret.slice(-4)}`;
}
