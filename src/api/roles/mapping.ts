// Rows <-> messages for roles and permissions, and the event data (DIGEST §15: Role {id, name, display_name,
// description, extends}; Perm {id, name, description}). Event data always carries every documented key; a role
// without a base has `extends: null`, as the contract's webhook examples spell absent values.
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Permission as PermissionRow, Role as RoleRow } from "../../generated/prisma/client.js";
import { roles } from "../../protocol/descriptors.js";

/** A permission as any query returns it (a row, or an effective permission). */
export interface PermissionLike { id: string; name: string; description: string; isScalekit: boolean; createTime: Date; updateTime: Date }

/** A role with what its message shows besides its own columns, computed for the scope it is seen from. */
export interface RoleView {
  row: RoleRow;
  baseName: string | null;
  dependents: number;
  defaultCreator: boolean;
  defaultMember: boolean;
  /** only when `include` asked for them; roleName is the role that grants it directly */
  permissions?: { permission: PermissionLike; roleName: string }[];
}

export function permissionMessage(p: PermissionLike): MessageInitShape<typeof roles.PermissionSchema> {
  return {
    id: p.id, name: p.name, description: p.description, isScalekitPermission: p.isScalekit,
    createTime: timestampFromDate(p.createTime), updateTime: timestampFromDate(p.updateTime),
  };
}

export function roleMessage(v: RoleView): MessageInitShape<typeof roles.RoleSchema> {
  return {
    id: v.row.id,
    name: v.row.name,
    displayName: v.row.displayName,
    description: v.row.description,
    defaultCreator: v.defaultCreator,
    defaultMember: v.defaultMember,
    extends: v.baseName ?? undefined,
    dependentRolesCount: v.dependents,
    isOrgRole: v.row.organizationId !== null,
    permissions: (v.permissions ?? []).map(({ permission: p, roleName }) => ({
      id: p.id, name: p.name, description: p.description, roleName,
      createTime: timestampFromDate(p.createTime), updateTime: timestampFromDate(p.updateTime),
    })),
  };
}

export function roleEventData(row: RoleRow, baseName: string | null): Record<string, unknown> {
  return { id: row.id, name: row.name, display_name: row.displayName, description: row.description, extends: baseName };
}

export function permissionEventData(row: PermissionRow): Record<string, unknown> {
  return { id: row.id, name: row.name, description: row.description };
}
