// The grants /oauth/token dispatches to, by grant_type.
import { authorizationCodeGrant } from "./authorization-code.js";
import { clientCredentialsGrant } from "./client-credentials.js";
import { refreshTokenGrant } from "./refresh-token.js";
import type { Grant } from "./types.js";

export const GRANTS: ReadonlyMap<string, Grant> = new Map([clientCredentialsGrant, authorizationCodeGrant, refreshTokenGrant].map((g) => [g.type, g]));
