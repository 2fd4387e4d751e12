// What identity providers provisioned, as the Scalekit API shows it: directory users and groups, token-paged.
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Prisma } from "../../generated/prisma/client.js";
import { keysetPage, prismaKeyset } from "../../db/keyset-page.js";
import { invalidArgument, notFound } from "../../protocol/errors.js";
import { clampedPageSize } from "../../protocol/page-size.js";
import type { directories } from "../../protocol/descriptors.js";
import type { ServiceImplementation } from "../../protocol/rpc.js";
import type { ServiceDeps } from "../deps.js";
import { directoryGroupMessage, directoryUserMessage, scimBase } from "./mapping.js";
import { findDirectory, groupViews, userViews } from "./store.js";

type Methods = ServiceImplementation<typeof directories.DirectoryService>["methods"];

/** "max 30, default 10": the descriptor's rule refuses more than 30 (400); 0 means the default. */
const PAGE = { min: 1, max: 30, default: 10 };
const SUMMARY_LIMIT = 1000;

export function directoryMembers({ db, config }: ServiceDeps): Methods {
  return {
    async listDirectoryUsers(req) {
      const dir = await findDirectory(db, req.organizationId, req.directoryId, "directory_id");
      const where: Prisma.DirectoryUserWhereInput = { directoryId: dir.id };
      if (req.updatedAfter) where.updateTime = { gt: timestampDate(req.updatedAfter) };
      if (req.directoryGroupId) {
        const group = await db.directoryGroup.findUnique({ where: { id: req.directoryGroupId }, select: { directoryId: true } });
        if (!group || group.directoryId !== dir.id) throw notFound("directory group", req.directoryGroupId);
        where.memberOf = { some: { groupId: req.directoryGroupId } };
      }
      const page = await keysetPage(prismaKeyset(db.directoryUser, where), clampedPageSize(req.pageSize, PAGE), req.pageToken);
      const base = scimBase(config.environmentUrl, dir.id);
      return {
        users: (await userViews(db, page.items)).map((u) => directoryUserMessage(u, base, !!req.includeDetail)),
        totalSize: page.totalSize, nextPageToken: page.nextPageToken, prevPageToken: page.prevPageToken,
      };
    },

    async listDirectoryGroups(req) {
      const dir = await findDirectory(db, req.organizationId, req.directoryId, "directory_id");
      const where: Prisma.DirectoryGroupWhereInput = { directoryId: dir.id };
      if (req.updatedAfter) where.updateTime = { gt: timestampDate(req.updatedAfter) };
      const page = await keysetPage(prismaKeyset(db.directoryGroup, where), clampedPageSize(req.pageSize, PAGE), req.pageToken);
      const base = scimBase(config.environmentUrl, dir.id);
      return {
        groups: (await groupViews(db, page.items)).map((g) => directoryGroupMessage(g, base, !!req.includeDetail)),
        totalSize: page.totalSize, nextPageToken: page.nextPageToken, prevPageToken: page.prevPageToken,
      };
    },

    /** Every group with its member count, unpaged (for pickers such as group→role assignment). */
    async listDirectoryGroupsSummary(req) {
      const dir = await findDirectory(db, req.organizationId, req.directoryId, "directory_id");
      const total = await db.directoryGroup.count({ where: { directoryId: dir.id } });
      if (total > SUMMARY_LIMIT) throw invalidArgument("directory_id", `the directory has ${total} groups; list them page by page with ListDirectoryGroups`);
      const rows = await db.directoryGroup.findMany({ where: { directoryId: dir.id }, orderBy: { displayName: "asc" } });
      const base = scimBase(config.environmentUrl, dir.id);
      return { groups: (await groupViews(db, rows)).map((g) => directoryGroupMessage(g, base, false)), totalSize: total, nextPageToken: "", prevPageToken: "" };
    },
  };
}
