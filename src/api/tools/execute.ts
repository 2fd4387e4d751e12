// ExecuteTool: resolve the connected account (by id, or connector + identifier, or the identifier's only active
// account of the tool's provider), check the input against the tool's schema, then POST to the connector's tool
// executor (an HTTP service of the user's, set with PUT /local/v1/connectors/{name} {tool_executor_url}):
//   {execution_id, tool_name, tool_version, schema_version, provider, connector, connected_account_id,
//    identifier, organization_id, user_id, params, authorization_details, api_config}
// Its JSON object answer is returned as `data`. Any executor failure is an error whose ErrorInfo says
// TOOL_ERROR with tool_error_info, which the SDK raises as its Tool* exceptions and never retries.
import { Code } from "@connectrpc/connect";
import type { JsonObject } from "@bufbuild/protobuf";
import type { ConnectedAccount as AccountRow, Tool as ToolRow } from "../../generated/prisma/client.js";
import { tools } from "../../protocol/descriptors.js";
import { apiError, failedPrecondition, invalidArgument, notFound } from "../../protocol/errors.js";
import { newId } from "../../protocol/ids.js";
import type { ServiceImplementation } from "../../protocol/rpc.js";
import type { ServiceDeps } from "../deps.js";
import { findConnector } from "../connected-accounts/connectors.js";
import { cipherFor } from "../connected-accounts/crypto.js";
import { apiConfigOf, detailsToJson } from "../connected-accounts/mapping.js";
import { credentialsOf, findAccount } from "../connected-accounts/store.js";
import { withFreshToken } from "../connected-accounts/refresh.js";
import { checkParams, inputSchemaOf } from "./mapping.js";

type Methods = ServiceImplementation<typeof tools.ToolService>["methods"];

export const EXECUTOR_TIMEOUT_MS = 55_000; // under the SDK's 60 s tool deadline, so the caller hears why

/** A failure on the provider's side, in the shape the SDK turns into ScalekitTool*Exception. */
export function toolError(executionId: string, code: Code, toolErrorCode: string, message: string) {
  return apiError(code, `tool execution failed: ${message}`, {
    errorCode: "TOOL_ERROR",
    toolErrorInfo: { executionId, toolErrorCode, toolErrorMessage: message },
  });
}

const CODE_BY_STATUS: Record<number, Code> = { 401: Code.Unauthenticated, 403: Code.PermissionDenied, 429: Code.ResourceExhausted };

async function callExecutor(url: string, executionId: string, body: unknown): Promise<JsonObject> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST", body: JSON.stringify(body), redirect: "manual", signal: AbortSignal.timeout(EXECUTOR_TIMEOUT_MS),
      headers: { "content-type": "application/json", accept: "application/json", "x-scalekit-execution-id": executionId },
    });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    if (err.name === "TimeoutError") throw toolError(executionId, Code.Internal, "TIMEOUT", `the tool executor did not answer within ${EXECUTOR_TIMEOUT_MS / 1000} s`);
    throw toolError(executionId, Code.Internal, "EXECUTOR_UNREACHABLE", `the tool executor could not be reached (${err.cause?.code ?? err.message})`);
  }
  const text = await res.text();
  let parsed: unknown;
  try { parsed = text ? JSON.parse(text) : undefined; } catch { /* judged below */ }
  if (res.status < 200 || res.status > 299) {
    // an executor may explain itself as {error: {code, message}} or {code, message}
    const p = (parsed && typeof parsed === "object" ? parsed : {}) as Record<string, any>;
    const e = p.error && typeof p.error === "object" ? p.error : p;
    const code = typeof e.code === "string" && e.code ? e.code : `HTTP_${res.status}`;
    const message = typeof e.message === "string" && e.message ? e.message : typeof p.error === "string" ? p.error : `the tool executor answered HTTP ${res.status}`;
    throw toolError(executionId, CODE_BY_STATUS[res.status] ?? Code.Internal, code, message);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
    throw toolError(executionId, Code.Internal, "INVALID_RESPONSE", "the tool executor did not answer with a JSON object");
  return parsed as JsonObject;
}

export function executeMethods(deps: ServiceDeps): Methods {
  const { db } = deps;
  const cipher = cipherFor(db, deps.config.encryptionKey);

  /** The account the call names; an identifier alone picks its one active account of the tool's provider. */
  async function accountFor(req: tools.ExecuteToolRequest, tool: ToolRow): Promise<AccountRow> {
    if (req.connectedAccountId || req.connector)
      return findAccount(db, { id: req.connectedAccountId, connector: req.connector, identifier: req.identifier, organizationId: req.organizationId, userId: req.userId });
    const identifier = (req.identifier ?? "").trim();
    if (!identifier) throw invalidArgument("connected_account_id", "connected_account_id, or connector and identifier, are required");
    const matches = await db.connectedAccount.findMany({
      where: { identifier, provider: tool.provider, ...(req.organizationId ? { organizationId: req.organizationId } : {}), ...(req.userId ? { userId: req.userId } : {}) },
      orderBy: { id: "asc" }, take: 2,
    });
    if (!matches.length) throw notFound(`connected account of provider ${tool.provider} for identifier`, identifier);
    if (matches.length > 1) throw invalidArgument("connector", `identifier ${identifier} has several ${tool.provider} accounts; name the connector or connected_account_id`);
    return matches[0];
  }

  return {
    async executeTool(req) {
      const name = req.toolName.trim();
      if (!name) throw invalidArgument("tool_name", "is required");
      const tool = await db.tool.findFirst({ where: { name, isDefault: true } });
      if (!tool) throw notFound("tool", name);
      const account = await withFreshToken(deps, cipher, await accountFor(req, tool));
      if (account.provider !== tool.provider)
        throw failedPrecondition(`tool ${name} belongs to provider ${tool.provider}; connected account ${account.id} is a ${account.provider} account`);
      if (account.status !== "ACTIVE")
        throw failedPrecondition(`connected account ${account.id} is ${account.status}, not ACTIVE: authorize it first (magic link or update with credentials)`);
      const params = req.params ?? {};
      checkParams(inputSchemaOf(tool), params);
      const connector = await findConnector(db, account.connector);
      if (!connector?.toolExecutorUrl)
        throw failedPrecondition(`connector ${account.connector} has no tool executor: set one with PUT /local/v1/connectors/${encodeURIComponent(account.connector)} {"tool_executor_url": "http://…"}`);
      const details = await credentialsOf(cipher, account);
      const executionId = newId("exec");
      const data = await callExecutor(connector.toolExecutorUrl, executionId, {
        execution_id: executionId, tool_name: tool.name, schema_version: tool.schemaVersion, tool_version: tool.toolVersion,
        provider: account.provider, connector: account.connector, connected_account_id: account.id, identifier: account.identifier,
        organization_id: account.organizationId, user_id: account.userId, agent_run_id: req.agentRunId ?? "",
        params, authorization_details: details ? detailsToJson(details) : {}, api_config: apiConfigOf(account),
      }).finally(() => db.connectedAccount.update({ where: { id: account.id }, data: { lastUsedAt: new Date() } }).catch(() => {}));
      return { data, executionId };
    },
  };
}
