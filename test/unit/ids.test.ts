import { describe, expect, it } from "vitest";
import { looksLikeId, newId, newIdNumber } from "../../src/protocol/ids.js";
import { decodePageToken, encodePageToken } from "../../src/protocol/page-token.js";
import { Code, ConnectError } from "@connectrpc/connect";

describe("ids", () => {
  it("are prefix + 18 digits and sort by creation", () => {
    const ids = Array.from({ length: 5000 }, () => newId("org"));
    for (const id of ids) expect(id).toMatch(/^org_\d{18}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("order by time even across processes (later millisecond, larger id)", () => {
    const a = newIdNumber(Date.UTC(2026, 0, 1));
    const b = newIdNumber(Date.UTC(2026, 0, 1) + 1);
    expect(b > a).toBe(true);
    expect(newIdNumber(Date.UTC(2049, 11, 31)).toString()).toHaveLength(18);
  });

  it("recognises its own shape", () => {
    expect(looksLikeId("org", newId("org"))).toBe(true);
    expect(looksLikeId("org", "org_123")).toBe(false);
    expect(looksLikeId("org", newId("usr"))).toBe(false);
  });
});

describe("page tokens", () => {
  it("round-trip keyset cursors", () => {
    expect(decodePageToken(encodePageToken({ after: "org_1" }))).toEqual({ after: "org_1" });
    expect(decodePageToken(encodePageToken({ before: "org_2" }))).toEqual({ before: "org_2" });
    expect(decodePageToken("")).toBeUndefined();
    expect(decodePageToken(undefined)).toBeUndefined();
  });

  it.each(["not-base64!", "e30", Buffer.from("[1]").toString("base64url"), Buffer.from('{"a":5}').toString("base64url"), "%%%"])(
    "rejects %s with INVALID_ARGUMENT naming the field", (t) => {
      let err: unknown;
      try { decodePageToken(t); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(ConnectError);
      expect((err as ConnectError).code).toBe(Code.InvalidArgument);
      expect((err as ConnectError).rawMessage).toContain("page_token");
    });
});
