// ClientService, environment-level clients (PREVIEW in the contract; Go's clients.go wraps them): the environment's
// own client and any further application clients (a web app, an SPA, a native app) with their redirect allow-lists,
// initiate-login URI, client type and PKCE setting, which /oauth/authorize, /oauth/token and /oidc/logout read
// through redirects.ts. Secrets are returned once (in the created client's secret) and stored as keyed hashes.
import { create } from "@bufbuild/protobuf";
import type { FieldMask } from "@bufbuild/protobuf/wkt";
import type { Prisma } from "../../generated/prisma/client.js";
import type { Db } from "../../db/client.js";
import { inTransaction, type Tx } from "../../db/tx.js";
import { keysetPage, type IdRange, type KeysetSource } from "../../db/keyset-page.js";
import { generateClientSecret, hashSecret, secretSuffix } from "../../auth/secrets.js";
import { clients } from "../../protocol/descriptors.js";
import { failedPrecondition, invalidArgument, notFound } from "../../protocol/errors.js";
import { newId } from "../../protocol/ids.js";
import { clampedPageSize } from "../../protocol/page-size.js";
import type { ServiceImplementation } from "../../protocol/rpc.js";
import type { ServiceDeps } from "../deps.js";
import { environmentClientMessage, secretMessage } from "./mapping.js";
import { ENVIRONMENT_KIND, findLoginClient, LOGIN_CLIENT_INCLUDE, ownClientId, settingsOf, type LoginClientRow } from "./login-clients.js";
import { MAX_POST_LOGIN_URIS, MAX_REDIRECT_LIST, redirectUriProblem, targetUriProblem } from "./redirect-uris.js";
import {
  checkAccessTokenExpiry, checkClientType, checkCustomClaims, checkGrantTypes, checkName, checkTokenList, checkUriList,
} from "./validation.js";

type Methods = ServiceImplementation<typeof clients.ClientService>["methods"];

const LIST_PAGE = { min: 1, max: 100, default: 10 };

const UPDATABLE = [
  "name", "post_login_uris", "post_logout_redirect_uris", "back_channel_logout_uris", "initiate_login_uri",
  "access_token_expiry", "scopes", "custom_claims", "disallow_scalekit_api_access", "grant_types", "enforce_pkce",
] as const;
type Updatable = (typeof UPDATABLE)[number];

async function requireClient(db: Db | Tx, clientId: string): Promise<LoginClientRow> {
  const row = await findLoginClient(db, clientId);
  if (!row) throw notFound("client", clientId);
  return row;
}

function clientsWhere(db: Db, types: string[]): KeysetSource<LoginClientRow> {
  // a client without a settings row is a WEB_APP (settingsOf)
  const typeFilter: Prisma.ApiClientWhereInput = types.length
    ? { OR: [{ loginSettings: { clientType: { in: types } } }, ...(types.includes("WEB_APP") ? [{ loginSettings: null }] : [])] }
    : {};
  const where: Prisma.ApiClientWhereInput = { kind: ENVIRONMENT_KIND, ...typeFilter };
  return {
    count: () => db.apiClient.count({ where }),
    rows: (range: IdRange, order, take) => db.apiClient.findMany({ where: { AND: [where, { id: range }] }, orderBy: { id: order }, take, include: LOGIN_CLIENT_INCLUDE }),
  };
}

