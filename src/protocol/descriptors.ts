// The wire contract is data: the generated protobuf-es descriptors that @scalekit-sdk/node ships (pinned to an
// exact version), merged with the Python SDK's descriptor set (protocol/scalekit-sdk-python.binpb, see
// protocol/README.md). This is the only module that imports the SDK package; everything else imports from here.
//
// The merge: the Node package (2.11) is newer, so every file it has stays exactly as it ships (its generated
// schemas are the ones the services import); the Python set adds the files Node lacks — 15 services, 151 RPCs,
// each in a file of its own — built against Node's files for every dependency they share (commons, users, ...).
import fs from "node:fs";
import path from "node:path";
import { createFileRegistry, fromBinary, toBinary, create, type DescFile, type DescService } from "@bufbuild/protobuf";
import { nestedTypes } from "@bufbuild/protobuf/reflect";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import {
  FileDescriptorSetSchema, FileDescriptorProtoSchema, type FileDescriptorProto, type DescriptorProto,
  file_google_protobuf_any, file_google_protobuf_descriptor, file_google_protobuf_duration, file_google_protobuf_empty,
  file_google_protobuf_field_mask, file_google_protobuf_struct, file_google_protobuf_timestamp, file_google_protobuf_wrappers,
} from "@bufbuild/protobuf/wkt";
import * as auditlogs from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/auditlogs/auditlogs_pb.js";
import * as auth from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/auth/auth_pb.js";
import * as passwordless from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/auth/passwordless_pb.js";
import * as webauthn from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/auth/webauthn_pb.js";
import * as clients from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/clients/clients_pb.js";
import * as commons from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/commons/commons_pb.js";
import * as connectedAccounts from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/connected_accounts/connected_accounts_pb.js";
import * as connections from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/connections/connections_pb.js";
import * as directories from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/directories/directories_pb.js";
import * as domains from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/domains/domains_pb.js";
import * as errdetails from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/errdetails/errdetails_pb.js";
import * as events from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/events/events_pb.js";
import * as options from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/options/options_pb.js";
import * as organizations from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/organizations/organizations_pb.js";
import * as roles from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/roles/roles_pb.js";
import * as sessions from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/sessions/sessions_pb.js";
import * as tokens from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/tokens/tokens_pb.js";
import * as tools from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/tools/tools_pb.js";
import * as users from "@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/users/users_pb.js";

export {
  auditlogs, auth, passwordless, webauthn, clients, commons, connectedAccounts, connections, directories, domains,
  errdetails, events, options, organizations, roles, sessions, tokens, tools, users,
};

/** The Node package's services, in a stable order (17 services, 204 RPCs). */
export const nodeServices: DescService[] = [
  auditlogs.AuditLogsService, auth.AuthService, passwordless.PasswordlessService, webauthn.WebAuthnService,
  clients.ClientService, connectedAccounts.ConnectedAccountService, connections.ConnectionService,
  directories.DirectoryService, domains.DomainService, events.EventsService, organizations.OrganizationService,
  roles.RolesService, sessions.SessionService, tokens.ApiTokenService, tools.ToolService, users.UserService,
  errdetails.Dummy,
];

export const PYTHON_DESCRIPTOR_SET = path.resolve(import.meta.dirname, "../../protocol/scalekit-sdk-python.binpb");

const wellKnown = [
  file_google_protobuf_any, file_google_protobuf_descriptor, file_google_protobuf_duration, file_google_protobuf_empty,
  file_google_protobuf_field_mask, file_google_protobuf_struct, file_google_protobuf_timestamp, file_google_protobuf_wrappers,
];

/** Every file the Node package's services reach, by proto file name (scalekit/v1/users/users.proto). */
function nodeFiles(): Map<string, DescFile> {
  const files = new Map<string, DescFile>();
  const walk = (f: DescFile) => {
    if (files.has(f.proto.name)) return;
    f.dependencies.forEach(walk); // dependencies first, as a FileDescriptorSet lists them
    files.set(f.proto.name, f);
  };
  wellKnown.forEach(walk);
  nodeServices.forEach((s) => walk(s.file));
  return files;
}

/** The set's files as raw bytes by name: parsing all 600 kB costs a few hundred ms, and most of it is Node's already. */
function rawFiles(bytes: Uint8Array): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const set = new BinaryReader(bytes);
  while (set.pos < set.len) {
    const [no, wire] = set.tag();
    if (no !== 1 || wire !== WireType.LengthDelimited) { set.skip(wire, no); continue; }
    const file = set.bytes();
    const head = new BinaryReader(file);
    const [fno, fwire] = head.tag(); // protoc writes name (1) first
    if (fno !== 1 || fwire !== WireType.LengthDelimited) throw new Error(`${PYTHON_DESCRIPTOR_SET}: a file without a leading name`);
    out.set(head.string(), file);
  }
  return out;
}

/** Full names of the types a file refers to (fields, methods), with the leading dot protoc writes. */
function referencedTypes(f: FileDescriptorProto): string[] {
  const out: string[] = [];
  const walk = (m: DescriptorProto) => {
    for (const fd of m.field) if (fd.typeName) out.push(fd.typeName);
    m.nestedType.forEach(walk);
  };
  f.messageType.forEach(walk);
  for (const svc of f.service) for (const m of svc.method) out.push(m.inputType, m.outputType);
  return out;
}

