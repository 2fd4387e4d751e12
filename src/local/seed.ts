// Seed files (SEED_FILE, JSON or YAML): fixtures applied at start and after every reset. The whole file is checked
// before anything is applied, then applied in one transaction through the services' own RPC implementations (the
// same validation, events and mail as the API), so a file with an error changes nothing. Entries that already
// exist (by id, or by their natural key: a name, an email, a domain) are left alone: applying twice changes nothing.
import type { Sql } from "../db/sql.js";
import fs from "node:fs";
import path from "node:path";
import { fromJson, type DescMessage, type DescService } from "@bufbuild/protobuf";
import { ConnectError } from "@connectrpc/connect";
import pino from "pino";
import { parse as parseYaml } from "yaml";
import type { ServiceDeps } from "../api/deps.js";
import { serviceImplementations } from "../api/index.js";
import type { Db } from "../db/client.js";
import { inTransaction, type Tx } from "../db/tx.js";
import { EndpointService, webhookSecretBox } from "../events/endpoints.js";
import { hashSecret, secretSuffix } from "../auth/secrets.js";
import { clients, connections, directories, domains, organizations, roles, users } from "../protocol/descriptors.js";
import { withFixedIds } from "../protocol/ids.js";
import type { CallContext, ServiceImplementation } from "../protocol/rpc.js";
import { checkSeedDocument, type SeedDocument } from "./seed-schema.js";
import { setAfterReset } from "./reset.js";

export class SeedFileError extends Error {}