const loginUris = (field: string, v: string[]) => checkUriList(field, v, MAX_POST_LOGIN_URIS, redirectUriProblem);
const logoutUris = (field: string, v: string[]) => checkUriList(field, v, MAX_REDIRECT_LIST, redirectUriProblem);
const backChannelUris = (field: string, v: string[]) => checkUriList(field, v, MAX_REDIRECT_LIST, (u) => {
  const p = targetUriProblem(u);
  return p ?? (/^https?:\/\//i.test(u) ? undefined : "must be an http(s) URI (the server POSTs a logout token to it)");
});
const initiateUri = (v: string) => {
  const p = targetUriProblem(v);
  if (p) throw invalidArgument("client.initiate_login_uri", p);
  return v;
};

/** Which fields an update touches: exactly the mask's when one is sent; otherwise the ones given (non-empty / set). */
function touchedFields(c: clients.UpdateClient, mask: FieldMask | undefined): Set<Updatable> {
  if (mask?.paths.length) {
    const out = new Set<Updatable>();
    for (const raw of mask.paths) {
      const p = raw.replace(/^client\./, "").replace(/[A-Z]/g, (x) => `_${x.toLowerCase()}`);
      if (!(UPDATABLE as readonly string[]).includes(p)) throw invalidArgument("mask", `"${raw}" is not an updatable field (${UPDATABLE.join(", ")})`);
      out.add(p as Updatable);
    }
    return out;
  }
  const given: [Updatable, boolean][] = [
    ["name", !!c.name], ["post_login_uris", c.postLoginUris.length > 0], ["post_logout_redirect_uris", c.postLogoutRedirectUris.length > 0],
    ["back_channel_logout_uris", c.backChannelLogoutUris.length > 0], ["initiate_login_uri", c.initiateLoginUri !== undefined],
    ["access_token_expiry", c.accessTokenExpiry !== 0n], ["scopes", c.scopes.length > 0], ["custom_claims", c.customClaims.length > 0],
    ["disallow_scalekit_api_access", c.disallowScalekitApiAccess !== undefined], ["grant_types", c.grantTypes.length > 0],
    ["enforce_pkce", c.enforcePkce !== undefined],
  ];
  return new Set(given.filter(([, set]) => set).map(([f]) => f));
}

function pkceFor(clientType: string, enforce: boolean | undefined): boolean {
  if (clientType !== "WEB_APP" && enforce === false)
    throw invalidArgument("client.enforce_pkce", `${clientType} clients are public and always use PKCE`);
  return clientType !== "WEB_APP" || !!enforce;
}

function newSecret(hashKey: Buffer, createdBy: string) {
  const plain = generateClientSecret();
  return { plain, data: { id: newId("sec"), hash: hashSecret(hashKey, plain), secretSuffix: secretSuffix(plain), createdBy } };
}

export function environmentClientMethods({ db, hashKey, config }: ServiceDeps): Methods {
  return {
    async listClient(req) {
      const types = (req.filter?.clientType ?? []).map((t, i) => {
        try { return checkClientType(t); } catch { throw invalidArgument(`filter.client_type[${i}]`, `must be WEB_APP, SPA or NTV, got "${t}"`); }
      });
      const page = await keysetPage(clientsWhere(db, types), clampedPageSize(req.pageSize, LIST_PAGE), req.pageToken);
      // include_plain_secret cannot be honoured: only hashes are stored, the plain value exists once, at creation
      return { clients: page.items.map((r) => environmentClientMessage(r)), totalSize: page.totalSize, nextPageToken: page.nextPageToken, prevPageToken: page.prevPageToken };
    },

    async createClient(req, ctx) {
      const c = req.client!;
      const clientType = checkClientType(c.clientType);
      const settings = {
        clientType,
        postLoginUris: loginUris("client.post_login_uris", c.postLoginUris),
        postLogoutRedirectUris: logoutUris("client.post_logout_redirect_uris", c.postLogoutRedirectUris),
        backChannelLogoutUris: backChannelUris("client.back_channel_logout_uris", c.backChannelLogoutUris),
        initiateLoginUri: c.initiateLoginUri ? initiateUri(c.initiateLoginUri) : null,
        accessTokenExpiry: checkAccessTokenExpiry(c.accessTokenExpiry) ?? 300,
        enforcePkce: pkceFor(clientType, c.enforcePkce),
        disallowApiAccess: c.disallowScalekitApiAccess ?? false,
        grantTypes: checkGrantTypes(c.grantTypes),
      };
      const data = {
        name: checkName(c.name),
        scopes: checkTokenList("client.scopes", c.scopes),
        customClaims: checkCustomClaims(c.customClaims),
      };
      // a public client cannot keep a secret; a web app gets one, shown in this response only
      const secret = clientType === "WEB_APP" ? newSecret(hashKey, ctx.principal.clientId) : undefined;
      const row = await db.apiClient.create({
        data: {
          id: newId("skc"), kind: ENVIRONMENT_KIND, ...data,
          loginSettings: { create: settings }, ...(secret ? { secrets: { create: secret.data } } : {}),
        },
        include: LOGIN_CLIENT_INCLUDE,
      });
      return { client: environmentClientMessage(row, secret && { id: secret.data.id, plain: secret.plain }) };
    },

    async getClient(req) {
      return { client: environmentClientMessage(await requireClient(db, req.clientId)) };
    },

    async updateClient(req) {
      const c = req.client ?? create(clients.UpdateClientSchema);
      const fields = touchedFields(c, req.mask);
      const row = await inTransaction(db, async (tx) => {
        const current = await requireClient(tx, req.clientId);
        const { clientType } = settingsOf(current);
        const client: Prisma.ApiClientUpdateInput = {};
        const settings: Prisma.ClientLoginSettingsUncheckedCreateInput = { clientId: current.id };
        if (fields.has("name")) client.name = checkName(c.name, "client.name");
        if (fields.has("scopes")) client.scopes = checkTokenList("client.scopes", c.scopes);
        if (fields.has("custom_claims")) client.customClaims = checkCustomClaims(c.customClaims);
        if (fields.has("post_login_uris")) settings.postLoginUris = loginUris("client.post_login_uris", c.postLoginUris);
        if (fields.has("post_logout_redirect_uris")) settings.postLogoutRedirectUris = logoutUris("client.post_logout_redirect_uris", c.postLogoutRedirectUris);
        if (fields.has("back_channel_logout_uris")) settings.backChannelLogoutUris = backChannelUris("client.back_channel_logout_uris", c.backChannelLogoutUris);
        if (fields.has("initiate_login_uri")) settings.initiateLoginUri = c.initiateLoginUri ? initiateUri(c.initiateLoginUri) : null;
        if (fields.has("access_token_expiry")) settings.accessTokenExpiry = checkAccessTokenExpiry(c.accessTokenExpiry) ?? 300;
        if (fields.has("disallow_scalekit_api_access")) settings.disallowApiAccess = c.disallowScalekitApiAccess ?? false;
        if (fields.has("grant_types")) settings.grantTypes = checkGrantTypes(c.grantTypes);
        if (fields.has("enforce_pkce")) settings.enforcePkce = pkceFor(clientType, c.enforcePkce ?? false);
        else if (!current.loginSettings) settings.enforcePkce = pkceFor(clientType, undefined);
        const { clientId: _, ...update } = settings;
        await tx.clientLoginSettings.upsert({ where: { clientId: current.id }, create: settings, update });
        // always written, so update_time moves even when only settings changed
        return tx.apiClient.update({ where: { id: current.id }, data: { ...client, updatedAt: new Date() }, include: LOGIN_CLIENT_INCLUDE });
      });
      return { client: environmentClientMessage(row) };
    },

    async deleteClient(req) {
      await inTransaction(db, async (tx) => {
        await requireClient(tx, req.clientId);
        if (req.clientId === (await ownClientId(tx, config)))
          throw failedPrecondition(`client ${req.clientId} is the environment's own client (SCALEKIT_CLIENT_ID); it cannot be deleted`);
        // its secrets and settings go with it (ON DELETE CASCADE): no token can be issued from this statement on
        await tx.apiClient.delete({ where: { id: req.clientId } });
      });
      return {};
    },

    async createClientSecret(req, ctx) {
      const secret = newSecret(hashKey, ctx.principal.clientId);
      const row = await inTransaction(db, async (tx) => {
        const client = await requireClient(tx, req.clientId);
        const { clientType } = settingsOf(client);
        if (clientType !== "WEB_APP") throw failedPrecondition(`client ${req.clientId} is a public ${clientType} client; public clients have no secrets`);
        return tx.clientSecret.create({ data: { ...secret.data, clientId: req.clientId } });
      });
      return { plainSecret: secret.plain, secret: secretMessage(row) };
    },

    async deleteClientSecret(req) {
      await inTransaction(db, async (tx) => {
        const client = await requireClient(tx, req.clientId);
        if (!client.secrets.some((x) => x.id === req.secretId)) throw notFound("client secret", req.secretId);
        if (client.secrets.length === 1 && req.clientId === (await ownClientId(tx, config)))
          throw failedPrecondition(`secret ${req.secretId} is the last secret of the environment's own client; create another one first`);
        await tx.clientSecret.delete({ where: { id: req.secretId } });
      });
      return {};
    },
  };
}
