// Transactional outbox: a state change and its webhook event are written in the same transaction, so an event
// exists exactly when its change committed. The webhook worker (worker.ts) delivers from this table.
import type { Tx } from "../db/tx.js";
import { newId } from "../protocol/ids.js";

export interface EventInput {
  type: string;
  /** the object type named in the envelope: Organization, Connection, Role, … */
  object: string;
  organizationId?: string;
  data: Record<string, unknown>;
}

export interface EventEnvelope {
  spec_version: "1";
  id: string;
  type: string;
  object: string;
  occurred_at: string;
  environment_id: string;
  organization_id?: string;
  data: Record<string, unknown>;
}

export class Outbox {
  constructor(private readonly environmentId: string) {}

  async emit(tx: Tx, e: EventInput): Promise<EventEnvelope> {
    const id = newId("evt");
    const occurredAt = new Date();
    const envelope: EventEnvelope = {
      spec_version: "1", id, type: e.type, object: e.object, occurred_at: occurredAt.toISOString(),
      environment_id: this.environmentId,
      ...(e.organizationId ? { organization_id: e.organizationId } : {}),
      data: e.data,
    };
    await tx.event.create({ data: { id, type: e.type, organizationId: e.organizationId ?? null, occurredAt, payload: envelope as any } });
    return envelope;
  }
}
