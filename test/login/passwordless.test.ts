// The login page's own methods over plain HTTP: the email form, the one-time code from the local mailbox, the
// magic link, the +sktest static code, the organization picker, invitation acceptance and signup.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { sdkClient } from "../helpers/sdk.js";
import { appParams, CookieBrowser, type Hop } from "./browser.js";

const APP = "http://127.0.0.1:4999";
const REDIRECT = `${APP}/callback`;

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(async () => { await s?.close(); });

async function mail(to: string) {
  const r = await s.rest("GET", `/local/v1/mailbox?recipient=${encodeURIComponent(to)}`);
  expect(r.status).toBe(200);
  return (r.body.messages as { codes: string[]; links: string[]; kind: string }[]).filter((m) => m.kind === "passwordless");
}

async function emailStep(b: CookieBrowser, email: string, opts: Record<string, string> = {}): Promise<Hop> {
  const sdk = sdkClient(s);
  const page = await b.open(sdk.getAuthorizationUrl(REDIRECT, { state: "s1", ...opts }));
  expect(page.status).toBe(200);
  expect(page.body).toMatch(/<label for="email">Email<\/label>/);
  expect(page.body).toContain('name="email"');
  expect(page.body).toContain(">Continue</button>");
  expect(page.headers.get("content-security-policy")).toMatch(/default-src 'none'/);
  return b.submit(page, "/login/email", { email });
}

async function createOrg(name: string) {
  return (await s.rest("POST", "/api/v1/organizations", { display_name: name })).body.organization.id as string;
}

