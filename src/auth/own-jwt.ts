// JWTs this server signs for itself or for applications (ID tokens, the simulator's answers, idp_initiated_login)
// and verifies again later: RS256 with the environment's key, checked with the same verifier as access tokens.
import { SignJWT } from "jose";
import type { KeyStore } from "./keys.js";
import { JwtFormatError, rs256Valid, splitJwt } from "./jwt-verify.js";

export async function signJwt(keys: KeyStore, claims: Record<string, unknown>, ttlSeconds: number, now = Math.floor(Date.now() / 1000)): Promise<string> {
  const { kid, privateKey } = keys.signingKey();
  return new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
    .setIssuedAt(now).setNotBefore(now).setExpirationTime(now + ttlSeconds).sign(privateKey);
}

/** The payload when `token` is one of ours, unexpired (unless allowExpired) and not in the future; else undefined. */
export async function verifyJwt(keys: KeyStore, token: string, o: { allowExpired?: boolean } = {}): Promise<Record<string, unknown> | undefined> {
  let parts;
  try { parts = splitJwt(token); } catch (e) { if (e instanceof JwtFormatError) return undefined; throw e; }
  if (parts.header.alg !== "RS256" || typeof parts.header.kid !== "string") return undefined;
  const key = await keys.verificationKey(parts.header.kid);
  if (!key || !rs256Valid(parts, key)) return undefined;
  const now = Math.floor(Date.now() / 1000);
  const { exp, nbf } = parts.payload;
  if (typeof exp !== "number" || (!o.allowExpired && exp <= now)) return undefined;
  if (typeof nbf === "number" && nbf > now + 5) return undefined;
  return parts.payload;
}
