// ApiTokenService: opaque API tokens for an organization (optionally a user in it). The token string is returned
// once by CreateToken and stored as a keyed hash; Validate/Invalidate/UpdateToken accept the token itself or its
// id (apit_…), as the SDK documents. A token that is unknown, invalidated or expired fails validation with
// NOT_FOUND or INVALID_ARGUMENT — never UNAUTHENTICATED, which would make the SDK refresh its own credentials and
// retry. FetchToken stays UNIMPLEMENTED: the contract gives it no caller ("we don't want to expose token fetch").
import { Code } from "@connectrpc/connect";
import type { ApiToken, Prisma } from "../../generated/prisma/client.js";
import type { Db } from "../../db/client.js";
import { inTransaction, type Tx } from "../../db/tx.js";
import { keysetPage, prismaKeyset, type KeysetSource } from "../../db/keyset-page.js";
import { hashSecret } from "../../auth/secrets.js";
import { tokens } from "../../protocol/descriptors.js";
import { apiError, invalidArgument, notFound } from "../../protocol/errors.js";
import { looksLikeId, newId } from "../../protocol/ids.js";
import { type ServiceImplementation } from "../../protocol/rpc.js";
import type { ServiceDeps } from "../deps.js";
import { implementChecked } from "../../protocol/descriptor-rules.js";
import { tokenMessage, tokenViews } from "./mapping.js";
import { checkClaims, checkExpiry, requireOrganizationId, requireTokenRef } from "./validation.js";
import { randomBytes } from "node:crypto";

type Methods = ServiceImplementation<typeof tokens.ApiTokenService>["methods"];

const ID_PREFIX = "apit";
const LIST_PAGE_DEFAULT = 10;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** "skt_" + 64 base62 characters (~380 bits): high entropy, so a keyed hash is a safe way to store it. */
function generateToken(): string {
  let s = "";
  for (const b of randomBytes(64)) s += ALPHABET[b % 62];
  return `skt_${s}`;
}

async function requireOrganization(db: Db | Tx, id: string) {
  if (!(await db.organization.findUnique({ where: { id }, select: { id: true } }))) throw notFound("organization", id);
}

/** Where to find a token given as its value (by the keyed hash) or its id. */
function tokenKey(hashKey: Buffer, ref: string): Prisma.ApiTokenWhereUniqueInput {
  return looksLikeId(ID_PREFIX, ref) ? { id: ref } : { hash: hashSecret(hashKey, ref) };
}

/** Invalidated tokens are kept for audit but are not found. */
async function findToken(db: Db | Tx, where: Prisma.ApiTokenWhereUniqueInput): Promise<ApiToken> {
  const row = await db.apiToken.findUnique({ where });
  if (!row || row.invalidatedAt) throw apiError(Code.NotFound, "token not found or invalidated");
  return row;
}

function tokensOf(db: Db, where: Prisma.ApiTokenWhereInput): KeysetSource<ApiToken> {
  return prismaKeyset(db.apiToken, where);
}

export function apiTokenMethods({ db, hashKey }: ServiceDeps): Methods {
  const info = async (db0: Db | Tx, row: ApiToken) => tokenMessage((await tokenViews(db0, [row]))[0]);

  return {
    async createToken(req) {
      const t = req.token;
      if (!t) throw invalidArgument("token", "is required");
      const organizationId = requireOrganizationId("token.organization_id", t.organizationId);
      const customClaims = checkClaims("token.custom_claims", t.customClaims);
      const expiresAt = checkExpiry(t.expiry);
      const plain = generateToken();
      const hash = hashSecret(hashKey, plain);
      const { row, tokenInfo } = await inTransaction(db, async (tx) => {
        await requireOrganization(tx, organizationId);
        if (t.userId) {
          const member = await tx.membership.findUnique({ where: { organizationId_userId: { organizationId, userId: t.userId } }, select: { userId: true } });
          if (!member) {
            if (!(await tx.user.findUnique({ where: { id: t.userId }, select: { id: true } }))) throw notFound("user", t.userId);
            throw apiError(Code.NotFound, `user ${t.userId} is not a member of organization ${organizationId}`);
          }
        }
        const created = await tx.apiToken.create({
          data: {
            id: newId(ID_PREFIX), hash, tokenSuffix: plain.slice(-4), organizationId, userId: t.userId || null,
            customClaims, description: t.description || null, expiresAt: expiresAt ?? null,
          },
        });
        return { row: created, tokenInfo: await info(tx, created) };
      });
      return { token: plain, tokenId: row.id, tokenInfo };
    },

    async validateToken(req) {
      const row = await findToken(db, tokenKey(hashKey, requireTokenRef(req.token)));
      if (row.expiresAt && row.expiresAt <= new Date()) throw apiError(Code.InvalidArgument, "token expired");
      return { tokenInfo: await info(db, row) };
    },

    async invalidateToken(req) {
      const where = tokenKey(hashKey, requireTokenRef(req.token));
      const row = await db.apiToken.findUnique({ where, select: { id: true, invalidatedAt: true } });
      if (!row) throw apiError(Code.NotFound, "token not found");
      // idempotent: invalidating twice succeeds and keeps the first moment
      if (!row.invalidatedAt) await db.apiToken.updateMany({ where: { id: row.id, invalidatedAt: null }, data: { invalidatedAt: new Date() } });
      return {};
    },

    async listTokens(req) {
      const organizationId = requireOrganizationId("organization_id", req.organizationId);
      await requireOrganization(db, organizationId);
      const now = new Date();
      const where: Prisma.ApiTokenWhereInput = {
        organizationId, invalidatedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
        ...(req.userId ? { userId: req.userId } : {}),
      };
      const page = await keysetPage(tokensOf(db, where), req.pageSize || LIST_PAGE_DEFAULT, req.pageToken);
      const views = await tokenViews(db, page.items);
      return { tokens: views.map(tokenMessage), totalCount: page.totalSize, nextPageToken: page.nextPageToken, prevPageToken: page.prevPageToken };
    },

    async updateToken(req) {
      const where = tokenKey(hashKey, requireTokenRef(req.token));
      const data: Prisma.ApiTokenUpdateInput = {};
      // a map has no presence: an empty one leaves the claims as they are; a non-empty one replaces them
      if (Object.keys(req.customClaims).length) data.customClaims = checkClaims("custom_claims", req.customClaims);
      if (req.description !== undefined) data.description = req.description || null;
      const tokenInfo = await inTransaction(db, async (tx) => {
        const row = await findToken(tx, where);
        const updated = await tx.apiToken.update({ where: { id: row.id }, data });
        return info(tx, updated);
      });
      return { tokenInfo };
    },
  };
}

export function apiTokenService(deps: ServiceDeps) {
  return implementChecked(tokens.ApiTokenService, apiTokenMethods(deps));
}
