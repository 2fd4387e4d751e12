// Parsing XML from outside (IdP metadata, SAML responses) before node-saml sees it: size-bounded, and any
// DOCTYPE refused outright, so entities (internal "billion laughs" or external XXE) are never expanded or fetched.
import { DOMParser } from "@xmldom/xmldom";
import { SsoFailure } from "../failure.js";

export const MAX_SAML_XML_BYTES = 512 * 1024;

export function refuseDoctype(xml: string, what: string) {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new SsoFailure("invalid_saml_response", `the ${what} contains a DOCTYPE, which SAML does not allow`, `a DOCTYPE or ENTITY declaration was found in the ${what}; it is refused so no entity is ever expanded`);
}

export function parseXml(xml: string, what: string): Document {
  if (Buffer.byteLength(xml) > MAX_SAML_XML_BYTES) throw new SsoFailure("invalid_saml_response", `the ${what} is too large`, `the ${what} is larger than ${MAX_SAML_XML_BYTES} bytes`);
  refuseDoctype(xml, what);
  const errors: string[] = [];
  const collect = (msg: string) => { errors.push(msg); };
  const doc = new DOMParser({ errorHandler: { warning: () => {}, error: collect, fatalError: collect } }).parseFromString(xml, "text/xml");
  if (errors.length || !doc?.documentElement) throw new SsoFailure("invalid_saml_response", `the ${what} is not well-formed XML`, `XML parse error in the ${what}: ${errors[0] ?? "no root element"}`.slice(0, 500));
  return doc as unknown as Document;
}

export const SAML_NS = { md: "urn:oasis:names:tc:SAML:2.0:metadata", ds: "http://www.w3.org/2000/09/xmldsig#", saml: "urn:oasis:names:tc:SAML:2.0:assertion", samlp: "urn:oasis:names:tc:SAML:2.0:protocol" };

export function children(el: Element | Document, ns: string, local: string): Element[] {
  return Array.from((el as Element).getElementsByTagNameNS(ns, local) as unknown as ArrayLike<Element>);
}

/** Direct child elements only (a signature-wrapped copy deeper in the tree never counts). */
export function directChildren(el: Element, ns: string, local: string): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === local) out.push(n as Element);
  return out;
}
