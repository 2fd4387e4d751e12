// Webhook endpoints: created at run time through the local API, or declared by configuration and reconciled at
// start-up. A plain secret leaves this module only in the result of create and rotate.
import type { WebhookEndpoint } from "../generated/prisma/client.js";
import type { ConfiguredEndpoint } from "../config.js";
import type { Db } from "../db/client.js";
import { keysetPage, prismaKeyset, type Page } from "../db/keyset-page.js";
import { failedPrecondition, invalidArgument, notFound } from "../protocol/errors.js";
import { newId } from "../protocol/ids.js";
import { eventTypesProblem, organizationIdsProblem, secretProblem, urlProblem } from "./endpoint-rules.js";
import { generateWebhookSecret, secretHint } from "./signing.js";
import { SecretBox } from "../auth/secret-box.js";

export interface EndpointInput {
  url: string;
  description?: string;
  eventTypes?: string[];
  organizationIds?: string[];
  enabled?: boolean;
  /** a caller-chosen secret (e.g. one already configured in the receiver); generated when absent */
  secret?: string;
}

export type EndpointPatch = Partial<Omit<EndpointInput, "secret">>;

export interface EndpointWithSecret { endpoint: WebhookEndpoint; secret: string }

const MAX_DESCRIPTION = 500;
/** rotation grace periods beyond a month only delay the point of rotating */
export const MAX_GRACE_SECONDS = 30 * 86_400;

function check(field: string, problem: string | undefined): void {
  if (problem) throw invalidArgument(field, problem);
}

function checkPatch(p: EndpointPatch): void {
  if (p.url !== undefined) check("url", urlProblem(p.url));
  if (p.description !== undefined && p.description.length > MAX_DESCRIPTION) check("description", `must be at most ${MAX_DESCRIPTION} characters`);
  if (p.eventTypes !== undefined) check("event_types", eventTypesProblem(p.eventTypes));
  if (p.organizationIds !== undefined) check("organization_ids", organizationIdsProblem(p.organizationIds));
}

const unique = (xs: string[] | undefined) => (xs ? [...new Set(xs)] : undefined);

/** The box endpoint secrets are sealed in: its key is generated once per database. */
export const webhookSecretBox = (db: Db): Promise<SecretBox> => SecretBox.fromSetting(db, "webhook_secret_key");

export class EndpointService {
  constructor(private readonly db: Db, private readonly box: SecretBox, private readonly defaultGraceSeconds: number) {}

  async create(input: EndpointInput): Promise<EndpointWithSecret> {
    checkPatch(input);
    if (input.secret !== undefined) check("secret", secretProblem(input.secret));
    const secret = input.secret ?? generateWebhookSecret();
    const endpoint = await this.db.webhookEndpoint.create({
      data: {
        id: newId("whe"), url: input.url, description: input.description ?? "",
        eventTypes: unique(input.eventTypes) ?? [], organizationIds: unique(input.organizationIds) ?? [],
        enabled: input.enabled ?? true, secretCipher: this.box.seal(secret), secretHint: secretHint(secret),
      },
    });
    return { endpoint, secret };
  }

  list(pageSize: number, pageToken: string): Promise<Page<WebhookEndpoint>> {
    return keysetPage(prismaKeyset(this.db.webhookEndpoint), pageSize, pageToken);
  }

  async get(id: string): Promise<WebhookEndpoint> {
    const row = await this.db.webhookEndpoint.findUnique({ where: { id } });
    if (!row) throw notFound("webhook endpoint", id);
    return row;
  }

  async update(id: string, patch: EndpointPatch): Promise<WebhookEndpoint> {
    checkPatch(patch);
    const current = await this.get(id);
    const definitional = patch.url !== undefined || patch.description !== undefined || patch.eventTypes !== undefined || patch.organizationIds !== undefined;
    if (current.configKey && definitional) throw managedByConfig(current);
    const data = {
      ...(patch.url !== undefined ? { url: patch.url } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.eventTypes !== undefined ? { eventTypes: unique(patch.eventTypes) } : {}),
      ...(patch.organizationIds !== undefined ? { organizationIds: unique(patch.organizationIds) } : {}),
      // enabling again clears the server's reason for having disabled it
      ...(patch.enabled !== undefined ? { enabled: patch.enabled, disabledReason: null } : {}),
    };
    return this.db.webhookEndpoint.update({ where: { id }, data });
  }

