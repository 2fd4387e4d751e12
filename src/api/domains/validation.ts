// Domain names: host-name syntax, normalised to lower-case ASCII (IDNs to punycode), public and disposable email
// domains refused. The field named in errors is the request's own (`domain.domain`).
import { domainToASCII } from "node:url";
import { invalidArgument } from "../../protocol/errors.js";
import { clampedPageSize, type PageBounds } from "../../protocol/page-size.js";
import { domains } from "../../protocol/descriptors.js";
import { isPublicEmailDomain } from "./public-domains.js";

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/** The canonical form of a domain name, or 400 naming `field`. */
export function normaliseDomain(raw: string, field: string): string {
  const trimmed = raw.trim().replace(/\.$/, "");
  if (!trimmed) throw invalidArgument(field, "is required");
  if (/[\s/@:*?#]/.test(trimmed)) throw invalidArgument(field, `"${raw}" is not a domain name (give the bare host name, e.g. example.com)`);
  const ascii = domainToASCII(trimmed.toLowerCase());
  if (!ascii || ascii.length > 253) throw invalidArgument(field, `"${raw}" is not a valid domain name`);
  const labels = ascii.split(".");
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || !TLD.test(labels[labels.length - 1]))
    throw invalidArgument(field, `"${raw}" is not a valid domain name`);
  return ascii;
}

/** A domain an organization may claim: valid, and not a public or disposable email provider. */
export function checkClaimableDomain(raw: string, field: string): string {
  const domain = normaliseDomain(raw, field);
  if (isPublicEmailDomain(domain))
    throw invalidArgument(field, `${domain} is a public or disposable email domain and cannot be added to an organization`);
  return domain;
}

/** Unspecified means ORGANIZATION_DOMAIN, the SSO-discovery domain every Scalekit organization domain used to be. */
export function domainTypeOf(t: domains.DomainType, field: string): domains.DomainType {
  if (t === domains.DomainType.DOMAIN_TYPE_UNSPECIFIED) return domains.DomainType.ORGANIZATION_DOMAIN;
  if (t !== domains.DomainType.ALLOWED_EMAIL_DOMAIN && t !== domains.DomainType.ORGANIZATION_DOMAIN)
    throw invalidArgument(field, "must be ALLOWED_EMAIL_DOMAIN or ORGANIZATION_DOMAIN");
  return t;
}

/** "Default is 30, maximum is 100"; page numbers are 0-based. */
export const DOMAIN_PAGE: PageBounds = { min: 1, max: 100, default: 30 };

export function domainPage(pageSize: number | undefined, pageNumber: number | undefined): { size: number; number: number } {
  if ((pageNumber ?? 0) < 0) throw invalidArgument("page_number", "must be 0 or greater");
  if ((pageSize ?? 0) < 0) throw invalidArgument("page_size", "must be 0 or greater");
  return { size: clampedPageSize(pageSize ?? 0, DOMAIN_PAGE), number: pageNumber ?? 0 };
}
