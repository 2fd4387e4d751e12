// ProviderService (Python SDK only: scalekit/providers.py): the environment's custom providers, the user's own
// MCP servers and APIs added to the Agent Actions catalog. A provider's identifier is derived once from its
// display name and is what connections name as provider_key. The catalog operations on Scalekit's built-in
// providers (CreateProvider, UpdateProvider, DeleteProvider) belong to Scalekit's staff and stay UNIMPLEMENTED;
// this server has no built-in catalog, so ListProviders lists custom providers (DEFAULT lists none).
import { uniqueViolation } from "../../db/unique.js";
import { fromJson, toJson, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import type { CustomProvider } from "../../generated/prisma/client.js";
import { keysetPage, type IdRange } from "../../db/keyset-page.js";
import { inTransaction } from "../../db/tx.js";
import { contractMessage, contractService } from "../../protocol/descriptors.js";
import { implementChecked } from "../../protocol/descriptor-rules.js";
import { invalidArgument, notFound } from "../../protocol/errors.js";
import { newId } from "../../protocol/ids.js";
import { clampedPageSize } from "../../protocol/page-size.js";
import type { ServiceDeps } from "../deps.js";
import { duplicateKey } from "../roles/store.js";
import { checkAuthPatterns, checkDisplayName, checkMetadata, checkProxyUrl, identifierFor } from "./validation.js";

export const PROVIDER_SERVICE = contractService("scalekit.v1.providers.ProviderService");
const Provider = contractMessage("scalekit.v1.providers.Provider");
const PAGE = { min: 1, max: 100, default: 50 };
const PROVIDER_TYPE = { DEFAULT: 0, CUSTOM: 1, ALL: 2 } as const;

/** A request message as proto JSON (snake_case), the shape the checks below read. */
const json = (desc: Parameters<typeof toJson>[0], msg: unknown) => toJson(desc, msg as never, { useProtoFieldName: true }) as JsonObject;

function providerMessage(row: CustomProvider) {
  const patterns = Array.isArray(row.authPatterns) ? (row.authPatterns as JsonValue[]) : [];
  return fromJson(Provider, {
    id: row.id, identifier: row.identifier, display_name: row.displayName, description: row.description,
    categories: [], auth_patterns: patterns, icon_src: row.iconSrc, display_priority: 0, coming_soon: false,
    proxy_url: row.proxyUrl, proxy_enabled: row.proxyEnabled, is_custom: true,
    // an MCP provider: one of its auth patterns is an MCP server's (is_mcp), as the cloud reports it
    is_custom_mcp: patterns.some((p) => !!p && typeof p === "object" && !Array.isArray(p) && p.is_mcp === true),
    metadata: (row.metadata ?? {}) as JsonObject,
  });
}

const uniqueIdentifier = (e: unknown, identifier: string) =>
  uniqueViolation(e) ? duplicateKey("provider.display_name", `a custom provider with identifier ${identifier} already exists`) : e;

export function providerService({ db }: ServiceDeps) {
  const find = async (identifier: string) => {
    if (!identifier.trim()) throw invalidArgument("identifier", "is required");
    const row = await db.customProvider.findUnique({ where: { identifier } });
    if (!row) throw notFound("custom provider", identifier);
    return row;
  };

  return implementChecked(PROVIDER_SERVICE, {
    async createCustomProvider(req) {
      const p = json(PROVIDER_SERVICE.method.createCustomProvider.input, req).provider as JsonObject | undefined;
      if (!p) throw invalidArgument("provider", "is required");
      const displayName = checkDisplayName(p.display_name, "provider.display_name");
      const identifier = identifierFor(displayName);
      const data = {
        id: newId("prv"), identifier, displayName, description: typeof p.description === "string" ? p.description : "",
        authPatterns: checkAuthPatterns(p.auth_patterns, "provider.auth_patterns"),
        proxyUrl: checkProxyUrl(p.proxy_url, "provider.proxy_url"),
        proxyEnabled: p.proxy_enabled === true, iconSrc: typeof p.icon_src === "string" ? p.icon_src : "",
        metadata: checkMetadata(p.metadata, "provider.metadata"),
      };
      try {
        return { provider: providerMessage(await db.customProvider.create({ data })) };
      } catch (e) {
        throw uniqueIdentifier(e, identifier);
      }
    },

    /**
     * Fields given replace the stored ones; metadata is replaced as a whole (absent clears it, as the SDK
     * documents). proxy_enabled has no presence in the request, so only `true` changes it.
     */
    async updateCustomProvider(req) {
      const body = json(PROVIDER_SERVICE.method.updateCustomProvider.input, req);
      const identifier = typeof body.identifier === "string" ? body.identifier : "";
      const p = (body.provider ?? {}) as JsonObject;
      const row = await inTransaction(db, async (tx) => {
        const current = await tx.customProvider.findUnique({ where: { identifier } });
        if (!identifier.trim()) throw invalidArgument("identifier", "is required");
        if (!current) throw notFound("custom provider", identifier);
        return tx.customProvider.update({
          where: { id: current.id },
          data: {
            ...(p.display_name ? { displayName: checkDisplayName(p.display_name, "provider.display_name") } : {}),
            ...(typeof p.description === "string" && p.description ? { description: p.description } : {}),
            ...(p.proxy_url ? { proxyUrl: checkProxyUrl(p.proxy_url, "provider.proxy_url") } : {}),
            ...(p.auth_patterns !== undefined ? { authPatterns: checkAuthPatterns(p.auth_patterns, "provider.auth_patterns") } : {}),
            ...(p.proxy_enabled === true ? { proxyEnabled: true } : {}),
            ...(typeof p.icon_src === "string" && p.icon_src ? { iconSrc: p.icon_src } : {}),
            metadata: checkMetadata(p.metadata, "provider.metadata"),
            updatedAt: new Date(),
          },
        });
      });
      return { provider: providerMessage(row) };
    },

    async deleteCustomProvider(req) {
      const row = await find((req as unknown as { identifier: string }).identifier);
      const { count } = await db.customProvider.deleteMany({ where: { id: row.id } });
      if (!count) throw notFound("custom provider", row.identifier);
      return {};
    },

    async listProviders(req) {
      const r = req as unknown as { identifier: string; pageSize: number; pageToken: string; filter?: { providerType: number } };
      if (r.filter && r.filter.providerType === PROVIDER_TYPE.DEFAULT) {
        return { providers: [], totalSize: 0, nextPageToken: "", prevPageToken: "" };
      }
      const where = r.identifier ? { identifier: r.identifier } : {};
      const page = await keysetPage({
        count: () => db.customProvider.count({ where }),
        rows: (range: IdRange, order, take) => db.customProvider.findMany({ where: { AND: [where, { id: range }] }, orderBy: { id: order }, take }),
      }, clampedPageSize(r.pageSize, PAGE), r.pageToken);
      return { providers: page.items.map(providerMessage), totalSize: page.totalSize, nextPageToken: page.nextPageToken, prevPageToken: page.prevPageToken };
    },
  });
}
