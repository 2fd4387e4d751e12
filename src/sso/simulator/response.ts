// What the simulator hands back to the login flow, as a short-lived JWT signed with the environment's key: the
// simulated profile (or the simulated error) for one connection, optionally for one pending login. The callback
// verifies it like any IdP answer, so a hand-made callback URL cannot log anyone in.
import type { KeyStore } from "../../auth/keys.js";
import { signJwt, verifyJwt } from "../../auth/own-jwt.js";

export const RESPONSE_TTL_SECONDS = 120;
export const IDP_SESSION_TTL_SECONDS = 8 * 3600;

export interface SimulatedProfile {
  email: string;
  givenName: string;
  familyName: string;
  groups: string[];
  customAttributes: Record<string, string>;
}

export type SimulatorAnswer =
  | { kind: "profile"; connectionId: string; loginId?: string; profile: SimulatedProfile }
  | { kind: "error"; connectionId: string; loginId?: string; error: string; errorDescription: string };

const issuerOf = (environmentUrl: string) => `${environmentUrl}/sso/v1/simulator`;

export function signAnswer(keys: KeyStore, environmentUrl: string, a: SimulatorAnswer): Promise<string> {
  return signJwt(keys, { iss: issuerOf(environmentUrl), aud: `sso-simulator:${a.connectionId}`, typ: "simulator_response", answer: a }, RESPONSE_TTL_SECONDS);
}

export async function readAnswer(keys: KeyStore, environmentUrl: string, connectionId: string, token: unknown): Promise<SimulatorAnswer | undefined> {
  if (typeof token !== "string" || token.length > 8192) return undefined;
  const p = await verifyJwt(keys, token);
  if (!p || p.iss !== issuerOf(environmentUrl) || p.aud !== `sso-simulator:${connectionId}` || p.typ !== "simulator_response") return undefined;
  return p.answer as SimulatorAnswer;
}

/** The simulator's own "IdP session" (a cookie), so a second login at the same connection needs no form. */
export function signIdpSession(keys: KeyStore, environmentUrl: string, connectionId: string, profile: SimulatedProfile): Promise<string> {
  return signJwt(keys, { iss: issuerOf(environmentUrl), aud: `sso-simulator-session:${connectionId}`, profile }, IDP_SESSION_TTL_SECONDS);
}

export async function readIdpSession(keys: KeyStore, environmentUrl: string, connectionId: string, token: string | undefined): Promise<SimulatedProfile | undefined> {
  if (!token || token.length > 8192) return undefined;
  const p = await verifyJwt(keys, token);
  if (!p || p.iss !== issuerOf(environmentUrl) || p.aud !== `sso-simulator-session:${connectionId}`) return undefined;
  return p.profile as SimulatedProfile;
}
