// Directories of an organization: create, read, list, update, delete, enable/disable, and the settings that
// shape what provisioning produces (attribute mappings, group→role assignments, tracked groups, context).
import { Code } from "@connectrpc/connect";
import type { Prisma } from "../../generated/prisma/client.js";
import { inTransaction, type Tx } from "../../db/tx.js";
import { apiError, failedPrecondition, invalidArgument, notFound } from "../../protocol/errors.js";
import { newId } from "../../protocol/ids.js";
import { directories } from "../../protocol/descriptors.js";
import type { ServiceImplementation } from "../../protocol/rpc.js";
import type { ServiceDeps } from "../deps.js";
import { findVisibleRole } from "../roles/store.js";
import { attributeMappingsMessage, directoryMessage, roleAssignmentsMessage, type StoredAssignment, type StoredMapping } from "./mapping.js";
import { directoryView, directoryViews, emitDirectoryEvent, findDirectory, lockDirectory } from "./store.js";

type Methods = ServiceImplementation<typeof directories.DirectoryService>["methods"];

const { DirectoryType, DirectoryProvider, DirectoryStatus } = directories;

function checkEnum(field: string, value: number, names: Record<number, string>): number {
  if (!value) throw invalidArgument(field, "is required");
  if (!(value in names)) throw invalidArgument(field, `unknown value ${value}`);
  return value;
}

export function directoryCrud({ db, outbox, config }: ServiceDeps): Methods {
  const message = (v: Awaited<ReturnType<typeof directoryView>>) => directoryMessage(v, config.environmentUrl);

  async function toggle(organizationId: string, id: string, enabled: boolean) {
    return inTransaction(db, async (tx) => {
      const row = await lockDirectory(tx, organizationId, id);
      if (row.enabled === enabled) return { enabled, errorMessage: `The directory is already ${enabled ? "enabled" : "disabled"}` };
      const updated = await tx.directory.update({
        where: { id: row.id },
        data: { enabled, updateTime: new Date(), ...(enabled && row.status === "DRAFT" ? { status: "IN_PROGRESS" } : {}) },
      });
      await emitDirectoryEvent(outbox, tx, enabled ? "organization.directory_enabled" : "organization.directory_disabled", updated);
      return { enabled };
    });
  }

  return {
    async createDirectory(req) {
      if (!req.organizationId) throw invalidArgument("organization_id", "is required");
      const d = req.directory;
      if (!d) throw invalidArgument("directory", "is required");
      const directoryType = checkEnum("directory.directory_type", d.directoryType, DirectoryType);
      const directoryProvider = checkEnum("directory.directory_provider", d.directoryProvider, DirectoryProvider);
      const row = await inTransaction(db, async (tx) => {
        if (!(await tx.organization.findUnique({ where: { id: req.organizationId }, select: { id: true } })))
          throw notFound("organization", req.organizationId);
        // the cloud answers with an enabled directory, waiting for its first sync: as if enabled right away
        const created = await tx.directory.create({
          data: {
            id: newId("dir"), organizationId: req.organizationId, directoryType, directoryProvider,
            name: `${DirectoryProvider[directoryProvider]} directory`, enabled: true, status: "IN_PROGRESS",
          },
        });
        await emitDirectoryEvent(outbox, tx, "organization.directory_enabled", created);
        return created;
      });
      return { directory: message(await directoryView(db, row)) };
    },

    async getDirectory(req) {
      return { directory: message(await directoryView(db, await findDirectory(db, req.organizationId, req.id))) };
    },

    async listDirectories(req) {
      if (!req.organizationId) throw invalidArgument("organization_id", "is required");
      const rows = await db.directory.findMany({ where: { organizationId: req.organizationId }, orderBy: { id: "asc" } });
      if (!rows.length && !(await db.organization.findUnique({ where: { id: req.organizationId }, select: { id: true } })))
        throw notFound("organization", req.organizationId);
      return { directories: (await directoryViews(db, rows)).map(message) };
    },

    /**
     * Only fields given a non-default value change (the SDK and REST send no field mask). `enabled` is not taken
     * from here: false cannot be told from "not given", so enabling and disabling go through their own RPCs.
     */
    async updateDirectory(req) {
      const d = req.directory;
      if (!d) throw invalidArgument("directory", "is required");
      const data: Prisma.DirectoryUpdateInput = {};
      if (d.name) {
        if (d.name.length > 200) throw invalidArgument("directory.name", "must be at most 200 characters");
        data.name = d.name;
      }
      if (d.directoryType) data.directoryType = checkEnum("directory.directory_type", d.directoryType, DirectoryType);
      if (d.directoryProvider) data.directoryProvider = checkEnum("directory.directory_provider", d.directoryProvider, DirectoryProvider);
      if (d.status) data.status = DirectoryStatus[checkEnum("directory.status", d.status, DirectoryStatus)];
      if (d.mappings.length) data.attributeMappings = checkMappings("directory.mappings", d.mappings) as any;
      const row = await inTransaction(db, async (tx) => {
        const current = await lockDirectory(tx, req.organizationId, req.id);
        if (d.groups.length) {
          data.trackedGroups = await resolveGroups(tx, current.id, "directory.groups", d.groups.map((g) => g.externalId));
          data.groupsTracked = "SELECTED";
        }
        if (!Object.keys(data).length) return current;
        return tx.directory.update({ where: { id: current.id }, data: { ...data, updateTime: new Date() } });
      });
      return { directory: message(await directoryView(db, row)) };
    },

    async deleteDirectory(req) {
      await inTransaction(db, async (tx) => {
        const row = await lockDirectory(tx, req.organizationId, req.id);
        await tx.directory.delete({ where: { id: row.id } });
      });
      return {};
    },

    async enableDirectory(req) {
      return toggle(req.organizationId, req.id, true);
    },

    async disableDirectory(req) {
      return toggle(req.organizationId, req.id, false);
    },

    /** Tracks only the named groups (by group id or the identity provider's external id); none tracks all. */
    async assignGroupsForDirectory(req) {
      await inTransaction(db, async (tx) => {
        const row = await lockDirectory(tx, req.organizationId, req.id);
        const tracked = await resolveGroups(tx, row.id, "external_ids", req.externalIds);
        await tx.directory.update({
          where: { id: row.id }, data: { trackedGroups: tracked, groupsTracked: tracked.length ? "SELECTED" : "ALL", updateTime: new Date() },
        });
      });
      return {};
    },

    /** Replaces the group→role assignments; each group must be one of the directory's and each role visible to the organization. */
    async assignRoles(req) {
      const list = req.roleAssignments?.assignments ?? [];
      const row = await inTransaction(db, async (tx) => {
        const dir = await lockDirectory(tx, req.organizationId, req.id);
        const stored: StoredAssignment[] = [];
        for (const [i, a] of list.entries()) {
          const field = `role_assignments.assignments[${i}]`;
          if (!a.groupId) throw invalidArgument(`${field}.group_id`, "is required");
          if (!a.roleName) throw invalidArgument(`${field}.role_name`, "is required");
          const group = await tx.directoryGroup.findUnique({ where: { id: a.groupId }, select: { directoryId: true } });
          if (!group || group.directoryId !== dir.id) throw invalidArgument(`${field}.group_id`, `${a.groupId} is not a group of directory ${dir.id}`);
          const role = await findVisibleRole(tx, dir.organizationId, a.roleName).catch(() => {
            throw invalidArgument(`${field}.role_name`, `no role named ${a.roleName}`);
          });
          if (stored.some((s) => s.group_id === a.groupId && s.role_id === role.id)) continue;
          stored.push({ group_id: a.groupId, role_name: role.name, role_id: role.id });
        }
        return tx.directory.update({ where: { id: dir.id }, data: { roleAssignments: stored as any, updateTime: new Date() } });
      });
      return { roleAssignments: roleAssignmentsMessage(row) };
    },

    async updateAttributes(req) {
      const mappings = checkMappings("attribute_mapping.attributes", req.attributeMapping?.attributes ?? []);
      const row = await inTransaction(db, async (tx) => {
        const dir = await lockDirectory(tx, req.organizationId, req.id);
        return tx.directory.update({ where: { id: dir.id }, data: { attributeMappings: mappings as any, updateTime: new Date() } });
      });
      return { attributeMappings: attributeMappingsMessage(row) };
    },

    /** SCIM directories are pushed to by the identity provider; there is nothing this server could pull. */
    async triggerDirectorySync(req) {
      const row = await findDirectory(db, req.organizationId, req.directoryId, "directory_id");
      throw failedPrecondition(`directory ${row.id} is provisioned by its identity provider through SCIM (${DirectoryProvider[row.directoryProvider]} pushes changes); there is no sync to trigger`);
    },

    async getDirectoryContext(req) {
      const row = await findDirectory(db, req.organizationId, req.directoryId, "directory_id");
      return { context: row.context as any };
    },

    async updateDirectoryContext(req) {
      const context = req.context ?? {};
      if (JSON.stringify(context).length > 65_536) throw apiError(Code.InvalidArgument, "context: must be at most 64 KiB of JSON");
      await inTransaction(db, async (tx) => {
        const row = await lockDirectory(tx, req.organizationId, req.directoryId, "directory_id");
        await tx.directory.update({ where: { id: row.id }, data: { context: context as any, updateTime: new Date() } });
      });
      return {};
    },
  };
}

