// EventsService: the stored outbox events, newest first, as the SDK's events client reads them. ListEvents also
// counts; ListEventsPaginated skips the count (the SDK documents it as the cheap variant).
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { JsonObject } from "@bufbuild/protobuf";
import type { Event as EventRow } from "../../generated/prisma/client.js";
import type { Db } from "../../db/client.js";
import { keysetPage, type KeysetSource } from "../../db/keyset-page.js";
import { events } from "../../protocol/descriptors.js";
import { invalidArgument } from "../../protocol/errors.js";
import { implement } from "../../protocol/rpc.js";
import type { ServiceDeps } from "../deps.js";
import { eventWhere } from "./filter.js";

const DEFAULT_PAGE_SIZE = 10;
const MAX_PAGE_SIZE = 100;

function pageSize(requested: number): number {
  if (requested < 0) throw invalidArgument("page_size", "must not be negative");
  return Math.min(requested || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
}

function eventMessage(row: EventRow): events.ScalekitEvent {
  const p = (row.payload ?? {}) as Record<string, any>;
  const object = (events.ObjectType as unknown as Record<string, number>)[String(p.object)] ?? events.ObjectType.OBJECT_TYPE_UNSPECIFIED;
  return {
    $typeName: "scalekit.v1.events.ScalekitEvent",
    specVersion: String(p.spec_version ?? "1"), id: row.id, type: row.type, occurredAt: timestampFromDate(row.occurredAt),
    environmentId: String(p.environment_id ?? ""), organizationId: row.organizationId ?? undefined, object,
    data: (p.data && typeof p.data === "object" ? p.data : {}) as JsonObject, displayName: typeof p.display_name === "string" ? p.display_name : "",
  };
}

/**
 * Newest first over ascending-id keyset paging: the source reports ids in reverse, so "after" in page order means
 * "older" and page tokens stay opaque ids like everywhere else.
 */
function newestFirst(db: Db, where: ReturnType<typeof eventWhere>, counted: boolean): KeysetSource<EventRow> {
  return {
    count: () => (counted ? db.event.count({ where }) : Promise.resolve(0)),
    rows: (range, order, take) => db.event.findMany({
      where: { AND: [where, { id: { lt: range.gt, gt: range.lt } }] },
      orderBy: { id: order === "asc" ? "desc" : "asc" }, take,
    }),
  };
}

export function eventsService({ db }: ServiceDeps) {
  return implement(events.EventsService, {
    async listEvents(req) {
      const page = await keysetPage(newestFirst(db, eventWhere(req.filter), true), pageSize(req.pageSize), req.pageToken);
      return { events: page.items.map(eventMessage), nextPageToken: page.nextPageToken, prevPageToken: page.prevPageToken, totalSize: page.totalSize };
    },
    async listEventsPaginated(req) {
      const page = await keysetPage(newestFirst(db, eventWhere(req.filter), false), pageSize(req.pageSize), req.pageToken);
      return { events: page.items.map(eventMessage), nextPageToken: page.nextPageToken, prevPageToken: page.prevPageToken };
    },
  });
}
