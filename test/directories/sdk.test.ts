// Every directory method of the real @scalekit-sdk/node client against the server (gRPC over HTTP/2), including
// createDirectory and deleteDirectory, which have no REST operation in the spec, with users and groups
// provisioned through the directory's SCIM endpoint.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import type { ScalekitClient } from "@scalekit-sdk/node";
import { directories } from "../../src/protocol/descriptors.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { sdk, sdkClient, sdkRejection } from "../helpers/sdk.js";
import { organization } from "../rbac/fixtures.js";
import { GROUP_SCHEMA, PATCH_OP, dirs, oktaUser, scim } from "./fixtures.js";

/** The CreateDirectory message the SDK's createDirectory takes. */
const spec = (provider: keyof typeof directories.DirectoryProvider) =>
  create(directories.CreateDirectorySchema, { directoryType: directories.DirectoryType.SCIM, directoryProvider: directories.DirectoryProvider[provider] });

describe("Directories through the Node SDK", () => {
  let s: TestServer;
  let client: ScalekitClient;
  beforeAll(async () => { s = await startTestServer(); client = sdkClient(s); });
  afterAll(async () => { await s?.close(); });

  it("creates, lists, gets, enables, disables and deletes directories", async () => {
    const org = await organization(s);
    await expect(client.directory.getPrimaryDirectoryByOrganizationId(org)).rejects.toBe("directory does not exist for organization");
    const { directory } = await client.directory.createDirectory(org, spec("OKTA"));
    expect(directory!.id).toMatch(/^dir_\d{18}$/);
    expect(directory).toMatchObject({
      organizationId: org, directoryType: directories.DirectoryType.SCIM, directoryProvider: directories.DirectoryProvider.OKTA,
      enabled: true, totalUsers: 0, totalGroups: 0, directoryEndpoint: `${s.url}/api/v1/directories/${directory!.id}/scim/v2`,
    });
    const second = (await client.directory.createDirectory(org, spec("GOOGLE"))).directory!;

    const list = await client.directory.listDirectories(org);
    expect(list.directories.map((d) => d.id)).toEqual([directory!.id, second.id]);
    expect((await client.directory.getPrimaryDirectoryByOrganizationId(org)).id).toBe(directory!.id);
    expect((await client.directory.getDirectory(org, directory!.id)).directory).toEqual(directory);

    expect(await client.directory.enableDirectory(org, directory!.id)).toMatchObject({ enabled: true, errorMessage: "The directory is already enabled" });
    expect(await client.directory.disableDirectory(org, directory!.id)).toMatchObject({ enabled: false });
    expect((await client.directory.getDirectory(org, directory!.id)).directory!.enabled).toBe(false);
    expect(await client.directory.enableDirectory(org, directory!.id)).toMatchObject({ enabled: true });
    expect((await client.directory.getDirectory(org, directory!.id)).directory!.enabled).toBe(true);

    await client.directory.deleteDirectory(org, second.id);
    expect(await sdkRejection(client.directory.getDirectory(org, second.id))).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect(await sdkRejection(client.directory.deleteDirectory(org, second.id))).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect(await sdkRejection(client.directory.listDirectories("org_000000000000000001"))).toBeInstanceOf(sdk.ScalekitNotFoundException);
    expect(await sdkRejection(client.directory.createDirectory(org, create(directories.CreateDirectorySchema, { directoryType: directories.DirectoryType.SCIM })))).toBeInstanceOf(sdk.ScalekitBadRequestException);
  });

  it("lists provisioned users (includeDetail, updatedAfter, directoryGroupId, paging) and groups", async () => {
    const org = await organization(s);
    const { directory } = await client.directory.createDirectory(org, spec("ONELOGIN"));
    await client.directory.enableDirectory(org, directory!.id);
    const secret = await s.rest("POST", `${dirs(org)}/${directory!.id}/secrets`, {});
    const d = { endpoint: directory!.directoryEndpoint, secret: secret.body.plain_secret };

    const ada = (await scim(d, "POST", "/Users", oktaUser("ada@sdk.example"))).body;
    const bob = (await scim(d, "POST", "/Users", oktaUser("bob@sdk.example", { name: { givenName: "Bob", familyName: "Builder" } }))).body;
    const eng = (await scim(d, "POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: "Engineering", members: [{ value: bob.id }] })).body;
    await scim(d, "POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: "Sales" });

    const all = await client.directory.listDirectoryUsers(org, directory!.id);
    expect(all.totalSize).toBe(2);
    expect(all.users.map((u) => u.id)).toEqual([ada.id, bob.id]);
    expect(all.users[1]).toMatchObject({ email: "bob@sdk.example", preferredUsername: "bob@sdk.example", givenName: "Bob", familyName: "Builder", emails: ["bob@sdk.example"] });
    expect(all.users[1].groups.map((g) => g.displayName)).toEqual(["Engineering"]);
    expect(all.users[0].userDetail).toBeUndefined();

    const detailed = await client.directory.listDirectoryUsers(org, directory!.id, { includeDetail: true, pageSize: 1 });
    expect(detailed.users).toHaveLength(1);
    expect(detailed.users[0].userDetail).toMatchObject({ id: ada.id, userName: "ada@sdk.example", schemas: ada.schemas });
    const next = await client.directory.listDirectoryUsers(org, directory!.id, { pageSize: 1, pageToken: detailed.nextPageToken });
    expect(next.users.map((u) => u.id)).toEqual([bob.id]);
    expect(next.nextPageToken).toBe("");

    const inEng = await client.directory.listDirectoryUsers(org, directory!.id, { directoryGroupId: eng.id });
    expect(inEng.users.map((u) => u.id)).toEqual([bob.id]);

    const cut = new Date(Date.now() + 1).toISOString();
    await new Promise((r) => setTimeout(r, 5));
    await scim(d, "PATCH", `/Users/${ada.id}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "title", value: "CTO" }] });
    const changed = await client.directory.listDirectoryUsers(org, directory!.id, { updatedAfter: cut });
    expect(changed.users.map((u) => u.id)).toEqual([ada.id]);

    const groups = await client.directory.listDirectoryGroups(org, directory!.id);
    expect(groups.totalSize).toBe(2);
    expect(groups.groups.map((g) => [g.displayName, g.totalUsers])).toEqual([["Engineering", 1], ["Sales", 0]]);
    const gd = await client.directory.listDirectoryGroups(org, directory!.id, { includeDetail: true, pageSize: 1 });
    expect(gd.groups[0].groupDetail).toMatchObject({ id: eng.id, displayName: "Engineering", members: [{ value: bob.id }] });
    expect(gd.nextPageToken).not.toBe("");
    expect((await client.directory.listDirectoryGroups(org, directory!.id, { updatedAfter: new Date(Date.now() + 60_000).toISOString() })).groups).toEqual([]);

    const got = (await client.directory.getDirectory(org, directory!.id)).directory!;
    expect(got).toMatchObject({ totalUsers: 2, totalGroups: 2, status: "COMPLETED", stats: { totalUsers: 2, totalGroups: 2 } });
    expect(got.secrets).toHaveLength(1);
    expect(got.lastSyncedAt).toBeDefined();
  });
});
