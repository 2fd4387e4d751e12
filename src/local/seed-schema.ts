// The seed file's shape, checked completely before anything is applied: every problem is reported with its path
// inside the file (organizations[0].domains[1].domain). Values the services check themselves (a domain's syntax,
// an email's) are left to them: they run in the seed's transaction, and their errors carry the same path.
export interface SeedDocument {
  permissions?: { name: string; description?: string }[];
  roles?: { name: string; display_name?: string; description?: string; extends?: string; permissions?: string[] }[];
  organizations?: Record<string, any>[];
  users?: Record<string, any>[];
  webhooks?: Record<string, any>[];
}

export interface Problem { path: string; message: string }

type Check = (v: unknown, path: string, out: Problem[]) => void;

const str: Check = (v, p, out) => { if (typeof v !== "string" || !v) out.push({ path: p, message: "must be a non-empty string" }); };
const optStr: Check = (v, p, out) => { if (v !== undefined && typeof v !== "string") out.push({ path: p, message: "must be a string" }); };
const bool: Check = (v, p, out) => { if (v !== undefined && typeof v !== "boolean") out.push({ path: p, message: "must be true or false" }); };
const strings: Check = (v, p, out) => {
  if (v === undefined) return;
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) out.push({ path: p, message: "must be a list of strings" });
};
const stringMap: Check = (v, p, out) => {
  if (v === undefined) return;
  if (!v || typeof v !== "object" || Array.isArray(v) || Object.values(v).some((x) => typeof x !== "string")) out.push({ path: p, message: "must be a map of strings" });
};
const any: Check = () => {};

/** An id of this server's form: the prefix, "_", then digits. */
const id = (prefix: string): Check => (v, p, out) => {
  if (v === undefined) return;
  if (typeof v !== "string" || !new RegExp(`^${prefix}_[0-9]{1,19}$`).test(v)) out.push({ path: p, message: `must be "${prefix}_" followed by digits, e.g. ${prefix}_100000000000000001` });
};

function object(fields: Record<string, Check>, required: string[] = [], open = false): Check {
  return (v, p, out) => {
    if (!v || typeof v !== "object" || Array.isArray(v)) { out.push({ path: p, message: "must be an object" }); return; }
    const o = v as Record<string, unknown>;
    for (const r of required) if (o[r] === undefined) out.push({ path: `${p}.${r}`, message: "is required" });
    for (const [k, val] of Object.entries(o)) {
      const c = fields[k];
      if (c) c(val, `${p}.${k}`, out);
      else if (!open) out.push({ path: `${p}.${k}`, message: `is not a known field (known: ${Object.keys(fields).join(", ")})` });
    }
  };
}

const list = (item: Check): Check => (v, p, out) => {
  if (v === undefined) return;
  if (!Array.isArray(v)) { out.push({ path: p, message: "must be a list" }); return; }
  v.forEach((x, i) => item(x, `${p}[${i}]`, out));
};

const permission = object({ name: str, description: optStr }, ["name"]);
const role = object({ name: str, display_name: optStr, description: optStr, extends: optStr, permissions: strings }, ["name"]);
const domain = object({ id: id("dom"), domain: str, domain_type: optStr }, ["domain"]);
// a connection is the CreateConnection body's `connection` (provider, type, oidc_config, …) plus id and enabled
const connection = object({ id: id("conn"), enabled: bool, provider: str, type: str }, ["provider", "type"], true);
const directory = object({ id: id("dir"), enabled: bool, directory_type: str, directory_provider: str }, ["directory_type", "directory_provider"], true);
const client = object({ id: id("m2morg"), name: str, description: optStr, scopes: strings, audience: strings, custom_claims: any, expiry: any, secret: optStr }, ["name"]);
const organization = object({
  id: id("org"), display_name: str, external_id: optStr, metadata: stringMap, region_code: optStr,
  domains: list(domain), connections: list(connection), directories: list(directory), clients: list(client),
}, ["display_name"]);
const membership = object({ organization_id: str, roles: strings }, ["organization_id"]);
const user = object({
  id: id("usr"), email: str, external_id: optStr, metadata: stringMap,
  first_name: optStr, last_name: optStr, name: optStr, locale: optStr, phone_number: optStr, picture: optStr,
  given_name: optStr, family_name: optStr, user_profile: any, memberships: list(membership),
}, ["email", "memberships"]);
const webhook = object({ id: id("whe"), url: str, secret: optStr, description: optStr, event_types: strings, organization_ids: strings, enabled: bool }, ["url"]);

const document = object({
  permissions: list(permission), roles: list(role), organizations: list(organization), users: list(user), webhooks: list(webhook),
});

export function checkSeedDocument(raw: unknown): Problem[] {
  const out: Problem[] = [];
  if (raw === null || raw === undefined) return out;
  document(raw, "$", out);
  for (const p of out) p.path = p.path.replace(/^\$\.?/, "") || "(top level)";
  const doc = raw as SeedDocument;
  if (out.length) return out;
  // references inside the file
  const roleNames = new Set((doc.roles ?? []).map((r) => r.name));
  doc.roles?.forEach((r, i) => {
    if (r.extends && r.extends === r.name) out.push({ path: `roles[${i}].extends`, message: "a role cannot extend itself" });
  });
  doc.users?.forEach((u, i) => {
    if (!u.memberships?.length) out.push({ path: `users[${i}].memberships`, message: "must name at least one organization (a user exists as a member of one)" });
  });
  void roleNames;
  return out;
}
