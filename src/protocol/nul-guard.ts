// PostgreSQL text and jsonb cannot hold U+0000, and a NUL in an id or a filter is never meaningful, so every request
// message of every transport is checked here once, before its handler runs, instead of each query remembering to.
// (The database's own refusal, SQLSTATE 22021 / 22P05, is still mapped to INVALID_ARGUMENT for hand-written routes.)
import type { DescMessage, Message } from "@bufbuild/protobuf";
import { invalidArgument } from "./errors.js";

const NUL = "\u0000";

function check(path: string, value: unknown) {
  if (typeof value === "string" && value.includes(NUL)) throw invalidArgument(path, "must not contain NUL (\\u0000) characters");
}

export function rejectNul(schema: DescMessage, message: Message, prefix = ""): void {
  const holder = message as unknown as Record<string, any>;
  for (const field of schema.fields) {
    const value = field.oneof ? (holder[field.oneof.localName]?.case === field.localName ? holder[field.oneof.localName].value : undefined) : holder[field.localName];
    if (value === undefined || value === null) continue;
    const path = prefix + field.name;
    switch (field.fieldKind) {
      case "scalar": check(path, value); break;
      case "message": rejectNul(field.message, value as Message, `${path}.`); break;
      case "list":
        (value as unknown[]).forEach((item, i) => {
          if (field.listKind === "message") rejectNul(field.message, item as Message, `${path}[${i}].`);
          else check(`${path}[${i}]`, item);
        });
        break;
      case "map":
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
          check(`${path}[${JSON.stringify(k)}]`, k);
          if (field.mapKind === "message") rejectNul(field.message, v as Message, `${path}[${JSON.stringify(k)}].`);
          else check(`${path}[${JSON.stringify(k)}]`, v);
        }
        break;
    }
  }
}
