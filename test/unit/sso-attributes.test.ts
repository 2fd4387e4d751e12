// Attribute mapping: explicit entries, the names common IdPs use, NameID as the email, custom attributes, bounds.
import { describe, expect, it } from "vitest";
import { mapProfile } from "../../src/sso/attributes.js";
import { isSsoFailure } from "../../src/sso/failure.js";

const MS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims";
const base = { mapping: {}, subject: "sub-1", emailVerifiedDefault: true, kind: "attribute" as const };

describe("mapProfile", () => {
  it("reads Entra ID's claim URIs without a mapping", () => {
    const p = mapProfile({ ...base, raw: { [`${MS}/emailaddress`]: "a@corp.example", [`${MS}/givenname`]: "A", [`${MS}/surname`]: "B", "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups": ["g1", "g2"] } });
    expect(p).toMatchObject({ email: "a@corp.example", givenName: "A", familyName: "B", name: "A B", groups: ["g1", "g2"], subject: "sub-1" });
  });

  it("an explicit mapping wins; other keys become custom attributes; aliases first_name/last_name", () => {
    const p = mapProfile({ ...base, mapping: { email: "mail", first_name: "fn", last_name: "ln", employee_id: "empNo" }, raw: { email: "wrong@x.example", mail: "right@x.example", fn: "F", ln: "L", empNo: "42" } });
    expect(p).toMatchObject({ email: "right@x.example", givenName: "F", familyName: "L", customAttributes: { employee_id: "42" } });
  });

  it("takes an email-format NameID as the email; refuses a profile without one, naming what arrived", () => {
    expect(mapProfile({ ...base, subject: "n@x.example", subjectIsEmail: true, raw: {} }).email).toBe("n@x.example");
    try {
      mapProfile({ ...base, raw: { uid: "u1" } });
      expect.unreachable();
    } catch (e) {
      expect(isSsoFailure(e) && e.code).toBe("mandatory_attribute_missing");
      expect((e as any).details).toContain("received: uid");
    }
  });

  it("bounds values and counts", () => {
    const p = mapProfile({ ...base, raw: { email: "a@x.example", groups: Array.from({ length: 500 }, (_, i) => `g${i}`), big: "x".repeat(5000) } });
    expect(p.groups).toHaveLength(200);
    expect((p.rawAttributes.big as string).length).toBe(1024);
  });

  it("email_verified from the IdP when it says; the default otherwise", () => {
    expect(mapProfile({ ...base, emailVerifiedDefault: false, raw: { email: "a@x.example", email_verified: true } }).emailVerified).toBe(true);
    expect(mapProfile({ ...base, emailVerifiedDefault: false, raw: { email: "a@x.example" } }).emailVerified).toBe(false);
  });
});
