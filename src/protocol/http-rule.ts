// The SDK stubs google/api/annotations.proto, but each method's options still carry google.api.http (field
// 72295728) as unknown fields. A hand-built descriptor of google/api/http.proto lets getOption() decode them.
import { create, createFileRegistry, getOption, type DescMethod, type DescService } from "@bufbuild/protobuf";
import {
  FileDescriptorProtoSchema, file_google_protobuf_descriptor,
  FieldDescriptorProto_Type as T, FieldDescriptorProto_Label as L,
} from "@bufbuild/protobuf/wkt";

const str = (name: string, number: number, oneofIndex?: number) =>
  ({ name, number, type: T.STRING, label: L.OPTIONAL, ...(oneofIndex !== undefined ? { oneofIndex } : {}) });

const httpProto = create(FileDescriptorProtoSchema, {
  name: "google/api/http.proto", package: "google.api", syntax: "proto3",
  dependency: ["google/protobuf/descriptor.proto"],
  messageType: [
    {
      name: "HttpRule",
      field: [
        str("selector", 1), str("get", 2, 0), str("put", 3, 0), str("post", 4, 0), str("delete", 5, 0),
        str("patch", 6, 0), str("body", 7),
        { name: "custom", number: 8, type: T.MESSAGE, typeName: ".google.api.CustomHttpPattern", label: L.OPTIONAL, oneofIndex: 0 },
        str("response_body", 12),
        { name: "additional_bindings", number: 11, type: T.MESSAGE, typeName: ".google.api.HttpRule", label: L.REPEATED },
      ],
      oneofDecl: [{ name: "pattern" }],
    },
    { name: "CustomHttpPattern", field: [str("kind", 1), str("path", 2)] },
  ],
  extension: [{
    name: "http", number: 72295728, type: T.MESSAGE, label: L.OPTIONAL,
    typeName: ".google.api.HttpRule", extendee: ".google.protobuf.MethodOptions",
  }],
});
const registry = createFileRegistry(httpProto, (n) => (n === "google/protobuf/descriptor.proto" ? file_google_protobuf_descriptor : undefined));
const httpExtension = registry.getExtension("google.api.http")!;

export interface HttpBinding {
  method: DescMethod;
  verb: string;
  /** path template as written in the proto, e.g. /api/v1/organizations/{id}:verb */
  path: string;
  /** "" (no body), "*" (whole request) or a field name */
  body: string;
  /** "" (whole response) or a field name */
  responseBody: string;
}

export function methodBindings(method: DescMethod): HttpBinding[] {
  const rule: any = getOption(method, httpExtension as any);
  if (!rule?.pattern?.case) return [];
  const one = (r: any): HttpBinding => ({
    method,
    verb: r.pattern.case === "custom" ? r.pattern.value.kind.toUpperCase() : r.pattern.case.toUpperCase(),
    path: r.pattern.case === "custom" ? r.pattern.value.path : r.pattern.value,
    body: r.body,
    responseBody: r.responseBody,
  });
  return [one(rule), ...rule.additionalBindings.map(one)];
}

export function serviceBindings(service: DescService): HttpBinding[] {
  return service.methods.flatMap(methodBindings);
}
