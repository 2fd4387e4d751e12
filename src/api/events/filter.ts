// EventFilter (what the SDK's listEventsPaginated sends) -> a query over the outbox. Filters naming things this
// server never records (auth requests, interceptors) match nothing rather than being ignored.
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Prisma } from "../../generated/prisma/client.js";
import { events } from "../../protocol/descriptors.js";
import { invalidArgument } from "../../protocol/errors.js";

const DIRECTORY_PREFIX = "organization.directory.";
const NOTHING: Prisma.EventWhereInput = { id: { in: [] } };

export function eventWhere(f: events.EventFilter | undefined): Prisma.EventWhereInput {
  if (!f) return {};
  const and: Prisma.EventWhereInput[] = [];
  if (f.eventTypes.length) and.push({ type: { in: f.eventTypes } });
  const start = f.startTime ? timestampDate(f.startTime) : undefined;
  const end = f.endTime ? timestampDate(f.endTime) : undefined;
  if (start && end && start > end) throw invalidArgument("filter.start_time", "must not be after filter.end_time");
  if (start) and.push({ occurredAt: { gte: start } });
  if (end) and.push({ occurredAt: { lte: end } });
  if (f.organizationId) and.push({ organizationId: f.organizationId });
  if (f.source === events.Source.DIR_SYNC) and.push({ type: { startsWith: DIRECTORY_PREFIX } });
  if (f.source === events.Source.SCALEKIT) and.push({ NOT: { type: { startsWith: DIRECTORY_PREFIX } } });
  if (f.connectionId) and.push({ OR: [{ payload: { path: ["data", "connection_id"], equals: f.connectionId } }, { AND: [{ payload: { path: ["object"], equals: "Connection" } }, { payload: { path: ["data", "id"], equals: f.connectionId } }] }] });
  if (f.connectedAccountId) and.push({ AND: [{ payload: { path: ["object"], equals: "ConnectedAccount" } }, { payload: { path: ["data", "id"], equals: f.connectedAccountId } }] });
  if (f.authRequestId || f.interceptorId || f.interceptorStatus || f.interceptorDecision) and.push(NOTHING);
  return and.length ? { AND: and } : {};
}
