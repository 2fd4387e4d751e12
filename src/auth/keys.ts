// RS256 signing keys live in the database so tokens issued before a restart (or by another replica) verify.
// Keys are immutable per kid, so caching them in memory never changes an answer.
import { createPublicKey, type KeyObject } from "node:crypto";
import { exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import type { Db } from "../db/client.js";
import { newId } from "../protocol/ids.js";

export interface SigningKey { kid: string; privateKey: CryptoKey }

export class KeyStore {
  private verificationKeys = new Map<string, KeyObject>();
  private signing: SigningKey | undefined;

  constructor(private readonly db: Db) {}

  /** Makes sure one active key exists; creates it on first start. */
  async init(): Promise<void> {
    let row = await this.db.signingKey.findFirst({ where: { active: true }, orderBy: { createdAt: "desc" } });
    if (!row) {
      const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true, modulusLength: 2048 });
      const kid = newId("snk");
      const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
      const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: "RS256" };
      row = await this.db.signingKey.create({ data: { kid, publicJwk, privateJwk } });
    }
    this.signing = { kid: row.kid, privateKey: (await importJWK(row.privateJwk as JWK, "RS256")) as CryptoKey };
  }

  signingKey(): SigningKey {
    if (!this.signing) throw new Error("KeyStore.init() was not called");
    return this.signing;
  }

  /** Public key for a kid, or undefined if this environment never had it (or retired it). */
  async verificationKey(kid: string): Promise<KeyObject | undefined> {
    const cached = this.verificationKeys.get(kid);
    if (cached) return cached;
    const row = await this.db.signingKey.findUnique({ where: { kid } });
    if (!row || row.retiredAt) return undefined;
    const key = createPublicKey({ key: row.publicJwk as any, format: "jwk" });
    this.verificationKeys.set(kid, key);
    return key;
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    const rows = await this.db.signingKey.findMany({ where: { retiredAt: null }, orderBy: { createdAt: "desc" } });
    return { keys: rows.map((r) => r.publicJwk as JWK) };
  }
}
