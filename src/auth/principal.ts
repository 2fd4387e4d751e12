/** Who is calling, as read from a verified access token. */
export interface Principal {
  clientId: string;
  scopes: string[];
  /** set for organization M2M clients */
  organizationId?: string;
  /** set for a user's hosted-login access token (sub usr_…): it acts for that user, not for the environment */
  userId?: string;
  /** the user's session (sid), with userId */
  sessionId?: string;
}
