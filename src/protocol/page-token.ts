// Opaque page tokens for keyset pagination: base64url of {a: id} ("after") or {b: id} ("before").
// A token that does not decode is the client's mistake: INVALID_ARGUMENT naming the field.
import { invalidArgument } from "./errors.js";

export type PageCursor = { after: string } | { before: string } | undefined;

export function encodePageToken(cursor: { after: string } | { before: string }): string {
  const body = "after" in cursor ? { a: cursor.after } : { b: cursor.before };
  return Buffer.from(JSON.stringify(body)).toString("base64url");
}

export function decodePageToken(token: string | undefined, field = "page_token"): PageCursor {
  if (!token) return undefined;
  try {
    if (!/^[A-Za-z0-9_-]+={0,2}$/.test(token)) throw new Error();
    const v = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (typeof v?.a === "string" && v.a) return { after: v.a };
    if (typeof v?.b === "string" && v.b) return { before: v.b };
  } catch { /* fall through */ }
  throw invalidArgument(field, "invalid page token");
}
