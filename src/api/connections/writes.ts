// Creating, reading, patching, toggling and deleting connections, for organization connections (the SSO
// connections of the REST contract and the SDK) and environment connections alike. Every change and its
// organization.sso_* event commit in one transaction.
import type { JsonObject } from "@bufbuild/protobuf";
import type { Connection as ConnectionRow, Prisma } from "../../generated/prisma/client.js";
import type { Db } from "../../db/client.js";
import { inTransaction, type Tx } from "../../db/tx.js";
import { uniqueViolation } from "../../db/unique.js";
import { alreadyExists, invalidArgument, notFound } from "../../protocol/errors.js";
import { newId } from "../../protocol/ids.js";
import { connections } from "../../protocol/descriptors.js";
import type { ServiceDeps } from "../deps.js";
import { initialSettings, mergeSettings, statusOf, storedSettings } from "./config.js";
import { attributeMappingOf, connectionMessage, type MappingContext } from "./mapping.js";
import { domainsOf, emitConnectionEvent, findConnection, lockConnection, type ConnectionKey } from "./store.js";

const T = connections.ConnectionType;
/** Organization connections are enterprise SSO connections. */
const ORGANIZATION_TYPES = new Set([T.OIDC, T.SAML]);
const STATIC_TYPES = new Set([T.BASIC, T.BEARER, T.API_KEY]);
/** Stored and echoed as given (the cloud keeps HUBSPOT, GOOGLEDWD, notion as sent); filters ignore case. */
const PROVIDER_KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

function definedEnum(e: Record<string | number, string | number>, value: number, field: string, allowZero: boolean): number {
  if (value === 0 && !allowZero) throw invalidArgument(field, "is required");
  if (typeof e[value] !== "string") throw invalidArgument(field, `unknown value ${value}`);
  return value;
}

function checkProviderKey(value: string, field: string): string {
  if (!PROVIDER_KEY.test(value)) throw invalidArgument(field, "must be 1-100 letters, digits, '_', '.' or '-', starting with a letter or digit");
  return value;
}

function checkKeyId(value: string, field: string): string {
  const v = value.trim();
  if (!v || [...v].length > 300) throw invalidArgument(field, "must be between 1 and 300 characters");
  return v;
}

function checkAttributeMapping(map: Record<string, string>, field: string): Record<string, string> {
  const entries = Object.entries(map);
  if (entries.length > 50) throw invalidArgument(field, "at most 50 attributes can be mapped");
  for (const [k, v] of entries) {
    if (!k.trim() || [...k].length > 100) throw invalidArgument(field, `key "${k}" must be between 1 and 100 characters`);
    if (!v.trim() || [...v].length > 255) throw invalidArgument(field, `value of "${k}" must be between 1 and 255 characters`);
  }
  return map;
}

/** A unique-index violation on key_id as a clear 409; anything else is left to the generic mapping. */
function keyIdConflict(e: unknown, keyId: string | undefined): unknown {
  if (uniqueViolation(e) && keyId) return alreadyExists(`a connection with key_id ${keyId} already exists`, keyId);
  return e;
}

export interface CreateInput {
  organizationId: string | null;
  connection: connections.CreateConnection | undefined;
  flags?: connections.Flags;
}

