// The magic link's page, {environment_url}/connect/{token}: it stands in for the provider's consent screen. The
// credentials come as a JSON body ({authorization_details}), form fields or query parameters (access_token,
// refresh_token, scopes space- or comma-separated, domain, expires_in); the flow itself is completeMagicLink().
import type { FastifyInstance, FastifyReply } from "fastify";
import { Type, type Static } from "@sinclair/typebox";
import { create, type JsonObject } from "@bufbuild/protobuf";
import { connectedAccounts } from "../../protocol/descriptors.js";
import { invalidArgument } from "../../protocol/errors.js";
import { acceptForms, route, useContractErrors } from "../../http/route.js";
import type { ServiceDeps } from "../deps.js";
import { CONNECT_PATH, completeMagicLink, completedLinkStatus } from "./magic-link.js";
import { detailsFromJson, type AuthorizationDetails } from "./mapping.js";

const MAX_EXPIRES_IN = 10 * 365 * 86400;

const TokenFields = {
  access_token: Type.Optional(Type.String()),
  refresh_token: Type.Optional(Type.String()),
  scopes: Type.Optional(Type.String()),
  domain: Type.Optional(Type.String()),
  /** seconds, as the provider's token response would say */
  expires_in: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_EXPIRES_IN, errorMessage: "must be a number of seconds" })),
};
const OfferedQuery = Type.Object(TokenFields);
const OfferedBody = Type.Object({ ...TokenFields, authorization_details: Type.Optional(Type.Object({})) });
type Offered = Static<typeof OfferedBody>;

function offeredCredentials(f: Offered): AuthorizationDetails | undefined {
  if (f.authorization_details !== undefined) {
    try { return detailsFromJson(f.authorization_details as JsonObject); } catch (e) {
      throw invalidArgument("authorization_details", (e as Error).message);
    }
  }
  const str = (v: string | undefined) => (v ?? "").trim();
  if (!str(f.access_token) && !str(f.refresh_token)) return undefined;
  return create(connectedAccounts.AuthorizationDetailsSchema, {
    details: {
      case: "oauthToken",
      value: { accessToken: str(f.access_token), refreshToken: str(f.refresh_token), scopes: str(f.scopes).split(/[\s,]+/).filter(Boolean), domain: str(f.domain) },
    },
  });
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function consentPage(token: string, connector: string, identifier: string): string {
  return `<!doctype html><title>Connect ${escapeHtml(connector)}</title>
<h1>Connect ${escapeHtml(connector)} for ${escapeHtml(identifier)}</h1>
<p>This local server stands in for the provider's consent screen: enter the credentials the provider would issue.</p>
<form method="post" action="${CONNECT_PATH}/${escapeHtml(token)}">
<label>access_token <input name="access_token" required></label><br>
<label>refresh_token <input name="refresh_token"></label><br>
<label>scopes <input name="scopes"></label><br>
<button type="submit">Authorize</button></form>`;
}

/** Public routes (no bearer token: the link's token is the credential) for the magic link's page. */
export async function connectRoutes(scope: FastifyInstance, deps: ServiceDeps): Promise<void> {
  useContractErrors(scope);
  acceptForms(scope);
  const open = async (token: string, fields: Offered, reply: FastifyReply) => {
    const tokenExpiresAt = fields.expires_in === undefined ? null : new Date(Date.now() + fields.expires_in * 1000);
    const outcome = await completeMagicLink(deps, token, offeredCredentials(fields), tokenExpiresAt);
    if (outcome.kind === "redirect") return reply.redirect(outcome.url, 302);
    if (outcome.kind === "consent") return reply.type("text/html; charset=utf-8").send(consentPage(token, outcome.connector, outcome.identifier));
    return reply.send(outcome.status);
  };
  const TokenParams = Type.Object({ token: Type.String() });
  route(scope, {
    method: "GET", url: `${CONNECT_PATH}/:token`, params: TokenParams, query: OfferedQuery,
    handler: (req, reply) => open(req.params.token, req.query, reply),
  });
  route(scope, {
    method: "POST", url: `${CONNECT_PATH}/:token`, params: TokenParams, query: OfferedQuery, body: OfferedBody,
    handler: (req, reply) => open(req.params.token, { ...req.query, ...req.body }, reply),
  });

  route(scope, {
    method: "GET", url: `${CONNECT_PATH}/complete/:authRequestId`, params: Type.Object({ authRequestId: Type.String() }),
    handler: async (req, reply) => reply.send(await completedLinkStatus(deps, req.params.authRequestId)),
  });
}
