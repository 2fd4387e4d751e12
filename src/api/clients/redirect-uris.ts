// The rules of a client's redirect allow-lists (post_login_uris, post_logout_redirect_uris, …), as Scalekit's
// development environments apply them: http, https or a custom scheme; at most 256 characters; no query and no
// fragment; one `*` allowed in the outermost host label of an http(s) URI (`https://*.acme.com`,
// `https://auth-*.acme.com`). A redirect_uri matches a registered URI exactly (scheme, host, port, path, trailing
// slash) or, for a wildcard entry, with the `*` standing for one or more characters of a DNS label.
// Pure functions: the service turns a problem into INVALID_ARGUMENT, the configuration into a start-up error.

export const MAX_URI_CHARS = 256;
/** post_login_uris: the contract's limit */
export const MAX_POST_LOGIN_URIS = 5;
/** the other lists: the contract gives no limit; this one keeps a client row bounded */
export const MAX_REDIRECT_LIST = 20;

/** Schemes that run code or read local data in a browser: never a redirect target. */
const UNSAFE_SCHEMES = new Set(["javascript", "data", "vbscript", "file", "blob", "about", "filesystem"]);
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;
const LABEL_PART = "[A-Za-z0-9-]+";
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Why `uri` cannot be registered, or undefined when it can. */
export function redirectUriProblem(uri: string): string | undefined {
  if (!uri) return "must not be empty";
  if ([...uri].length > MAX_URI_CHARS) return `must be at most ${MAX_URI_CHARS} characters`;
  if (/[\s\u0000-\u001f\u007f]/.test(uri)) return "must not contain whitespace or control characters";
  if (uri.includes("#")) return "must not contain a fragment (#)";
  if (uri.includes("?")) return "must not contain a query (?)";
  const m = SCHEME.exec(uri);
  if (!m) return "must be an absolute URI with a scheme (https://…, http://… or a custom scheme such as myapp://…)";
  const scheme = m[1].toLowerCase();
  if (UNSAFE_SCHEMES.has(scheme)) return `must not use the ${scheme}: scheme`;
  const stars = uri.split("*").length - 1;
  if (scheme === "http" || scheme === "https") return webUriProblem(uri, stars);
  if (stars) return "may use a wildcard (*) only in the host of an http(s) URI";
  try {
    new URL(uri);
  } catch {
    return "is not a valid URI";
  }
  return undefined;
}

function webUriProblem(uri: string, stars: number): string | undefined {
  if (stars > 1) return "may contain at most one wildcard (*)";
  let url: URL;
  try {
    // the URL parser would percent-encode or reject a `*`; an ordinary letter in its place checks the rest
    url = new URL(uri.replace("*", "x"));
  } catch {
    return "is not a valid URI";
  }
  if (!/^https?:\/\/[^/]/i.test(uri)) return "must have a host (scheme://host/…)";
  if (url.username || url.password) return "must not contain user information (user@host)";
  if (stars) {
    const authority = uri.slice(uri.indexOf("//") + 2).split("/")[0];
    const host = authority.replace(/:\d*$/, "");
    const labels = host.split(".");
    if (!labels[0].includes("*")) return "may use a wildcard (*) only in the outermost label of the host (https://*.example.com)";
    if (labels.length < 3) return "may use a wildcard (*) only below a registrable domain (https://*.example.com, not https://*.com)";
    if (!new RegExp(`^[A-Za-z0-9-]*\\*[A-Za-z0-9-]*$`).test(labels[0])) return "has an invalid wildcard label";
  }
  return undefined;
}

/** Why `uri` cannot be a single target (initiate_login_uri, back-channel logout): the same rules, no wildcard. */
export function targetUriProblem(uri: string): string | undefined {
  return uri.includes("*") ? "must not contain a wildcard (*)" : redirectUriProblem(uri);
}

/** Does the requested `uri` match the registered entry? Exact, or through the entry's host wildcard. */
export function matchesRegistered(registered: string, uri: string): boolean {
  if (registered === uri) return true;
  const star = registered.indexOf("*");
  if (star < 0) return false;
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const re = new RegExp(`^${escape(registered.slice(0, star))}${LABEL_PART}${escape(registered.slice(star + 1))}$`);
  return re.test(uri);
}

/**
 * A loopback redirect (http or https to localhost, 127.0.0.1 or [::1], any port, any path), as native and local
 * development apps use (RFC 8252 §7.3). The other rules still hold: no query, no fragment, no user information.
 */
export function isLoopbackUri(uri: string): boolean {
  if (!/^https?:\/\//i.test(uri) || uri.includes("*") || redirectUriProblem(uri)) return false;
  try {
    return LOOPBACK_HOSTS.has(new URL(uri).hostname);
  } catch {
    return false;
  }
}
