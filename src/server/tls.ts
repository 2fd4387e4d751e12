// TLS material: the given cert/key files, or a self-signed certificate generated once into the data directory
// (clients trust it through NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE, SSL_CERT_FILE or a Java truststore).
import fs from "node:fs";
import path from "node:path";
import type { TlsConfig } from "../config.js";

export interface TlsMaterial { key: Buffer; cert: Buffer; certFile: string }

export async function loadTls(tls: TlsConfig, dataDir: string, hostnames: string[]): Promise<TlsMaterial | undefined> {
  if (tls.mode === "off") return undefined;
  if (tls.mode === "files") {
    return { key: fs.readFileSync(tls.keyFile), cert: fs.readFileSync(tls.certFile), certFile: path.resolve(tls.certFile) };
  }
  const dir = path.join(dataDir, "tls");
  const certFile = path.join(dir, "cert.pem"), keyFile = path.join(dir, "key.pem");
  if (!fs.existsSync(certFile) || !fs.existsSync(keyFile)) {
    const { generate } = await import("selfsigned");
    const dns = [...new Set(["localhost", ...hostnames.filter((h) => !/^[\d.:]+$/.test(h))])];
    const now = new Date();
    const pems = await generate([{ name: "commonName", value: "localhost" }], {
      keySize: 2048, algorithm: "sha256",
      notBeforeDate: now, notAfterDate: new Date(now.getTime() + 825 * 86_400_000),
      extensions: [
        { name: "basicConstraints", cA: true },
        { name: "keyUsage", digitalSignature: true, keyEncipherment: true, keyCertSign: true },
        { name: "extKeyUsage", serverAuth: true },
        { name: "subjectAltName", altNames: [...dns.map((value) => ({ type: 2 as const, value })), { type: 7, ip: "127.0.0.1" }, { type: 7, ip: "::1" }] },
      ],
    });
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(keyFile, pems.private, { mode: 0o600 });
    fs.writeFileSync(certFile, pems.cert);
  }
  return { key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile), certFile };
}
