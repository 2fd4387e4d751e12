// Which login client is asking: a confidential one authenticated by its secret, or a public one (SPA, native)
// that sent only its client_id and proves itself with PKCE. A web application must send its secret.
import { loginClient } from "../../api/clients/redirects.js";
import type { GrantContext } from "./types.js";
import { TokenError } from "./types.js";

export async function loginClientOf(ctx: GrantContext): Promise<{ id: string; confidential: boolean; accessTokenExpiry: number }> {
  const id = ctx.client?.id ?? ctx.form.client_id!;
  const client = await loginClient(ctx.deps.services, id);
  if (!client) {
    if (ctx.client) throw new TokenError("unauthorized_client", `client ${id} cannot use grant_type ${ctx.form.grant_type}`);
    throw new TokenError("invalid_client", "client authentication failed");
  }
  if (!ctx.client && client.clientType === "WEB_APP") throw new TokenError("invalid_client", "client_secret is required for a web application client");
  return { id, confidential: !!ctx.client, accessTokenExpiry: client.accessTokenExpiry };
}
