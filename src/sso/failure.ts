// Why a federated login failed, in two registers: the error code + description the application receives
// (redirect_uri?error=&error_description=, as Scalekit's SSO integration errors), and details for the person
// configuring the IdP (the connection test result and the server log): what was received and what was expected.
export type SsoErrorCode =
  | "invalid_saml_response" | "signature_validation_failed" | "assertion_expired" | "mandatory_attribute_missing"
  | "invalid_id_token" | "authentication_not_completed" | "invalid_request" | "server_error" | "connection_not_active";

export class SsoFailure extends Error {
  constructor(readonly code: SsoErrorCode, readonly description: string, readonly details?: string) {
    super(description);
  }
}

export const isSsoFailure = (e: unknown): e is SsoFailure => e instanceof SsoFailure;
