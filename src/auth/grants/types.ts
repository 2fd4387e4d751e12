// What every grant module shares: the validated form, the authenticated client, the RFC 6749 §5.2 error.
import type { FastifyRequest } from "fastify";
import type { ServiceDeps } from "../../api/deps.js";
import type { KeyStore } from "../keys.js";

export type OAuthError =
  | "invalid_request" | "invalid_client" | "unsupported_grant_type" | "invalid_grant" | "invalid_scope" | "unauthorized_client";

export class TokenError extends Error {
  constructor(readonly error: OAuthError, readonly description: string, readonly basicAuth = false) { super(description); }
}

/** The token endpoint's form after schema validation: every parameter at most once, each a bounded string. */
export interface TokenForm {
  grant_type: string;
  client_id?: string;
  client_secret?: string;
  scope?: string;
  code?: string;
  redirect_uri?: string;
  code_verifier?: string;
  refresh_token?: string;
}

export interface AuthenticatedClient {
  id: string;
  kind: string;
  organizationId: string | null;
  scopes: string[];
  audience: string[];
  customClaims: Record<string, unknown>;
  expirySeconds: number;
  /** the secret used; undefined for a public client that sent none */
  secretId: string | undefined;
}

export interface TokenDeps {
  services: ServiceDeps;
  keys: KeyStore;
  issuer: string;
  environmentTokenTtl: number;
}

export interface GrantContext {
  form: TokenForm;
  /** undefined: no secret was sent; the grant decides whether a public client may use it */
  client: AuthenticatedClient | undefined;
  deps: TokenDeps;
  req: FastifyRequest;
}

export interface Grant {
  type: string;
  /** may a client without a secret use this grant (PKCE / public clients)? */
  publicClients: boolean;
  issue(ctx: GrantContext): Promise<Record<string, unknown>>;
}