/**
 * A file both SDKs have can still hold types only the Python one has (commons' EnvironmentType): those go into a
 * supplement file of the same package beside Node's, which the Python-only files then import as well.
 */
function supplement(python: FileDescriptorProto, node: DescFile): FileDescriptorProto | undefined {
  const messages = new Set(node.messages.map((m) => m.name));
  const enums = new Set(node.enums.map((e) => e.name));
  const messageType = python.messageType.filter((m) => !messages.has(m.name));
  const enumType = python.enumType.filter((e) => !enums.has(e.name));
  if (!messageType.length && !enumType.length) return undefined;
  return create(FileDescriptorProtoSchema, {
    ...python, name: python.name.replace(/\.proto$/, ".python-only.proto"),
    dependency: [python.name, ...python.dependency], publicDependency: [], weakDependency: [],
    messageType, enumType, service: [], extension: [], sourceCodeInfo: undefined,
  });
}

function mergeContract(): { files: DescFile[]; pythonOnly: DescService[] } {
  const known = nodeFiles();
  const nodeTypes = new Set<string>();
  for (const f of known.values()) for (const t of nestedTypes(f)) nodeTypes.add(`.${t.typeName}`);
  const raw = rawFiles(fs.readFileSync(PYTHON_DESCRIPTOR_SET));
  // parsed without an extension registry on purpose: custom options (google.api.http, buf.validate, auth_option)
  // stay unknown fields, exactly as in the Node package's stubbed descriptors, so one reader serves both
  const parse = (name: string) => fromBinary(FileDescriptorProtoSchema, raw.get(name)!);
  const pending = new Map<string, FileDescriptorProto>();
  for (const name of raw.keys()) if (!known.has(name)) pending.set(name, parse(name));
  // a shared file is read only when a Python-only file refers to a type Node's copy of it lacks
  const supplements = new Map<string, string>();
  for (const f of [...pending.values()]) {
    const missing = referencedTypes(f).filter((t) => !nodeTypes.has(t));
    for (const dep of f.dependency) {
      const node = known.get(dep);
      if (!node || supplements.has(dep) || !missing.some((t) => t.startsWith(`.${node.proto.package}.`))) continue;
      const extra = supplement(parse(dep), node);
      if (!extra) continue;
      pending.set(extra.name, extra);
      supplements.set(dep, extra.name);
    }
  }
  const added: DescFile[] = [];
  const resolve = (name: string): DescFile => {
    const have = known.get(name);
    if (have) return have;
    const proto = pending.get(name);
    if (!proto) throw new Error(`${PYTHON_DESCRIPTOR_SET}: ${name} is imported but not in the set`);
    proto.dependency = proto.dependency.flatMap((d) => (supplements.has(d) && supplements.get(d) !== name ? [d, supplements.get(d)!] : [d]));
    for (const dep of proto.dependency) resolve(dep);
    const file = createFileRegistry(proto, (n) => known.get(n)).getFile(name)!;
    known.set(name, file);
    added.push(file);
    return file;
  };
  for (const name of pending.keys()) resolve(name);
  return { files: [...known.values()], pythonOnly: added.flatMap((f) => f.services) };
}

const merged = mergeContract();

/** The services only the Python SDK's descriptors have (15 services, 151 RPCs: McpService, ProviderService, ...). */
export const pythonOnlyServices: DescService[] = merged.pythonOnly;

/** Every service of the merged contract: the Node package's first, then the Python-only ones (32, 355 RPCs). */
export const allServices: DescService[] = [...nodeServices, ...pythonOnlyServices];

/** A Python-only service by its full name, e.g. "scalekit.v1.mcp.McpService"; throws if the contract lacks it. */
export function contractService(typeName: string): DescService {
  const svc = allServices.find((s) => s.typeName === typeName);
  if (!svc) throw new Error(`the contract has no service ${typeName}`);
  return svc;
}

/** Every message and enum of the merged contract by full name (the Python-only services have no generated code). */
export function contractMessage(typeName: string) {
  for (const f of merged.files) {
    const m = findIn(f, typeName);
    if (m) return m;
  }
  throw new Error(`the contract has no message ${typeName}`);
}

function findIn(f: DescFile, typeName: string) {
  const walk = (ms: DescFile["messages"]): DescFile["messages"][number] | undefined => {
    for (const m of ms) {
      if (m.typeName === typeName) return m;
      const inner = walk(m.nestedMessages);
      if (inner) return inner;
    }
    return undefined;
  };
  return walk(f.messages);
}

/** The merged contract as one FileDescriptorSet (dependencies first), for clients that load descriptors (grpc-js). */
export function contractDescriptorSet(): Uint8Array {
  return toBinary(FileDescriptorSetSchema, create(FileDescriptorSetSchema, { file: merged.files.map((f) => f.proto) }));
}

/** Descriptor files, for registries that must resolve google.protobuf.Any in error details. */
export const errorInfoSchema = errdetails.ErrorInfoSchema;
