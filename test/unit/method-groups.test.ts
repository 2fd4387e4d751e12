// A service composed from method groups fails at start-up when two groups define the same method.
import { describe, expect, it } from "vitest";
import { methodGroups } from "../../src/protocol/rpc.js";

describe("methodGroups", () => {
  it("merges distinct groups", () => {
    const a = { getThing: async () => ({}) };
    const b = { listThings: async () => ({}) };
    expect(Object.keys(methodGroups(a, b)).sort()).toEqual(["getThing", "listThings"]);
  });

  it("refuses a method defined twice instead of letting the later group win", () => {
    expect(() => methodGroups({ getThing: async () => ({}) }, { getThing: async () => ({}) })).toThrow(/getThing is defined by two method groups/);
  });
});
