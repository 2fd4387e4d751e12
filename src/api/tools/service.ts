// ToolService: tool registration, the tool listings and ExecuteTool, implemented once for gRPC and REST.
// Requests are checked against the buf.validate rules of their descriptors first.
import { tools } from "../../protocol/descriptors.js";
import type { ServiceDeps } from "../deps.js";
import { implementChecked } from "../../protocol/descriptor-rules.js";
import { executeMethods } from "./execute.js";
import { toolMethods } from "./tools.js";
import { methodGroups } from "../../protocol/rpc.js";

export function toolService(deps: ServiceDeps) {
  return implementChecked(tools.ToolService, methodGroups(toolMethods(deps), executeMethods(deps)));
}
