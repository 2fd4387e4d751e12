// The grants /oauth/token dispatches to, by grant_type.
import { clientCredentialsGrant } from "./client-credentials.js";
import type { Grant } from "./types.js";

export const GRANTS: ReadonlyMap<string, Grant> = new Map([clientCredentialsGrant].map((g) => [g.type, g]));
