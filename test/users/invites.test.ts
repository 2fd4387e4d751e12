// Invitations: the email lands in the local mailbox with its link, ResendInvite reminds while the invitation is
// valid, issues a new one once it expired, and refuses an accepted membership; the mailbox is behind bearer auth.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { sdkClient, sdk } from "../helpers/sdk.js";
import { expectErrorBody, expectResponse } from "../helpers/openapi.js";
import { eventsSince, lastEventId, organization, unique } from "../rbac/fixtures.js";

const resend = (o: string, u: string) => `/api/v1/invites/organizations/${o}/users/${u}/resend`;

describe("Invitations and the local mailbox", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(async () => { await s?.close(); });

  const mailbox = async (recipient: string) => {
    const res = await s.rest("GET", `/local/v1/mailbox?recipient=${encodeURIComponent(recipient)}`);
    expect(res.status).toBe(200);
    return res.body.messages as any[];
  };

  it("sends the invitation to the mailbox and resends it", async () => {
    const org = await organization(s, "Initech");
    const email = `${unique("inv")}@example.com`;
    const created = await s.rest("POST", `/api/v1/organizations/${org}/users`, { email, membership: { inviter_email: "lead@example.com" } });
    expect(created.status).toBe(201);
    const userId = created.body.user.id;
    const [mail] = await mailbox(email.toUpperCase());
    expect(mail).toMatchObject({ recipient: email, kind: "invitation", subject: "You have been invited to join Initech" });
    expect(mail.links).toHaveLength(1);
    expect(mail.links[0]).toMatch(/\/invite\/accept\?token=[A-Za-z0-9_-]{32}$/);
    expect(mail.body).toContain(mail.links[0]);
    expect(mail.body).toContain("lead@example.com");

    const since = await lastEventId(s);
    const first = await s.rest("PATCH", resend(org, userId), {});
    expectResponse(first, "UserService_ResendInvite", 200);
    expect(first.body.invite).toMatchObject({ organization_id: org, user_id: userId, status: "PENDING_INVITE", resent_count: 1, inviter_email: "lead@example.com" });
    expect((await eventsSince(s, since)).map((e) => e.type)).toEqual(["user.organization_invitation"]);
    const reminders = await mailbox(email);
    expect(reminders).toHaveLength(2);
    expect(reminders[1].subject).toMatch(/^Reminder/);
    expect(reminders[1].links).toEqual(mail.links); // still the same invitation

    // once expired, the membership reads INVITE_EXPIRED and a resend issues a new invitation
    await s.db.membership.update({ where: { organizationId_userId: { organizationId: org, userId } }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await s.rest("GET", `/api/v1/users/${userId}`)).body.user.memberships[0].membership_status).toBe("INVITE_EXPIRED");
    const renewed = await s.rest("PATCH", resend(org, userId), {});
    expectResponse(renewed, "UserService_ResendInvite", 200);
    expect(renewed.body.invite.resent_count).toBe(2);
    expect(Date.parse(renewed.body.invite.expires_at)).toBeGreaterThan(Date.now());
    const all = await mailbox(email);
    expect(all).toHaveLength(3);
    expect(all[2].links[0]).not.toBe(mail.links[0]);
    expect((await s.rest("GET", `/api/v1/users/${userId}`)).body.user.memberships[0].membership_status).toBe("PENDING_INVITE");
  });

  it("refuses accepted memberships and unknown ones", async () => {
    const org = await organization(s);
    const active = await s.rest("POST", `/api/v1/organizations/${org}/users?send_invitation_email=false`, { email: `${unique("act")}@example.com` });
    const refused = await s.rest("PATCH", resend(org, active.body.user.id), {});
    // as the cloud answers it (the Node SDK's tests look for "invite not found")
    expect(refused.status).toBe(404);
    expectErrorBody(refused.body, 5, "NOT_FOUND");
    expect(refused.body.message).toBe("invite not found");
    expect((await s.rest("PATCH", resend(org, "usr_000000000000000001"), {})).status).toBe(404);
    expect(await mailbox(active.body.user.email)).toEqual([]);
  });

  it("resendInvite through the SDK; the mailbox needs the bearer token", async () => {
    const org = await organization(s);
    const client = sdkClient(s);
    const { user } = await client.user.createUserAndMembership(org, { email: `${unique("sdkinv")}@example.com` });
    const res = await client.user.resendInvite(org, user!.id);
    expect(res.invite).toMatchObject({ organizationId: org, userId: user!.id, resentCount: 1, status: "PENDING_INVITE" });
    const e = await client.user.resendInvite(org, "usr_000000000000000001").then(() => undefined, (x) => x);
    expect(e).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect((await s.rest("GET", "/local/v1/mailbox", undefined, { token: "" })).status).toBe(401);
  });
});
