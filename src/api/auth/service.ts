// AuthService/UpdateLoginUserDetails, "Auth for MCP" in "Bring your own Auth" mode: the app's own login page has
// signed the user in for a login request and hands over the user's details; the answer's auth_request_id names
// that authentication journey. The other AuthService methods belong to hosted login, which this server does not
// have, and answer UNIMPLEMENTED. No webhook event: the contract defines none for this step.
import { auth } from "../../protocol/descriptors.js";
import { invalidArgument } from "../../protocol/errors.js";
import { implementChecked } from "../../protocol/descriptor-rules.js";
import type { ServiceDeps } from "../deps.js";
import { userJson } from "./mapping.js";
import { completeLoginRequest } from "./store.js";

const chars = (s: string) => [...s].length;
// The same deliberately loose shape the Users API accepts: one @, no spaces, a dotted domain.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;
const E164 = /^\+[1-9][0-9]{1,14}$/;

/**
 * The contract's prose rules for User: sub and email are "required unless login_failed is true"; the email must be
 * an address and the phone number E.164 whenever they are given.
 */
function checkUser(user: auth.User): void {
  if (!user.loginFailed) {
    if (!user.sub.trim()) throw invalidArgument("user.sub", "is required unless login_failed is true");
    if (!user.email.trim()) throw invalidArgument("user.email", "is required unless login_failed is true");
  }
  if (user.email && (chars(user.email) > 320 || !EMAIL.test(user.email))) throw invalidArgument("user.email", "must be a valid email address");
  if (user.phoneNumber && !E164.test(user.phoneNumber)) throw invalidArgument("user.phone_number", "must be in E.164 format (+14155550123)");
}

export function authService({ db }: ServiceDeps) {
  return implementChecked(auth.AuthService, {
    async updateLoginUserDetails(req) {
      if (!req.connectionId) throw invalidArgument("connection_id", "is required");
      if (!req.user) throw invalidArgument("user", "is required");
      checkUser(req.user);
      const row = await completeLoginRequest(db, {
        connectionId: req.connectionId, loginRequestId: req.loginRequestId, user: userJson(req.user), failed: req.user.loginFailed,
      });
      return { authRequestId: row.authRequestId };
    },
  });
}
