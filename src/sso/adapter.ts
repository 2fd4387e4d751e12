// One adapter per kind of identity provider behind one interface, so the login flow (src/login) never knows
// which one it talks to: start a login (send the browser to the IdP) and finish it (verify what the IdP sent back
// and turn it into a profile). Implementations: the SSO simulator, SAML 2.0 SP, OpenID Connect RP.
import type { FastifyRequest } from "fastify";

/** The connection as the adapters need it (a row of `connections`, settings already decrypted). */
export interface SsoConnection {
  id: string;
  organizationId: string | null;
  /** connections.ConnectionProvider number */
  provider: number;
  /** connections.ConnectionType number (OIDC, SAML, …) */
  type: number;
  settingsCase: string | null;
  settings: Record<string, unknown> | null;
  attributeMapping: Record<string, string>;
}

/** A verified user profile from the IdP, after the connection's attribute mapping. */
export interface SsoProfile {
  /** the IdP's stable subject (NameID / sub); with the connection id it identifies the user at the IdP */
  subject: string;
  email: string;
  emailVerified: boolean;
  givenName?: string;
  familyName?: string;
  name?: string;
  groups: string[];
  customAttributes: Record<string, unknown>;
  /** what the IdP sent, for the test-connection result and where the contract shows raw attributes */
  rawAttributes: Record<string, unknown>;
}

export interface SsoStartContext {
  connection: SsoConnection;
  /** opaque id of the pending login (login flow state); must come back in finish() for SP-initiated logins */
  loginId: string;
  /** absolute URL the IdP returns the browser to (the adapter's callback/ACS for this connection) */
  callbackUrl: string;
  loginHint?: string;
  /** the login asked to authenticate again (prompt=login): SAML ForceAuthn, OIDC prompt=login */
  forceAuthn?: boolean;
  /** set instead of a login when the connection's test flow (test_connection_uri) runs: test_… */
  testRequestId?: string;
}

/** what an adapter asks the login flow to keep until its callback (returned by pendingLogin) */
export interface SsoRemembered { nonce?: string; codeVerifier?: string }

export type SsoStartResult =
  | { kind: "redirect"; url: string; remember?: SsoRemembered }
  /** an auto-submitting or clickable form (SAML HTTP-POST binding), rendered by the login layer */
  | { kind: "form"; action: string; fields: Record<string, string>; remember?: SsoRemembered };

export interface SsoFinishContext {
  connection: SsoConnection;
  request: FastifyRequest;
  callbackUrl: string;
  /** looks up the pending login the IdP's answer names (InResponseTo / state) */
  pendingLogin(loginId: string): Promise<{ loginId: string; nonce?: string; codeVerifier?: string } | undefined>;
}

export type SsoFinishResult =
  | { kind: "profile"; profile: SsoProfile; /** undefined: IdP-initiated */ loginId?: string; relayState?: string; testRequestId?: string }
  /** errorDetails: what was received and expected, for the connection test result and the log, not for the app */
  | { kind: "error"; error: string; errorDescription: string; errorDetails?: string; loginId?: string; testRequestId?: string };

export interface SsoAdapter {
  /** which connections this adapter serves */
  handles(connection: SsoConnection): boolean;
  start(ctx: SsoStartContext): Promise<SsoStartResult>;
  finish(ctx: SsoFinishContext): Promise<SsoFinishResult>;
}
