// /ServiceProviderConfig, /ResourceTypes and /Schemas (RFC 7643 §5–7): what this endpoint supports, stated
// minimally but truthfully (PATCH yes, bulk/sort/etag/changePassword no, filter with eq only).
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from "./paths.js";

export const MAX_RESULTS = 200;

export function serviceProviderConfig(base: string) {
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
    documentationUri: "https://www.rfc-editor.org/rfc/rfc7644",
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [{
      type: "oauthbearertoken", name: "Bearer token", primary: true,
      description: "The directory's secret (CreateDirectorySecret / RegenerateDirectorySecret) as Authorization: Bearer <secret>",
    }],
    meta: { resourceType: "ServiceProviderConfig", location: `${base}/ServiceProviderConfig` },
  };
}

export function resourceTypes(base: string) {
  return [
    {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], id: "User", name: "User", endpoint: "/Users",
      description: "User Account", schema: USER_SCHEMA,
      schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }],
      meta: { resourceType: "ResourceType", location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], id: "Group", name: "Group", endpoint: "/Groups",
      description: "Group", schema: GROUP_SCHEMA,
      meta: { resourceType: "ResourceType", location: `${base}/ResourceTypes/Group` },
    },
  ];
}

const attr = (name: string, type = "string", extra: Record<string, unknown> = {}) => ({
  name, type, multiValued: false, required: false, caseExact: false, mutability: "readWrite", returned: "default", uniqueness: "none", ...extra,
});
const multi = (name: string, subs: ReturnType<typeof attr>[]) => attr(name, "complex", { multiValued: true, subAttributes: subs });
const valueSubs = () => [attr("value"), attr("display"), attr("type"), attr("primary", "boolean")];

export function schemas(base: string) {
  const list = [
    {
      id: USER_SCHEMA, name: "User", description: "User Account",
      attributes: [
        attr("userName", "string", { required: true, uniqueness: "server" }),
        attr("name", "complex", { subAttributes: ["formatted", "familyName", "givenName", "middleName", "honorificPrefix", "honorificSuffix"].map((n) => attr(n)) }),
        attr("displayName"), attr("nickName"), attr("profileUrl", "reference"), attr("title"), attr("userType"),
        attr("preferredLanguage"), attr("locale"), attr("timezone"), attr("active", "boolean"),
        attr("externalId", "string", { caseExact: true }),
        multi("emails", valueSubs()), multi("phoneNumbers", valueSubs()), multi("photos", valueSubs()),
        multi("addresses", ["formatted", "streetAddress", "locality", "region", "postalCode", "country", "type"].map((n) => attr(n))),
        multi("groups", valueSubs().map((a) => ({ ...a, mutability: "readOnly" }))),
      ],
    },
    {
      id: GROUP_SCHEMA, name: "Group", description: "Group",
      attributes: [attr("displayName", "string", { required: true }), attr("externalId", "string", { caseExact: true }), multi("members", [attr("value"), attr("display"), attr("type")])],
    },
    {
      id: ENTERPRISE_USER_SCHEMA, name: "EnterpriseUser", description: "Enterprise User",
      attributes: [attr("employeeNumber"), attr("costCenter"), attr("organization"), attr("division"), attr("department"),
        attr("manager", "complex", { subAttributes: [attr("value"), attr("displayName")] })],
    },
  ];
  return list.map((s) => ({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:Schema"], ...s, meta: { resourceType: "Schema", location: `${base}/Schemas/${s.id}` } }));
}
