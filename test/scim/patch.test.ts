// The SCIM PATCH engine and filter parser on plain JSON, for the forms identity providers actually send.
import { describe, expect, it } from "vitest";
import { applyPatch } from "../../src/scim/patch.js";
import { ENTERPRISE_USER_SCHEMA as ENT, GROUP_SCHEMA, USER_SCHEMA, matches, parseFilter, parsePath, valueAt } from "../../src/scim/paths.js";
import { ScimError } from "../../src/scim/errors.js";

const op = (...Operations: unknown[]) => ({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations });
const user = () => ({
  schemas: [USER_SCHEMA], userName: "a@x.example", name: { givenName: "A", familyName: "B" }, active: true,
  emails: [{ type: "work", value: "a@x.example", primary: true }, { type: "home", value: "a@home.example" }],
});
const scimType = (f: () => unknown) => {
  try { f(); } catch (e) { return e instanceof ScimError ? `${e.status} ${e.scimType}` : String(e); }
  return "no error";
};

describe("SCIM filters and paths", () => {
  it("parses eq filters joined by and, with string, boolean, number and null literals", () => {
    expect(parseFilter('userName eq "a \\"q\\" b"')).toEqual([{ attr: "userName", value: 'a "q" b' }]);
    expect(parseFilter('type EQ "work" and primary eq true and n eq 3 and x eq null'))
      .toEqual([{ attr: "type", value: "work" }, { attr: "primary", value: true }, { attr: "n", value: 3 }, { attr: "x", value: null }]);
    for (const bad of ['userName sw "a"', 'a eq "x" or b eq "y"', "not (a eq 1)", 'userName eq', 'a eq "x" and', "(a eq 1)", 'a eq bare'])
      expect(scimType(() => parseFilter(bad)), bad).toBe("400 invalidFilter");
  });

  it("parses paths with URN prefixes, filters and sub-attributes; matches case-insensitively", () => {
    expect(parsePath(`${USER_SCHEMA}:name.givenName`, USER_SCHEMA)).toEqual({ extension: undefined, attr: "name", filter: undefined, sub: "givenName" });
    expect(parsePath(`${ENT}:manager.value`, USER_SCHEMA)).toMatchObject({ extension: ENT, attr: "manager", sub: "value" });
    expect(parsePath('emails[type eq "work"].value', USER_SCHEMA)).toMatchObject({ attr: "emails", filter: [{ attr: "type", value: "work" }], sub: "value" });
    expect(matches({ Type: "WORK" }, [{ attr: "type", value: "work" }])).toBe(true);
    expect(valueAt(user(), 'emails[type eq "home"].value', USER_SCHEMA)).toBe("a@home.example");
    expect(valueAt(user(), "emails.value", USER_SCHEMA)).toBe("a@x.example");
    expect(scimType(() => parsePath("emails[type eq].value", USER_SCHEMA))).toBe("400 invalidPath");
    expect(scimType(() => parsePath("a b", USER_SCHEMA))).toBe("400 invalidPath");
  });
});

describe("SCIM PATCH", () => {
  it("replaces, adds and removes simple, complex and sub-attributes", () => {
    const out = applyPatch(user(), op(
      { op: "replace", path: "NAME.GIVENNAME", value: "Z" },
      { op: "add", path: "name", value: { middleName: "M" } },
      { op: "add", path: "nickName", value: "zz" },
      { op: "remove", path: "name.familyName" },
    ), USER_SCHEMA);
    expect(out.name).toEqual({ givenName: "Z", middleName: "M" });
    expect(out.nickName).toBe("zz");
  });

  it("handles filtered multi-valued targets, creating the element a replace names", () => {
    let out = applyPatch(user(), op({ op: "replace", path: 'emails[type eq "home"].value', value: "new@home.example" }), USER_SCHEMA);
    expect(out.emails[1]).toEqual({ type: "home", value: "new@home.example" });
    out = applyPatch(out, op({ op: "replace", path: 'phoneNumbers[type eq "work"].value', value: "+1" }), USER_SCHEMA);
    expect(out.phoneNumbers).toEqual([{ type: "work", value: "+1" }]);
    out = applyPatch(out, op({ op: "remove", path: 'emails[type eq "home"]' }), USER_SCHEMA);
    expect(out.emails.map((e: any) => e.type)).toEqual(["work"]);
    out = applyPatch(out, op({ op: "add", path: "emails", value: [{ type: "work", value: "a@x.example" }, { type: "other", value: "o@x.example" }] }), USER_SCHEMA);
    expect(out.emails.map((e: any) => e.value)).toEqual(["a@x.example", "o@x.example"]);
  });

  it("applies path-less operations key by key, extension objects included (Azure)", () => {
    const out = applyPatch(user(), op(
      { op: "Replace", value: { active: false, "name.familyName": "Q", [ENT]: { department: "D" } } },
      { op: "Add", path: `${ENT}:employeeNumber`, value: "7" },
    ), USER_SCHEMA);
    expect(out).toMatchObject({ active: false, name: { givenName: "A", familyName: "Q" }, [ENT]: { department: "D", employeeNumber: "7" } });
  });

  it("changes group members by list, by filter and by value list", () => {
    const group = { schemas: [GROUP_SCHEMA], displayName: "G", members: [{ value: "u1" }, { value: "u2" }] };
    let out = applyPatch(group, op({ op: "add", path: "members", value: [{ value: "u2" }, { value: "u3" }] }), GROUP_SCHEMA);
    expect(out.members.map((m: any) => m.value)).toEqual(["u1", "u2", "u3"]);
    out = applyPatch(out, op({ op: "remove", path: 'members[value eq "u1"]' }), GROUP_SCHEMA);
    out = applyPatch(out, op({ op: "remove", path: "members", value: [{ value: "u3" }] }), GROUP_SCHEMA);
    expect(out.members).toEqual([{ value: "u2" }]);
    out = applyPatch(out, op({ op: "replace", path: "members", value: [{ value: "u9" }] }), GROUP_SCHEMA);
    expect(out.members).toEqual([{ value: "u9" }]);
    out = applyPatch(out, op({ op: "remove", path: "members" }), GROUP_SCHEMA);
    expect(out.members).toBeUndefined();
  });

  it("refuses malformed PatchOp bodies without changing the input", () => {
    const input = user();
    const before = JSON.stringify(input);
    expect(scimType(() => applyPatch(input, { Operations: [] }, USER_SCHEMA))).toBe("400 invalidSyntax");
    expect(scimType(() => applyPatch(input, { schemas: ["x"], Operations: [{ op: "add", path: "a", value: 1 }] }, USER_SCHEMA))).toBe("400 invalidSyntax");
    expect(scimType(() => applyPatch(input, op({ op: "add", path: "title" }), USER_SCHEMA))).toBe("400 invalidValue");
    expect(scimType(() => applyPatch(input, op({ op: "replace", value: "x" }), USER_SCHEMA))).toBe("400 invalidValue");
    expect(scimType(() => applyPatch(input, op({ op: "replace", path: "title", value: 1 }, { op: "bogus" }), USER_SCHEMA))).toBe("400 invalidSyntax");
    expect(JSON.stringify(input)).toBe(before);
  });
});
