// client_credentials: the environment client and organization M2M clients. This is the hot path: the client row
// came with the secret lookup, so a token costs that one query and a signature.
import { SignJWT } from "jose";
import { randomUUID } from "node:crypto";
import type { Grant } from "./types.js";
import { TokenError } from "./types.js";

export const clientCredentialsGrant: Grant = {
  type: "client_credentials",
  publicClients: false,
  async issue({ client, deps }) {
    if (!client) throw new TokenError("invalid_client", "client_secret is required");
    const { sql } = deps.services;
    // Organization clients' secrets show last_used_time; at most one write a minute per secret. The environment
    // client skips it: its token calls are the hot path and nobody reads its secrets' usage.
    if (client.kind !== "environment")
      await sql(`UPDATE client_secrets SET last_used_at = now() AT TIME ZONE 'UTC' WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < (now() AT TIME ZONE 'UTC') - interval '1 minute')`, [client.secretId]);
    const now = Math.floor(Date.now() / 1000);
    const ttl = client.kind === "environment" ? deps.environmentTokenTtl : client.expirySeconds;
    const { kid, privateKey } = deps.keys.signingKey();
    // Custom claims go both at the top level (where the Node SDK's validateToken callers and the cloud's docs
    // read them) and nested under `custom_claims` (where the Python SDK's tests read claims["custom_claims"][key]).
    const custom = Object.keys(client.customClaims).length ? { custom_claims: { ...client.customClaims } } : {};
    const claims: Record<string, unknown> = {
      ...client.customClaims, // first, so they can never replace the claims below
      ...custom,
      client_id: client.id,
      scopes: client.scopes,
      jti: `tkn_${randomUUID().replace(/-/g, "")}`,
      ...(client.organizationId ? { oid: client.organizationId } : {}),
    };
    let jwt = new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
      .setIssuer(deps.issuer).setSubject(client.id).setIssuedAt(now).setNotBefore(now).setExpirationTime(now + ttl);
    if (client.audience.length) jwt = jwt.setAudience(client.audience);
    const accessToken = await jwt.sign(privateKey);
    return {
      access_token: accessToken, token_type: "Bearer", expires_in: ttl,
      scope: client.scopes.length ? client.scopes.join(" ") : "openid",
    };
  },
};
