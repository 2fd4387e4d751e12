// Schema pieces more than one hand-written route declares, so they read the same everywhere.
import { Type, type Static } from "@sinclair/typebox";

/** ?page_size=&page_token= of the local API's lists: 0 or absent means the default, larger sizes are capped. */
export const PageQuery = Type.Object({
  page_size: Type.Optional(Type.Integer({ minimum: 0, errorMessage: "must be a non-negative integer" })),
  page_token: Type.Optional(Type.String()),
});

export function paging(q: Static<typeof PageQuery>, defaultSize: number, maxSize: number): { size: number; token: string } {
  return { size: Math.min(q.page_size || defaultSize, maxSize), token: q.page_token ?? "" };
}

/** {id} in a route's path. */
export const IdParams = Type.Object({ id: Type.String() });
