// The test-connection flow (a connection's test_connection_uri): a test login at the IdP that signs nobody in.
// What the IdP sent (the mapped profile and raw attributes) or what went wrong (in words for the person
// configuring the IdP) is kept, shown to the browser that ran the test, and read back with GetConnectionTestResult.
import type { FastifyReply } from "fastify";
import type { Db } from "../db/client.js";
import { connections } from "../protocol/descriptors.js";
import { newId } from "../protocol/ids.js";
import { html } from "../views/html.js";
import { page, sendPage } from "../views/page.js";
import type { SsoFinishResult } from "./adapter.js";

const S = connections.TestResultStatus;
export const TEST_REQUEST_ID = /^test_\d{18}$/;

export async function openTestRequest(db: Db, connectionId: string): Promise<string> {
  const id = newId("test");
  await db.connectionTestRequest.create({ data: { id, connectionId, status: S.PENDING } });
  return id;
}

/** Keeps the outcome of a test login; a test already finished keeps its first outcome. */
export async function recordTestResult(db: Db, connectionId: string, testRequestId: string, result: SsoFinishResult | { kind: "error"; error: string; errorDescription: string; errorDetails?: string }) {
  const data = result.kind === "profile"
    ? { status: S.SUCCESS, userInfo: JSON.stringify({
        subject: result.profile.subject, email: result.profile.email, email_verified: result.profile.emailVerified, given_name: result.profile.givenName,
        family_name: result.profile.familyName, name: result.profile.name, groups: result.profile.groups, custom_attributes: result.profile.customAttributes,
        raw_attributes: result.profile.rawAttributes,
      }) }
    : { status: S.FAILURE, error: result.error, errorDescription: result.errorDescription, errorDetails: result.errorDetails ?? null };
  await db.connectionTestRequest.updateMany({ where: { id: testRequestId, connectionId, status: S.PENDING }, data: { ...data, completedAt: new Date() } });
}

export async function testResult(db: Db, connectionId: string, testRequestId: string) {
  if (!TEST_REQUEST_ID.test(testRequestId)) return undefined;
  const row = await db.connectionTestRequest.findUnique({ where: { id: testRequestId } });
  return row && row.connectionId === connectionId ? row : undefined;
}

/** The page the tester's browser lands on after the IdP. */
export async function sendTestResultPage(db: Db, reply: FastifyReply, connectionId: string, testRequestId: string) {
  const row = await testResult(db, connectionId, testRequestId);
  if (!row) return sendPage(reply, page({ title: "Test not found", subtitle: "Connection test", body: html`<p>There is no test ${testRequestId} of connection ${connectionId}.</p>` }), { status: 404 });
  const info = row.userInfo ? JSON.stringify(JSON.parse(row.userInfo), null, 2) : "";
  const body = row.status === S.SUCCESS
    ? html`<div class="alert info"><span class="badge ok">Success</span> The identity provider signed a user in. This was a test: nobody was signed in to an application.</div>
<h2>What the identity provider sent</h2><pre>${info}</pre>`
    : html`<div class="alert error"><span class="badge error">Failed</span> ${row.error ?? "unknown"}: ${row.errorDescription ?? ""}</div>
${row.errorDetails ? html`<h2>What went wrong</h2><p>${row.errorDetails}</p>` : ""}`;
  return sendPage(reply, page({
    title: "Connection test", subtitle: connectionId,
    body: html`${body}<p class="muted">Test request <code>${row.id}</code>: read it with GetConnectionTestResult (connection ${connectionId}).</p>`,
  }));
}

/** The shared callback's branch for a test login: keep the outcome and show it. */
export async function finishConnectionTest(db: Db, reply: FastifyReply, connectionId: string, result: SsoFinishResult & { testRequestId: string }) {
  await recordTestResult(db, connectionId, result.testRequestId, result);
  return sendTestResultPage(db, reply, connectionId, result.testRequestId);
}
