// ClientService, organization M2M clients: CRUD of clients and their secrets. A secret is returned once (create)
// and stored as a keyed hash; /oauth/token looks clients up by that hash, so deleting a secret or the client
// revokes it for the very next token request. The environment-level client RPCs are in environment-clients.ts;
// the Resource/Scope/consent RPCs stay UNIMPLEMENTED (not part of the REST contract, not used by the SDKs).
import { Prisma } from "../../generated/prisma/client.js";
import type { Db } from "../../db/client.js";
import { inTransaction, type Tx } from "../../db/tx.js";
import { keysetPage, prismaKeyset, type KeysetSource } from "../../db/keyset-page.js";
import { generateClientSecret, hashSecret, secretSuffix } from "../../auth/secrets.js";
import { clients } from "../../protocol/descriptors.js";
import { notFound } from "../../protocol/errors.js";
import { newId } from "../../protocol/ids.js";
import { clampedPageSize } from "../../protocol/page-size.js";
import { type ServiceImplementation, methodGroups } from "../../protocol/rpc.js";
import type { ServiceDeps } from "../deps.js";
import { implementChecked } from "../../protocol/descriptor-rules.js";
import { clientMessage, secretMessage, type ClientWithSecrets } from "./mapping.js";
import { environmentClientMethods } from "./environment-clients.js";
import { checkCustomClaims, checkExpiry, checkName, checkTokenList, DEFAULT_EXPIRY_SECONDS } from "./validation.js";

type Methods = ServiceImplementation<typeof clients.ClientService>["methods"];

const KIND = "organization";
const LIST_PAGE = { min: 1, max: 100, default: 10 };

async function requireOrganization(db: Db | Tx, organizationId: string) {
  const org = await db.organization.findUnique({ where: { id: organizationId }, select: { id: true } });
  if (!org) throw notFound("organization", organizationId);
}

/** The client of that organization; a client of another organization (or the environment client) is not found. */
async function findClient(db: Db | Tx, organizationId: string, clientId: string): Promise<ClientWithSecrets> {
  const row = await db.apiClient.findFirst({ where: { id: clientId, organizationId, kind: KIND }, include: { secrets: true } });
  if (!row) {
    await requireOrganization(db, organizationId);
    throw notFound("client", clientId);
  }
  return row;
}

function clientsOf(db: Db, organizationId: string): KeysetSource<ClientWithSecrets> {
  return prismaKeyset<ClientWithSecrets>(db.apiClient, { organizationId, kind: KIND }, { include: { secrets: true } });
}

function newSecret(hashKey: Buffer, createdBy: string) {
  const plain = generateClientSecret();
  return { plain, data: { id: newId("sec"), hash: hashSecret(hashKey, plain), secretSuffix: secretSuffix(plain), createdBy } };
}

export function organizationClientMethods({ db, hashKey }: ServiceDeps): Methods {
  return {
    async createOrganizationClient(req, ctx) {
      const c = req.client!;
      const data = {
        name: checkName(c.name),
        description: c.description,
        scopes: checkTokenList("client.scopes", c.scopes),
        audience: checkTokenList("client.audience", c.audience),
        customClaims: checkCustomClaims(c.customClaims),
        expirySeconds: checkExpiry(c.expiry) ?? DEFAULT_EXPIRY_SECONDS,
      };
      const secret = newSecret(hashKey, ctx.principal.clientId);
      const row = await inTransaction(db, async (tx) => {
        await requireOrganization(tx, req.organizationId);
        return tx.apiClient.create({
          data: { id: newId("m2morg"), kind: KIND, organizationId: req.organizationId, ...data, secrets: { create: secret.data } },
          include: { secrets: true },
        });
      });
      return { client: clientMessage(row), plainSecret: secret.plain };
    },

    async getOrganizationClient(req) {
      return { client: clientMessage(await findClient(db, req.organizationId, req.clientId)) };
    },

    async updateOrganizationClient(req) {
      // The fields have no presence, so (as the SDK sends them) an empty value means "leave as it is".
      const c = req.client!;
      const data: Prisma.ApiClientUpdateInput = {};
      if (c.name) data.name = checkName(c.name);
      if (c.description) data.description = c.description;
      if (c.scopes.length) data.scopes = checkTokenList("client.scopes", c.scopes);
      if (c.audience.length) data.audience = checkTokenList("client.audience", c.audience);
      if (c.customClaims.length) data.customClaims = checkCustomClaims(c.customClaims);
      const expiry = checkExpiry(c.expiry);
      if (expiry !== undefined) data.expirySeconds = expiry;
      const row = await inTransaction(db, async (tx) => {
        await findClient(tx, req.organizationId, req.clientId);
        return tx.apiClient.update({ where: { id: req.clientId }, data, include: { secrets: true } });
      });
      return { client: clientMessage(row) };
    },

    async deleteOrganizationClient(req) {
      // the secrets go with the client (ON DELETE CASCADE): no token can be issued from this statement on
      const { count } = await db.apiClient.deleteMany({ where: { id: req.clientId, organizationId: req.organizationId, kind: KIND } });
      if (!count) {
        await requireOrganization(db, req.organizationId);
        throw notFound("client", req.clientId);
      }
      return {};
    },

    async listOrganizationClients(req) {
      await requireOrganization(db, req.organizationId);
      const page = await keysetPage(clientsOf(db, req.organizationId), clampedPageSize(req.pageSize, LIST_PAGE), req.pageToken);
      return { clients: page.items.map(clientMessage), totalSize: page.totalSize, nextPageToken: page.nextPageToken, prevPageToken: page.prevPageToken };
    },

    async createOrganizationClientSecret(req, ctx) {
      const secret = newSecret(hashKey, ctx.principal.clientId);
      const row = await inTransaction(db, async (tx) => {
        await findClient(tx, req.organizationId, req.clientId);
        return tx.clientSecret.create({ data: { ...secret.data, clientId: req.clientId } });
      });
      return { plainSecret: secret.plain, secret: secretMessage(row) };
    },

    async deleteOrganizationClientSecret(req) {
      const { count } = await inTransaction(db, async (tx) => {
        await findClient(tx, req.organizationId, req.clientId);
        return tx.clientSecret.deleteMany({ where: { id: req.secretId, clientId: req.clientId } });
      });
      if (!count) throw notFound("client secret", req.secretId);
      return {};
    },
  };
}

export function clientService(deps: ServiceDeps) {
  return implementChecked(clients.ClientService, methodGroups(organizationClientMethods(deps), environmentClientMethods(deps)));
}