function checkMappings(field: string, list: { key: string; mapTo: string; displayName?: string }[]): StoredMapping[] {
  const seen = new Set<string>();
  return list.map((m, i) => {
    if (!m.key) throw invalidArgument(`${field}[${i}].key`, "is required");
    if (!m.mapTo) throw invalidArgument(`${field}[${i}].map_to`, "is required");
    if (m.key.length > 256 || m.mapTo.length > 256) throw invalidArgument(`${field}[${i}]`, "key and map_to must be at most 256 characters");
    if (seen.has(m.mapTo)) throw invalidArgument(`${field}[${i}].map_to`, `${m.mapTo} is mapped twice`);
    seen.add(m.mapTo);
    return { key: m.key, map_to: m.mapTo, ...(m.displayName ? { display_name: m.displayName } : {}) };
  });
}

async function resolveGroups(tx: Tx, directoryId: string, field: string, refs: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const [i, ref] of refs.entries()) {
    if (!ref) throw invalidArgument(`${field}[${i}]`, "must not be empty");
    const group = await tx.directoryGroup.findFirst({ where: { directoryId, OR: [{ id: ref }, { externalId: ref }] }, select: { id: true } });
    if (!group) throw invalidArgument(`${field}[${i}]`, `${ref} is not a group of directory ${directoryId}`);
    if (!out.includes(group.id)) out.push(group.id);
  }
  return out;
}