  /**
   * A new current secret; the old one keeps signing (a second v1 signature) until the grace period ends, so
   * receivers can switch at their own pace. Rotating again within the grace period drops the oldest secret.
   */
  async rotate(id: string, opts: { graceSeconds?: number; secret?: string } = {}): Promise<EndpointWithSecret> {
    if (opts.secret !== undefined) check("secret", secretProblem(opts.secret));
    const grace = opts.graceSeconds ?? this.defaultGraceSeconds;
    if (!Number.isInteger(grace) || grace < 0 || grace > MAX_GRACE_SECONDS) check("grace_period_seconds", `must be an integer between 0 and ${MAX_GRACE_SECONDS}`);
    const current = await this.get(id);
    if (current.configKey) throw managedByConfig(current);
    const secret = opts.secret ?? generateWebhookSecret();
    const endpoint = await this.db.webhookEndpoint.update({ where: { id }, data: this.rotation(current, secret, grace) });
    return { endpoint, secret };
  }

  private rotation(current: WebhookEndpoint, secret: string, graceSeconds: number) {
    return {
      secretCipher: this.box.seal(secret), secretHint: secretHint(secret),
      previousCipher: graceSeconds > 0 ? current.secretCipher : null,
      previousExpiresAt: graceSeconds > 0 ? new Date(Date.now() + graceSeconds * 1000) : null,
    };
  }

  async remove(id: string): Promise<void> {
    const current = await this.get(id);
    if (current.configKey) throw managedByConfig(current);
    // deliveries and attempts go with it (cascade): their history only means something for a live endpoint
    await this.db.webhookEndpoint.deleteMany({ where: { id } });
  }

  /**
   * Makes the stored configured endpoints match the configuration: create new ones, apply changes (a changed
   * secret is a rotation with the default grace period), remove those no longer declared. Replicas starting
   * together converge: creation is insert-if-absent by config_key.
   */
  async reconcile(configured: ConfiguredEndpoint[]): Promise<void> {
    for (const c of configured) {
      const definition = { url: c.url, description: c.description, eventTypes: unique(c.eventTypes)!, organizationIds: unique(c.organizationIds)!, enabled: c.enabled };
      await this.db.webhookEndpoint.createMany({
        data: [{ id: newId("whe"), configKey: c.key, ...definition, secretCipher: this.box.seal(c.secret), secretHint: secretHint(c.secret) }],
        skipDuplicates: true,
      });
      const row = await this.db.webhookEndpoint.findUniqueOrThrow({ where: { configKey: c.key } });
      const secretChanged = this.box.open(row.secretCipher) !== c.secret;
      await this.db.webhookEndpoint.update({
        where: { id: row.id },
        data: { ...definition, ...(row.enabled === c.enabled ? {} : { disabledReason: null }), ...(secretChanged ? this.rotation(row, c.secret, this.defaultGraceSeconds) : {}) },
      });
    }
    await this.db.webhookEndpoint.deleteMany({ where: { configKey: { not: null, notIn: configured.map((c) => c.key) } } });
  }

  /** The plain secret, for signing only. */
  openSecret(cipher: string): string {
    return this.box.open(cipher);
  }
}

function managedByConfig(row: WebhookEndpoint) {
  const source = row.configKey === "env" ? "WEBHOOK_URL/WEBHOOK_SECRET" : "WEBHOOKS_FILE";
  return failedPrecondition(`webhook endpoint ${row.id} is declared by ${source}: change the configuration instead (only enabled can be changed here)`);
}

export function endpointJson(row: WebhookEndpoint) {
  const rotating = row.previousCipher && row.previousExpiresAt && row.previousExpiresAt > new Date();
  return {
    id: row.id, url: row.url, description: row.description, event_types: row.eventTypes, organization_ids: row.organizationIds,
    enabled: row.enabled, disabled_reason: row.disabledReason ?? "", secret_hint: row.secretHint,
    previous_secret_expire_time: rotating ? row.previousExpiresAt!.toISOString() : "",
    managed_by: row.configKey ? "config" : "api",
    create_time: row.createdAt.toISOString(), update_time: row.updatedAt.toISOString(),
  };
}
