// ApiTokenService through the SDK's token client (gRPC): opaque tokens returned once and stored hashed, validated
// by value or id, invalidated (idempotently), updated and listed page by page. A token that is unknown,
// invalidated or expired fails with ScalekitValidateTokenFailureException from NOT_FOUND / INVALID_ARGUMENT.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScalekitClient } from "@scalekit-sdk/node";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { hashSecret } from "../../src/auth/secrets.js";
import { secretHashKeyOf, startTestServer, type TestServer } from "../helpers/server.js";
import { sdk, sdkClient, sdkRejection } from "../helpers/sdk.js";
import { hold, organization, role, unique } from "../rbac/fixtures.js";

let s: TestServer;
let client: ScalekitClient;
beforeAll(async () => { s = await startTestServer(); client = sdkClient(s); });
afterAll(async () => { await s?.close(); });

async function validationFailure(p: Promise<unknown>): Promise<sdk.ScalekitValidateTokenFailureException> {
  const e = await p.then(() => undefined, (err) => err);
  expect(e).toBeInstanceOf(sdk.ScalekitValidateTokenFailureException);
  return e;
}

describe("API tokens through the Node SDK", () => {
  it("creates an organization token returned once and stored as a keyed hash, and validates it", async () => {
    const org = await organization(s);
    const expiry = new Date(Date.now() + 3_600_000);
    const created = await client.token.createToken(org, {
      customClaims: { env: "prod", team: "ops" }, description: "CI token", expiry: timestampFromDate(expiry),
    });
    expect(created.token).toMatch(/^skt_[A-Za-z0-9]{64}$/);
    expect(created.tokenId).toMatch(/^apit_\d{18}$/);
    expect(created.tokenInfo).toMatchObject({
      tokenId: created.tokenId, organizationId: org, customClaims: { env: "prod", team: "ops" },
      description: "CI token", tokenSuffix: created.token.slice(-4), roles: [],
    });
    expect(created.tokenInfo!.userId).toBeUndefined();
    expect(timestampDate(created.tokenInfo!.expiry!).getTime()).toBe(Math.floor(expiry.getTime()));

    const row = await s.db.apiToken.findUniqueOrThrow({ where: { id: created.tokenId } });
    expect(row.hash).toBe(hashSecret(await secretHashKeyOf(s), created.token));
    expect(JSON.stringify(row)).not.toContain(created.token);

    const byValue = await client.token.validateToken(created.token);
    expect(byValue.tokenInfo).toEqual(created.tokenInfo);
    const byId = await client.token.validateToken(created.tokenId);
    expect(byId.tokenInfo!.tokenId).toBe(created.tokenId);
  });

  it("scopes a token to a member of the organization and shows their email, external id and roles", async () => {
    const org = await organization(s);
    const r = await role(s, { name: unique("viewer") });
    const ext = unique("ext");
    const { user } = await client.user.createUserAndMembership(org, {
      email: `${ext}@example.com`, externalId: ext, sendInvitationEmail: false,
    });
    await hold(s, org, user!.id, r.id);
    const created = await client.token.createToken(org, { userId: user!.id });
    expect(created.tokenInfo).toMatchObject({ userId: user!.id, userExternalId: ext, email: `${ext}@example.com` });
    // the membership got the environment's default member role when it was created, and then the viewer role
    expect([...created.tokenInfo!.roles].sort()).toEqual(["member", r.name].sort());

    const other = await organization(s);
    const notMember = await sdkRejection(client.token.createToken(other, { userId: user!.id }));
    expect(notMember).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect(await sdkRejection(client.token.createToken(org, { userId: "usr_000000000000000001" }))).toBeInstanceOf(sdk.ScalekitNotFoundException);

    // a user's tokens go with the user
    await client.user.deleteUser(user!.id);
    await validationFailure(client.token.validateToken(created.token));
  });

  it("invalidates a token (idempotently): it no longer validates, updates or lists", async () => {
    const org = await organization(s);
    const created = await client.token.createToken(org);
    await client.token.invalidateToken(created.token);
    const row = await s.db.apiToken.findUniqueOrThrow({ where: { id: created.tokenId } });
    expect(row.invalidatedAt).toBeInstanceOf(Date);
    await client.token.invalidateToken(created.tokenId); // again, by id
    expect((await s.db.apiToken.findUniqueOrThrow({ where: { id: created.tokenId } })).invalidatedAt).toEqual(row.invalidatedAt);

    const failure = await validationFailure(client.token.validateToken(created.token));
    expect(String(failure.message)).toMatch(/not found|invalid/i);
    expect(await sdkRejection(client.token.updateToken(created.token, { description: "x" }))).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect((await client.token.listTokens(org)).tokens).toEqual([]);
    expect(await sdkRejection(client.token.invalidateToken("skt_unknown"))).toBeInstanceOf(sdk.ScalekitNotFoundException);
  });

  it("refuses unknown and expired tokens without UNAUTHENTICATED", async () => {
    const org = await organization(s);
    for (const bad of ["skt_nope", "apit_000000000000000001", "x".repeat(600)]) {
      const e = await validationFailure(client.token.validateToken(bad));
      expect(String(e.message)).not.toMatch(/unauthenticated/i);
    }
    const created = await client.token.createToken(org, { expiry: timestampFromDate(new Date(Date.now() + 60_000)) });
    await s.db.apiToken.update({ where: { id: created.tokenId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await validationFailure(client.token.validateToken(created.token));
    expect(String(expired.message)).toMatch(/expired/);
  });

  it("updates claims (replacing the map) and the description (empty clears it)", async () => {
    const org = await organization(s);
    const created = await client.token.createToken(org, { customClaims: { a: "1", b: "2" }, description: "old" });
    const u1 = await client.token.updateToken(created.tokenId, { customClaims: { c: "3" } });
    expect(u1.tokenInfo).toMatchObject({ customClaims: { c: "3" }, description: "old" });
    const u2 = await client.token.updateToken(created.token, { description: "" });
    expect(u2.tokenInfo!.customClaims).toEqual({ c: "3" });
    expect(u2.tokenInfo!.description).toBeUndefined();
    const u3 = await client.token.updateToken(created.token, { description: "new" });
    expect(u3.tokenInfo!.description).toBe("new");
    expect(await s.db.apiToken.findUniqueOrThrow({ where: { id: created.tokenId } })).toMatchObject({ customClaims: { c: "3" }, description: "new" });
  });

  it("lists active tokens of an organization (optionally of one user) page by page", async () => {
    const org = await organization(s);
    const { user } = await client.user.createUserAndMembership(org, { email: `${unique("u")}@example.com`, sendInvitationEmail: false });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await client.token.createToken(org, { description: `t${i}` })).tokenId);
    const mine = await client.token.createToken(org, { userId: user!.id });
    ids.push(mine.tokenId);
    const gone = await client.token.createToken(org);
    await client.token.invalidateToken(gone.tokenId);
    await client.token.createToken(await organization(s));

    const seen: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await client.token.listTokens(org, { pageSize: 3, pageToken });
      expect(page.totalCount).toBe(4);
      seen.push(...page.tokens.map((t) => t.tokenId));
      pageToken = page.nextPageToken || undefined;
    } while (pageToken);
    expect(seen).toEqual(ids);
    const byUser = await client.token.listTokens(org, { userId: user!.id });
    expect(byUser.tokens.map((t) => t.tokenId)).toEqual([mine.tokenId]);
    expect(byUser.totalCount).toBe(1);
  });

  it("validates input", async () => {
    const org = await organization(s);
    const before = await s.db.apiToken.count();
    const bad = [
      () => client.token.createToken("org_000000000000000001"),
      () => client.token.createToken("not-an-org"),
      () => client.token.createToken(org, { description: "d".repeat(256) }),
      () => client.token.createToken(org, { customClaims: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, "v"])) }),
      () => client.token.createToken(org, { customClaims: { ["k".repeat(31)]: "v" } }),
      () => client.token.createToken(org, { customClaims: { k: "v".repeat(257) } }),
      () => client.token.createToken(org, { expiry: timestampFromDate(new Date(Date.now() - 1000)) }),
      () => client.token.listTokens(org, { pageSize: 31 }),
      () => client.token.listTokens(org, { pageToken: "!!" }),
    ];
    const errors = [];
    for (const call of bad) errors.push(await sdkRejection(call()));
    // an organization id the server never issued is simply not found
    expect(errors[0]).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect(errors[1]).toBeInstanceOf(sdk.ScalekitNotFoundException);
    for (const e of errors.slice(2)) expect(e).toBeInstanceOf(sdk.ScalekitBadRequestException);
    expect(await s.db.apiToken.count()).toBe(before);
  });
});
