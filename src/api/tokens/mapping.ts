// Rows -> Token messages. The organization's and user's external ids, the user's email and the role names the
// user holds in the organization are read when the token is shown, so they follow later changes.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ApiToken } from "../../generated/prisma/client.js";
import type { Db } from "../../db/client.js";
import type { Tx } from "../../db/tx.js";
import { tokens } from "../../protocol/descriptors.js";

export interface TokenView {
  row: ApiToken;
  organizationExternalId: string | null;
  user?: { externalId: string | null; email: string; roles: string[] };
}

function claims(v: unknown): Record<string, string> {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, string>) : {};
}

/** Views of many tokens with three queries, whatever their number. */
export async function tokenViews(db: Db | Tx, rows: ApiToken[]): Promise<TokenView[]> {
  if (!rows.length) return [];
  const orgIds = [...new Set(rows.map((r) => r.organizationId))];
  const userIds = [...new Set(rows.flatMap((r) => (r.userId ? [r.userId] : [])))];
  const [orgs, users, assignments] = await Promise.all([
    db.organization.findMany({ where: { id: { in: orgIds } }, select: { id: true, externalId: true } }),
    userIds.length ? db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, externalId: true, email: true } }) : [],
    userIds.length
      ? db.roleAssignment.findMany({ where: { organizationId: { in: orgIds }, userId: { in: userIds } }, select: { organizationId: true, userId: true, role: { select: { name: true } } } })
      : [],
  ]);
  const orgById = new Map(orgs.map((o) => [o.id, o]));
  const userById = new Map(users.map((u) => [u.id, u]));
  return rows.map((row) => {
    const u = row.userId ? userById.get(row.userId) : undefined;
    const roles = assignments.filter((a) => a.organizationId === row.organizationId && a.userId === row.userId).map((a) => a.role.name).sort();
    return {
      row,
      organizationExternalId: orgById.get(row.organizationId)?.externalId ?? null,
      ...(u ? { user: { externalId: u.externalId, email: u.email, roles } } : {}),
    };
  });
}

export function tokenMessage(v: TokenView): tokens.Token {
  const { row } = v;
  return create(tokens.TokenSchema, {
    tokenId: row.id,
    organizationId: row.organizationId,
    organizationExternalId: v.organizationExternalId ?? "",
    userId: row.userId ?? undefined,
    userExternalId: v.user?.externalId ?? undefined,
    customClaims: claims(row.customClaims),
    expiry: row.expiresAt ? timestampFromDate(row.expiresAt) : undefined,
    createdAt: timestampFromDate(row.createdAt),
    description: row.description ?? undefined,
    tokenSuffix: row.tokenSuffix,
    email: v.user?.email,
    roles: v.user?.roles ?? [],
  });
}
