// node-saml's error messages -> the SSO integration error codes the application receives, with a sentence a person
// configuring the IdP can act on.
import { SsoFailure } from "../failure.js";

export function samlFailure(e: unknown, o: { idpSource: string }): SsoFailure {
  if (e instanceof SsoFailure) return e;
  const msg = (e as Error)?.message ?? String(e);
  if (/No valid subject confirmation/.test(msg))
    return new SsoFailure("assertion_expired", "the SAML assertion is outside its validity window",
      `${msg}: the SubjectConfirmationData's NotBefore/NotOnOrAfter do not include the current time. Check that the clocks of the identity provider and of this server agree (a difference of up to 2 minutes is accepted).`);
  if (/^SAML assertion (expired|not yet valid)/.test(msg)) {
    const future = msg.includes("not yet valid");
    return new SsoFailure("assertion_expired", future ? "the SAML assertion is not valid yet" : "the SAML assertion has expired",
      `${msg}. Check that the clocks of the identity provider and of this server agree (a difference of up to 2 minutes is accepted)${future ? "" : ", and that the response is posted right after sign-in"}.`);
  }
  if (/audience mismatch|no AudienceRestriction/.test(msg))
    return new SsoFailure("invalid_saml_response", "the SAML assertion is meant for another service provider", `${msg}. Set the Audience (SP entity id) in the identity provider to this connection's sp_entity_id.`);
  if (/InResponseTo/.test(msg))
    return new SsoFailure("invalid_saml_response", "the SAML response does not answer a login request of this connection", `${msg}: the request expired (10 minutes), was already answered, or belongs to another connection.`);
  if (/signature|Cannot obtain assertion|multiple assertions/i.test(msg))
    return new SsoFailure("signature_validation_failed", "the SAML response's signature could not be verified",
      `${msg}. The response must be signed by a certificate in ${o.idpSource}; check that the IdP signing certificate configured here is the one the identity provider signs with, and that the connection's saml_signing_option matches what the IdP signs (response, assertion or both).`);
  if (/decrypt|EncryptedAssertion|No decryption key/i.test(msg))
    return new SsoFailure("invalid_saml_response", "the encrypted SAML assertion could not be decrypted", `${msg}. Encrypt assertions with the encryption certificate in this connection's SP metadata.`);
  if (/SAML provider returned (\w+) error/.test(msg))
    return new SsoFailure("authentication_not_completed", "the identity provider did not sign the user in", msg);
  if (/Missing SAML assertion|Unknown SAML response/.test(msg))
    return new SsoFailure("invalid_saml_response", "the SAML response carries no assertion", msg);
  return new SsoFailure("invalid_saml_response", "the SAML response could not be read", msg.slice(0, 500));
}
