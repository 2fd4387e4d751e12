// The SSO simulator as an SsoAdapter: the IDP_SIMULATOR connections (the Test Organization's) send the browser
// to this server's simulator page, and the callback reads the simulator's signed answer.
import type { SsoAdapter } from "../adapter.js";
import { connections } from "../../protocol/descriptors.js";
import type { SsoDeps } from "../index.js";
import { readAnswer } from "./response.js";

export const isSimulator = (c: { provider: number }) => c.provider === connections.ConnectionProvider.IDP_SIMULATOR;

export function simulatorAdapter({ services, keys }: SsoDeps): SsoAdapter {
  const base = services.config.environmentUrl;
  return {
    handles: isSimulator,

    async start({ connection, loginId, loginHint, forceAuthn }) {
      const url = new URL(`${base}/sso/v1/simulator/${connection.id}`);
      url.searchParams.set("login_id", loginId);
      if (loginHint) url.searchParams.set("login_hint", loginHint);
      if (forceAuthn) url.searchParams.set("force", "1");
      return { kind: "redirect", url: url.href };
    },

    async finish({ connection, request }) {
      const q = (request.query ?? {}) as Record<string, unknown>;
      const answer = await readAnswer(keys, base, connection.id, q.simulator_response);
      if (!answer) return { kind: "error", error: "invalid_request", errorDescription: "the SSO simulator's answer is missing, expired or not for this connection" };
      if (answer.kind === "error") return { kind: "error", error: answer.error, errorDescription: answer.errorDescription, loginId: answer.loginId };
      const p = answer.profile;
      return {
        kind: "profile", loginId: answer.loginId,
        profile: {
          subject: p.email.toLowerCase(), email: p.email, emailVerified: true, givenName: p.givenName || undefined, familyName: p.familyName || undefined,
          name: [p.givenName, p.familyName].filter(Boolean).join(" ") || undefined, groups: p.groups, customAttributes: p.customAttributes,
          rawAttributes: { email: p.email, given_name: p.givenName, family_name: p.familyName, groups: p.groups, ...p.customAttributes },
        },
      };
    },
  };
}
