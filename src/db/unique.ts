// Uniqueness is the database's verdict (it holds under concurrent writers), reported by Prisma as P2002. The
// adapters name the violated columns (PGlite) or only the index (pg), so callers ask by column and index name.
export interface UniqueViolation {
  /** columns the adapter named, when it named them */
  fields: string[];
  /** the violated index, when the adapter named it */
  index: string | undefined;
  /** whether the violation is on `column` (or on the index named `index`) */
  on(column: string, index?: string): boolean;
}

/** The unique-index violation `e` reports, or undefined for any other error. */
export function uniqueViolation(e: unknown): UniqueViolation | undefined {
  const err = e as { code?: unknown; meta?: any } | null | undefined;
  if (err?.code !== "P2002") return undefined;
  const cause = err.meta?.driverAdapterError?.cause;
  const named: unknown = err.meta?.target ?? cause?.constraint?.fields;
  const fields = Array.isArray(named) ? named.filter((f): f is string => typeof f === "string") : [];
  const index: string | undefined = typeof cause?.constraint?.index === "string" ? cause.constraint.index : undefined;
  return { fields, index, on: (column, idx) => fields.includes(column) || (idx !== undefined && index === idx) };
}
