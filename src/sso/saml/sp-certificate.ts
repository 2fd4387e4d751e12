// The service provider's key pair of a SAML connection: signs AuthnRequests (want_request_signed) and decrypts
// encrypted assertions. Generated on first use, kept with the private key sealed, published in the SP metadata;
// its id is the connection's certificate_id.
import { X509Certificate } from "node:crypto";
import type { Db } from "../../db/client.js";
import { newId } from "../../protocol/ids.js";
import { ssoSecretBox } from "../secret-box.js";

export interface SpCertificate { id: string; certificate: string; privateKey: string; expiresAt: Date }

const VALID_DAYS = 3650;

/** The pair of the connection, generated under its certificate_id (set when the connection was created). */
export async function ensureSpCertificate(db: Db, connectionId: string, entityId: string): Promise<SpCertificate> {
  const box = await ssoSecretBox(db);
  let row = await db.samlSpCertificate.findUnique({ where: { connectionId } });
  if (!row) {
    const { generate } = await import("selfsigned");
    const now = new Date();
    const host = safeHost(entityId);
    const pems = await generate([{ name: "commonName", value: `${host} SAML SP ${connectionId}`.slice(0, 64) }], {
      keySize: 2048, algorithm: "sha256", notBeforeDate: now, notAfterDate: new Date(now.getTime() + VALID_DAYS * 86_400_000),
    });
    const conn = await db.connection.findUnique({ where: { id: connectionId }, select: { settings: true } });
    const settings = (conn?.settings ?? {}) as Record<string, unknown>;
    const id = typeof settings.certificate_id === "string" && /^cer_\d{18}$/.test(settings.certificate_id) ? settings.certificate_id : newId("cer");
    // two first logins at once: the unique connection_id keeps one pair, the other caller reads it
    await db.samlSpCertificate.createMany({
      data: [{ id, connectionId, certificate: pems.cert, privateKey: box.seal(pems.private, id), expiresAt: new Date(new X509Certificate(pems.cert).validTo), createdAt: now }],
      skipDuplicates: true,
    });
    row = await db.samlSpCertificate.findUniqueOrThrow({ where: { connectionId } });
    // a connection from before certificate ids were assigned at creation shows the id from now on
    if (conn && settings.certificate_id !== row.id) await db.connection.update({ where: { id: connectionId }, data: { settings: { ...settings, certificate_id: row.id } as object } });
  }
  return { id: row.id, certificate: row.certificate, privateKey: box.open(row.privateKey, row.id), expiresAt: row.expiresAt };
}

function safeHost(url: string): string {
  try { return new URL(url).hostname; } catch { return "scalekit-local"; }
}
