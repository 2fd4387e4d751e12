// DirectoryService: all 18 RPCs, implemented once for gRPC and REST. Each request is checked against the
// buf.validate rules of its descriptor before the method runs. The SCIM endpoint the directories expose is
// in src/scim.
import { directories } from "../../protocol/descriptors.js";
import type { ServiceDeps } from "../deps.js";
import { implementChecked } from "../../protocol/descriptor-rules.js";
import { directoryCrud } from "./directories.js";
import { directoryMembers } from "./members.js";
import { directorySecrets } from "./secrets.js";
import { methodGroups } from "../../protocol/rpc.js";

export function directoryService(deps: ServiceDeps) {
  return implementChecked(directories.DirectoryService, methodGroups(directoryCrud(deps), directoryMembers(deps), directorySecrets(deps)));
}
