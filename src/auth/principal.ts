/** Who is calling, as read from a verified access token. */
export interface Principal {
  clientId: string;
  scopes: string[];
  /** set for organization M2M clients */
  organizationId?: string;
}