describe("passwordless login", () => {
  it("sends a 6-digit code to the mailbox; the code logs the user in, once", async () => {
    const orgId = await createOrg("Otp Org");
    const created = await s.rest("POST", `/api/v1/organizations/${orgId}/users`, { email: "otp.user@otp-org.test", send_invitation_email: false });
    expect(created.status).toBe(201);
    const b = new CookieBrowser(s.url);
    const otp = await emailStep(b, "otp.user@otp-org.test");
    expect(otp.status).toBe(200);
    expect(otp.body).toContain('name="code"');
    expect(otp.body).toContain(">Verify</button>");
    const [message] = await mail("otp.user@otp-org.test");
    expect(message.codes[0]).toMatch(/^\d{6}$/);
    expect(message.links[0]).toContain(`${s.url}/login/magic-link?link_token=`);
    // the code is stored hashed only
    expect(JSON.stringify(await s.db.passwordlessRequest.findMany())).not.toContain(message.codes[0]);

    const wrong = await b.submit(otp, "/login/otp", { code: message.codes[0] === "000000" ? "111111" : "000000" });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toContain("incorrect");
    const back = await b.submit(wrong, "/login/otp", { code: message.codes[0] });
    const params = appParams(back, APP);
    const tokens = await sdkClient(s).authenticateWithCode(params.get("code")!, REDIRECT);
    expect(tokens.user.email).toBe("otp.user@otp-org.test");
    const claims: any = await sdkClient(s).validateToken(tokens.accessToken);
    expect(claims.oid).toBe(orgId);
    expect(claims.amr).toBeUndefined();
  });

  it("the magic link in the same email works instead of the code", async () => {
    const orgId = await createOrg("Link Org");
    await s.rest("POST", `/api/v1/organizations/${orgId}/users`, { email: "link.user@link-org.test", send_invitation_email: false });
    const b = new CookieBrowser(s.url);
    await emailStep(b, "link.user@link-org.test");
    const [message] = await mail("link.user@link-org.test");
    const back = await b.open(message.links[0]);
    expect(appParams(back, APP).get("code")).toBeTruthy();
    // another browser cannot use someone's link
    const other = new CookieBrowser(s.url);
    await emailStep(other, "link.user@link-org.test");
    const second = (await mail("link.user@link-org.test"))[1];
    const stranger = await new CookieBrowser(s.url).open(second.links[0]);
    expect(stranger.status).toBe(400);
  });

  it("+sktest emails accept the static test code 424242 and get no email", async () => {
    const b = new CookieBrowser(s.url);
    const otp = await emailStep(b, "qa+sktest@newco.test");
    expect(otp.body).toContain("test user");
    expect(await mail("qa+sktest@newco.test")).toHaveLength(0);
    const wrong = await b.submit(otp, "/login/otp", { code: "123456" });
    expect(wrong.status).toBe(400);
    const back = await b.submit(wrong, "/login/otp", { code: "424242" });
    const tokens = await sdkClient(s).authenticateWithCode(appParams(back, APP).get("code")!, REDIRECT);
    expect(tokens.user.email).toBe("qa+sktest@newco.test");
    // a new user signed up: their own organization, user.signup
    const user = await s.db.user.findUniqueOrThrow({ where: { emailKey: "qa+sktest@newco.test" } });
    const memberships = await s.db.membership.findMany({ where: { userId: user.id } });
    expect(memberships).toHaveLength(1);
    expect(await s.db.event.count({ where: { type: "user.signup", organizationId: memberships[0].organizationId } })).toBe(1);
  });

  it("a user of several organizations picks one; buttons carry the display names", async () => {
    const a = await createOrg("Alpha Picker");
    const b2 = await createOrg("Beta Picker");
    await s.rest("POST", `/api/v1/organizations/${a}/users`, { email: "picker+sktest@multi.test", send_invitation_email: false });
    const user = await s.db.user.findUniqueOrThrow({ where: { emailKey: "picker+sktest@multi.test" } });
    await s.rest("POST", `/api/v1/memberships/organizations/${b2}/users/${user.id}`, { send_invitation_email: false });
    const b = new CookieBrowser(s.url);
    const otp = await emailStep(b, "picker+sktest@multi.test");
    const picker = await b.submit(otp, "/login/otp", { code: "424242" });
    expect(picker.status, picker.body.slice(picker.body.indexOf("<h1"), picker.body.indexOf("<h1") + 600)).toBe(200);
    expect(picker.body.slice(picker.body.indexOf("<h1"))).toContain("Choose an organization");
    expect(picker.body).toContain("Alpha Picker</button>");
    expect(picker.body).toContain("Beta Picker</button>");
    const back = await b.submit(picker, "/login/organization", { organization_id: b2 });
    const tokens = await sdkClient(s).authenticateWithCode(appParams(back, APP).get("code")!, REDIRECT);
    expect(((await sdkClient(s).validateToken(tokens.accessToken)) as any).oid).toBe(b2);
  });

  it("logging in accepts a pending invitation (membership ACTIVE, user.organization_membership_updated)", async () => {
    const orgId = await createOrg("Inviting Org");
    await s.rest("POST", `/api/v1/organizations/${orgId}/users`, { email: "invitee+sktest@inv.test", send_invitation_email: true });
    const user = await s.db.user.findUniqueOrThrow({ where: { emailKey: "invitee+sktest@inv.test" } });
    expect((await s.db.membership.findFirstOrThrow({ where: { userId: user.id } })).status).toBe(3);
    const b = new CookieBrowser(s.url);
    const otp = await emailStep(b, "invitee+sktest@inv.test");
    const back = await b.submit(otp, "/login/otp", { code: "424242" });
    expect(appParams(back, APP).get("code")).toBeTruthy();
    expect((await s.db.membership.findFirstOrThrow({ where: { userId: user.id } })).status).toBe(1);
    expect(await s.db.event.count({ where: { type: "user.organization_membership_updated", organizationId: orgId } })).toBe(1);
  });

  it("refuses a form without its CSRF token, changing nothing", async () => {
    const b = new CookieBrowser(s.url);
    const page = await b.open(sdkClient(s).getAuthorizationUrl(REDIRECT, { state: "x" }));
    const lr = /name="lr" value="([^"]+)"/.exec(page.body)![1];
    const r = await b.post("/login/email", { lr, email: "csrf@csrf.test" });
    expect(r.status).toBe(403);
    expect((await s.db.loginFlow.findUniqueOrThrow({ where: { id: lr } })).step).toBe("email");
    expect(await mail("csrf@csrf.test")).toHaveLength(0);
  });
});
