// Tool rows <-> messages, and reading a tool definition: definition.name is the tool's name, definition.description
// and definition.input_schema (a JSON Schema object) describe it; metadata.schema_version and metadata.tool_version
// tell versions of one name apart (both "1" when absent).
import { create, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Tool as ToolRow } from "../../generated/prisma/client.js";
import { tools } from "../../protocol/descriptors.js";
import { invalidArgument } from "../../protocol/errors.js";

const obj = (v: unknown): JsonObject => (v && typeof v === "object" && !Array.isArray(v) ? (v as JsonObject) : {});

export function toolMessage(row: ToolRow, summary = false): tools.Tool {
  const definition = obj(row.definition);
  return create(tools.ToolSchema, {
    id: row.id, provider: row.provider, tags: row.tags, isDefault: row.isDefault, updatedAt: timestampFromDate(row.updatedAt),
    definition: summary ? { name: row.name, ...(definition.description !== undefined ? { description: definition.description } : {}) } : definition,
    metadata: obj(row.metadata),
  });
}

export const inputSchemaOf = (row: ToolRow): JsonObject | undefined => {
  const d = obj(row.definition);
  const s = d.input_schema ?? d.inputSchema;
  return s && typeof s === "object" && !Array.isArray(s) ? (s as JsonObject) : undefined;
};

const NAME = /^[a-z0-9_][a-z0-9_.-]{0,127}$/;
const VERSION = /^[A-Za-z0-9._-]{1,32}$/;

export function checkToolName(field: string, v: unknown): string {
  if (typeof v !== "string" || !v.trim()) throw invalidArgument(field, "is required");
  if (!NAME.test(v)) throw invalidArgument(field, "must be 1-128 of a-z, 0-9, '_', '.' or '-', starting with a letter, digit or '_'");
  return v;
}

export function checkVersion(field: string, v: JsonValue | undefined): string {
  if (v === undefined || v === null || v === "") return "1";
  const s = typeof v === "number" ? String(v) : v;
  if (typeof s !== "string" || !VERSION.test(s)) throw invalidArgument(field, "must be 1-32 of A-Z, a-z, 0-9, '.', '_' or '-'");
  return s;
}

export function checkProvider(v: string | undefined): string {
  const p = (v ?? "").trim();
  if (!p) throw invalidArgument("tool.provider", "is required");
  if (!/^[A-Za-z0-9_]{1,64}$/.test(p)) throw invalidArgument("tool.provider", "must be 1-64 of letters, digits and _");
  return p.toUpperCase();
}

/** The columns a tool message sets: name and versions come out of the definition and metadata. */
export function toolColumns(tool: tools.Tool) {
  const definition = tool.definition;
  if (!definition || !Object.keys(definition).length) throw invalidArgument("tool.definition", "is required");
  const name = checkToolName("tool.definition.name", definition.name);
  if (definition.description !== undefined && typeof definition.description !== "string") throw invalidArgument("tool.definition.description", "must be a string");
  const schema = definition.input_schema ?? definition.inputSchema;
  if (schema !== undefined && (typeof schema !== "object" || schema === null || Array.isArray(schema)))
    throw invalidArgument("tool.definition.input_schema", "must be a JSON Schema object");
  const metadata = tool.metadata ?? {};
  if (tool.tags.length > 50) throw invalidArgument("tool.tags", "must have at most 50 items");
  if (Buffer.byteLength(JSON.stringify(definition)) > 256 * 1024) throw invalidArgument("tool.definition", "must be at most 256 KiB");
  return {
    name, provider: checkProvider(tool.provider), definition, metadata, tags: tool.tags,
    schemaVersion: checkVersion("tool.metadata.schema_version", metadata.schema_version),
    toolVersion: checkVersion("tool.metadata.tool_version", metadata.tool_version),
  };
}

/** The small part of JSON Schema a tool's input is checked against before it runs: the top level must be an
 *  object, `required` properties present, and declared property types respected. */
export function checkParams(schema: JsonObject | undefined, params: JsonObject): void {
  if (!schema) return;
  const required = Array.isArray(schema.required) ? schema.required : [];
  for (const r of required) if (typeof r === "string" && !(r in params)) throw invalidArgument(`params.${r}`, "is required by the tool's input schema");
  const props = obj(schema.properties);
  for (const [k, v] of Object.entries(params)) {
    const type = obj(props[k]).type;
    if (typeof type !== "string" || v === null) continue;
    const ok = type === "integer" ? Number.isInteger(v) : type === "array" ? Array.isArray(v)
      : type === "object" ? typeof v === "object" && !Array.isArray(v) : typeof v === type;
    if (!ok) throw invalidArgument(`params.${k}`, `must be of type ${type}`);
  }
  if (schema.additionalProperties === false)
    for (const k of Object.keys(params)) if (!(k in props)) throw invalidArgument(`params.${k}`, "is not a parameter of this tool");
}