export function connectionWrites({ db, outbox, config, environmentId }: ServiceDeps) {
  const ctx: MappingContext = { base: config.environmentUrl, environmentId };

  async function full(client: Db | Tx, row: ConnectionRow) {
    const domains = (await domainsOf(client, [row])).get(row.id) ?? [];
    return connectionMessage(row, domains, ctx);
  }

  return {
    ctx,

    async create({ organizationId, connection: c, flags }: CreateInput) {
      if (!c) throw invalidArgument("connection", "is required");
      const type = definedEnum(T, c.type, "connection.type", false) as connections.ConnectionType;
      if (organizationId && !ORGANIZATION_TYPES.has(type))
        throw invalidArgument("connection.type", "an organization's SSO connection must be OIDC or SAML");
      const provider = (definedEnum(connections.ConnectionProvider, c.provider, "connection.provider", true)
        || connections.ConnectionProvider.CUSTOM) as connections.ConnectionProvider;
      const providerKey = c.providerKey
        ? checkProviderKey(c.providerKey, "connection.provider_key")
        : connections.ConnectionProvider[provider].toLowerCase();
      const id = newId("conn");
      const keyId = c.keyId !== undefined ? checkKeyId(c.keyId, "connection.key_id") : id;
      const settings = initialSettings(type);
      try {
        const row = await inTransaction(db, async (tx) => {
          if (organizationId) {
            const org = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM organizations WHERE id = ${organizationId} FOR SHARE`;
            if (!org.length) throw notFound("organization", organizationId);
          }
          const created = await tx.connection.create({
            data: {
              id, organizationId, provider, providerKey, type, keyId, status: statusOf(type, settings), enabled: false,
              configurationType: connections.ConfigurationType.MANUAL,
              settingsCase: settings?.case ?? null, settings: (settings?.json ?? undefined) as Prisma.InputJsonValue | undefined,
              // without flags, a static-credential connector of the environment is an app connection, the rest log users in
              isApp: flags?.isApp ?? (!organizationId && STATIC_TYPES.has(type)),
              isLogin: flags?.isLogin ?? !STATIC_TYPES.has(type),
            },
          });
          await emitConnectionEvent(outbox, tx, "organization.sso_created", created);
          return created;
        });
        return { connection: connectionMessage(row, [], ctx) };
      } catch (e) {
        throw keyIdConflict(e, c.keyId !== undefined ? keyId : undefined);
      }
    },

    async get(key: ConnectionKey) {
      return { connection: await full(db, await findConnection(db, key)) };
    },

    async update(key: ConnectionKey, patch: connections.UpdateConnection | undefined) {
      if (!patch) throw invalidArgument("connection", "is required");
      const keyId = patch.keyId !== undefined ? checkKeyId(patch.keyId, "connection.key_id") : undefined;
      const providerKey = patch.providerKey ? checkProviderKey(patch.providerKey, "connection.provider_key") : undefined;
      definedEnum(connections.ConnectionProvider, patch.provider, "connection.provider", true);
      definedEnum(T, patch.type, "connection.type", true);
      definedEnum(connections.ConfigurationType, patch.configurationType, "connection.configuration_type", true);
      const attributeMapping = Object.keys(patch.attributeMapping).length ? checkAttributeMapping(patch.attributeMapping, "connection.attribute_mapping") : undefined;
      if (patch.uiButtonTitle !== undefined && [...patch.uiButtonTitle].length > 100) throw invalidArgument("connection.ui_button_title", "must be at most 100 characters");
      try {
        const row = await inTransaction(db, async (tx) => {
          const current = await lockConnection(tx, key);
          if (patch.type && patch.type !== current.type)
            throw invalidArgument("connection.type", `cannot be changed (the connection is ${T[current.type]}); create a new connection instead`);
          const debugEnabled = patch.debugEnabled ?? current.debugEnabled;
          const settings = mergeSettings({
            type: current.type, debugEnabled, current: storedSettings(current),
            patch: patch.settings as { case: any; value?: any }, prefix: "connection",
          });
          const data: Prisma.ConnectionUpdateInput = {
            debugEnabled,
            ...(patch.provider ? { provider: patch.provider } : {}),
            ...(providerKey ? { providerKey } : {}),
            ...(keyId !== undefined ? { keyId } : {}),
            ...(patch.uiButtonTitle !== undefined ? { uiButtonTitle: patch.uiButtonTitle } : {}),
            ...(patch.configurationType ? { configurationType: patch.configurationType } : {}),
            ...(attributeMapping ? { attributeMapping } : {}),
            ...(settings ? { settingsCase: settings.case, settings: settings.json as Prisma.InputJsonValue } : {}),
            status: statusOf(current.type, settings),
            updateTime: new Date(),
          };
          return tx.connection.update({ where: { id: current.id }, data });
        });
        return { connection: await full(db, row) };
      } catch (e) {
        throw keyIdConflict(e, keyId);
      }
    },

    async remove(key: ConnectionKey) {
      await inTransaction(db, async (tx) => {
        const row = await lockConnection(tx, key);
        await tx.connection.delete({ where: { id: row.id } });
        await emitConnectionEvent(outbox, tx, "organization.sso_deleted", row);
      });
      return {};
    },

    /** Enabling an enabled connection (or disabling a disabled one) changes nothing and is not an error. */
    async toggle(key: ConnectionKey, enabled: boolean) {
      return inTransaction(db, async (tx) => {
        const current = await lockConnection(tx, key);
        // not an error, and no event: the answer says so the way the directory toggle does
        if (current.enabled === enabled) return { enabled, errorMessage: `The connection is already ${enabled ? "enabled" : "disabled"}` };
        const row = await tx.connection.update({ where: { id: current.id }, data: { enabled, updateTime: new Date() } });
        await emitConnectionEvent(outbox, tx, enabled ? "organization.sso_enabled" : "organization.sso_disabled", row);
        return { enabled: row.enabled };
      });
    },

    /** Replaces the set of domains assigned to an organization connection; every domain must be the organization's. */
    async assignDomains(key: ConnectionKey, domainIds: string[]) {
      const ids = [...new Set(domainIds)];
      const row = await inTransaction(db, async (tx) => {
        const current = await lockConnection(tx, key);
        const found = await tx.domain.findMany({ where: { id: { in: ids }, organizationId: current.organizationId ?? "" }, select: { id: true } });
        const missing = ids.find((id) => !found.some((d) => d.id === id));
        if (missing) throw notFound("domain", missing);
        await tx.connectionDomain.deleteMany({ where: { connectionId: current.id } });
        if (ids.length) await tx.connectionDomain.createMany({ data: ids.map((domainId) => ({ connectionId: current.id, domainId })) });
        return tx.connection.update({ where: { id: current.id }, data: { updateTime: new Date() } });
      });
      return { connection: await full(db, row) };
    },

    async getContext(key: ConnectionKey) {
      const row = await findConnection(db, key);
      return { context: (row.context ?? {}) as JsonObject };
    },

    async updateContext(key: ConnectionKey, context: JsonObject | undefined) {
      await inTransaction(db, async (tx) => {
        const row = await lockConnection(tx, key);
        await tx.connection.update({ where: { id: row.id }, data: { context: (context ?? {}) as Prisma.InputJsonValue, updateTime: new Date() } });
      });
      return {};
    },

    attributeMappingOf,
  };
}
