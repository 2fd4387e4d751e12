// One way to write SQL by hand: Prisma's tagged template. Values become bind parameters ($1, $2, ...), so a
// value can never change the statement; `raw` splices trusted text (a column list kept in code), `join` and
// `empty` compose fragments. The same object runs through Prisma (`tx.$queryRaw(q)`) or straight through the
// driver (`Database.sql(q)`, the hot reads), which takes its `.text` and `.values`.
import { Prisma } from "../generated/prisma/client.js";

export type Sql = Prisma.Sql;
export const sql = Prisma.sql;
export const raw = Prisma.raw;
export const join = Prisma.join;
export const empty = Prisma.empty;