/** Reads and checks a seed file; throws SeedFileError naming the file, the path inside it and what is wrong. */
export function loadSeedFile(file: string): SeedDocument {
  const name = path.relative(process.cwd(), file) || file;
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new SeedFileError(`seed file ${name}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new SeedFileError(`seed file ${name}: not valid ${/\.json$/i.test(file) ? "JSON" : "YAML"}: ${(e as Error).message.split("\n")[0]}`);
  }
  const problems = checkSeedDocument(raw);
  if (problems.length) throw new SeedFileError(`seed file ${name}: ${problems.slice(0, 10).map((p) => `${p.path}: ${p.message}`).join("; ")}`);
  return raw as SeedDocument;
}

/** Applies a seed file in one transaction. */
export async function applySeedFile(deps: ServiceDeps, file: string): Promise<void> {
  const doc = loadSeedFile(file);
  await inTransaction(deps.db, (tx) => applySeed(tx, deps, doc, file));
}

/** Start-up: apply SEED_FILE if configured, and have every reset apply it again in its own transaction. */
export async function applyConfiguredSeed(deps: ServiceDeps): Promise<void> {
  const file = deps.config.seedFile;
  if (!file) { setAfterReset(undefined); return; }
  const doc = loadSeedFile(file);
  await inTransaction(deps.db, (tx) => applySeed(tx, deps, doc, file));
  setAfterReset(async (tx, d) => { await applySeed(tx, d, loadSeedFile(file), file); return file; });
}

/** The services, running inside `tx`: their own transactions join it, their direct reads go through it. */
function inTx(tx: Tx, deps: ServiceDeps): ServiceDeps {
  const db = new Proxy(tx as unknown as Db, {
    get(target, prop, receiver) {
      if (prop === "$transaction") return (arg: unknown) => (typeof arg === "function" ? arg(target) : Promise.all(arg as Promise<unknown>[]));
      return Reflect.get(target, prop, receiver);
    },
  });
  // the tagged form runs as is; the (text, params) form is already parameterised ($1, $2, ...)
  const sql = (query: Sql | string, params?: unknown[]) => (typeof query === "string" ? tx.$queryRawUnsafe(query, ...(params ?? [])) : tx.$queryRaw(query));
  return { ...deps, db, sql: sql as ServiceDeps["sql"] };
}

type Json = Record<string, any>;

class Applier {
  private readonly impls: ServiceImplementation<any>[];
  private ctx!: CallContext;

  constructor(private readonly tx: Tx, private readonly deps: ServiceDeps, private readonly file: string) {
    this.impls = serviceImplementations(deps);
  }

  async init() {
    const env = await this.tx.apiClient.findFirst({ where: { kind: "environment" }, orderBy: { createdAt: "asc" } });
    this.ctx = { principal: { clientId: env?.id ?? "seed", scopes: [] }, requestId: "seed-file", log: pino({ level: "silent" }) };
  }

  /** Calls one RPC implementation with a JSON request (proto field names, as in REST bodies). */
  async call(where: string, service: DescService, method: string, body: Json, ids: Record<string, string | undefined> = {}): Promise<any> {
    const m = service.methods.find((x) => x.localName === method)!;
    const impl = this.impls.find((i) => i.service === service)?.methods[method];
    try {
      const req = fromJson(m.input as DescMessage, body, { ignoreUnknownFields: false });
      return await withFixedIds(ids, () => impl!(req as never, this.ctx));
    } catch (e) {
      const msg = e instanceof ConnectError ? e.rawMessage : (e as Error).message;
      throw new SeedFileError(`seed file ${path.relative(process.cwd(), this.file) || this.file}: ${where}: ${msg}`);
    }
  }

  async permissions(list: Json[]) {
    for (const [i, p] of list.entries()) {
      if (await this.tx.permission.findUnique({ where: { name: p.name } })) continue;
      await this.call(`permissions[${i}]`, roles.RolesService, "createPermission", { permission: { name: p.name, description: p.description ?? "" } });
    }
  }

  async roles(list: Json[]) {
    // a role may extend one declared later in the file: create parents first
    const byName = new Map(list.map((r, i) => [r.name as string, { r, i }]));
    const done = new Set<string>();
    const visit = async (name: string) => {
      const e = byName.get(name);
      if (!e || done.has(name)) return;
      done.add(name);
      if (e.r.extends) await visit(e.r.extends);
      if (await this.tx.role.findFirst({ where: { name, organizationId: null } })) return;
      const role: Json = { name, display_name: e.r.display_name ?? name, description: e.r.description ?? "" };
      if (e.r.extends) role.extends = e.r.extends;
      if (e.r.permissions?.length) role.permissions = e.r.permissions;
      await this.call(`roles[${e.i}]`, roles.RolesService, "createRole", { role });
    };
    for (const r of list) await visit(r.name);
  }

  async organizations(list: Json[]) {
    for (const [i, o] of list.entries()) {
      const where = `organizations[${i}]`;
      const { id, domains: ds = [], connections: cs = [], directories: dirs = [], clients: cl = [], ...body } = o;
      let org = id ? await this.tx.organization.findUnique({ where: { id } })
        : body.external_id ? await this.tx.organization.findFirst({ where: { externalId: body.external_id } })
        : await this.tx.organization.findFirst({ where: { displayName: body.display_name } });
      const orgId = org?.id ?? (await this.call(where, organizations.OrganizationService, "createOrganization", { organization: body }, { org: id })).organization.id;
      for (const [j, d] of (ds as Json[]).entries()) {
        if (await this.tx.domain.findUnique({ where: { domain: String(d.domain).toLowerCase() } })) continue;
        await this.call(`${where}.domains[${j}]`, domains.DomainService, "createDomain", { organization_id: orgId, domain: d }, { dom: d.id });
      }
      for (const [j, c] of (cs as Json[]).entries()) {
        const { id: cid, enabled, ...conn } = c;
        const existing = cid ? await this.tx.connection.findUnique({ where: { id: cid } }) : undefined;
        if (existing) continue;
        const made = await this.call(`${where}.connections[${j}]`, connections.ConnectionService, "createConnection", { organization_id: orgId, connection: conn }, { conn: cid });
        if (enabled) await this.call(`${where}.connections[${j}].enabled`, connections.ConnectionService, "enableConnection", { organization_id: orgId, id: made.connection.id });
      }
      for (const [j, d] of (dirs as Json[]).entries()) {
        const { id: did, enabled, ...dir } = d;
        if (did && await this.tx.directory.findUnique({ where: { id: did } })) continue;
        const made = await this.call(`${where}.directories[${j}]`, directories.DirectoryService, "createDirectory", { organization_id: orgId, directory: dir }, { dir: did });
        if (enabled) await this.call(`${where}.directories[${j}].enabled`, directories.DirectoryService, "enableDirectory", { organization_id: orgId, id: made.directory.id });
      }
      for (const [j, c] of (cl as Json[]).entries()) {
        const { id: mid, secret, ...client } = c;
        const existing = mid ? await this.tx.apiClient.findUnique({ where: { id: mid } })
          : await this.tx.apiClient.findFirst({ where: { organizationId: orgId, name: client.name } });
        if (existing) continue;
        const made = await this.call(`${where}.clients[${j}]`, clients.ClientService, "createOrganizationClient", { organization_id: orgId, client }, { m2morg: mid });
        if (secret) {
          // the service generates secrets; a fixed one (so tests can log in with it) replaces the generated one
          const clientId = made.client.clientId;
          await this.tx.clientSecret.deleteMany({ where: { clientId } });
          await this.call(`${where}.clients[${j}].secret`, clients.ClientService, "createOrganizationClientSecret", { organization_id: orgId, client_id: clientId });
          const row = await this.tx.clientSecret.findFirstOrThrow({ where: { clientId } });
          await this.tx.clientSecret.update({ where: { id: row.id }, data: { hash: hashSecret(this.deps.hashKey, secret), secretSuffix: secretSuffix(secret) } });
        }
      }
    }
  }

  async users(list: Json[]) {
    for (const [i, u] of list.entries()) {
      const where = `users[${i}]`;
      const { id, memberships = [], ...profile } = u;
      const { email, external_id, metadata, ...rest } = profile;
      const user = id ? await this.tx.user.findUnique({ where: { id } }) : await this.tx.user.findFirst({ where: { emailKey: String(email).toLowerCase() } });
      let userId = user?.id;
      for (const [j, m] of (memberships as Json[]).entries()) {
        const membership = { roles: (m.roles ?? []).map((name: string) => ({ name })) };
        if (!userId) {
          const body = { email, ...(external_id ? { external_id } : {}), ...(metadata ? { metadata } : {}), user_profile: { ...rest, ...(profile.user_profile ?? {}) }, membership };
          delete (body.user_profile as Json).user_profile;
          const made = await this.call(`${where}.memberships[${j}]`, users.UserService, "createUserAndMembership", { organization_id: m.organization_id, user: body, send_invitation_email: false }, { usr: id });
          userId = made.user.id;
          continue;
        }
        if (await this.tx.membership.findFirst({ where: { userId, organizationId: m.organization_id } })) continue;
        await this.call(`${where}.memberships[${j}]`, users.UserService, "createMembership", { organization_id: m.organization_id, id: userId, membership, send_invitation_email: false });
      }
    }
  }

  async webhooks(list: Json[]) {
    const endpoints = new EndpointService(this.deps.db, await webhookSecretBox(this.deps.db), 0);
    for (const [i, w] of list.entries()) {
      if (await this.tx.webhookEndpoint.findFirst({ where: { url: w.url, configKey: null } })) continue;
      try {
        await withFixedIds({ whe: w.id }, () => endpoints.create({ url: w.url, secret: w.secret, description: w.description, eventTypes: w.event_types, organizationIds: w.organization_ids, enabled: w.enabled }));
      } catch (e) {
        const msg = e instanceof ConnectError ? e.rawMessage : (e as Error).message;
        throw new SeedFileError(`seed file ${path.relative(process.cwd(), this.file) || this.file}: webhooks[${i}]: ${msg}`);
      }
    }
  }
}

/** Applies a checked document inside `tx` (start-up, applySeedFile and reset share it). */
export async function applySeed(tx: Tx, deps: ServiceDeps, doc: SeedDocument, file: string): Promise<void> {
  const a = new Applier(tx, inTx(tx, deps), file);
  await a.init();
  await a.permissions(doc.permissions ?? []);
  await a.roles(doc.roles ?? []);
  await a.organizations(doc.organizations ?? []);
  await a.users(doc.users ?? []);
  await a.webhooks(doc.webhooks ?? []);
}
