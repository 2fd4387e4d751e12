// Fetching from an identity provider (SAML metadata, OIDC discovery, JWKS, tokens): bounded in time and in size,
// so a slow or hostile endpoint cannot hold a login or fill memory. Used as openid-client's customFetch too.
import { SsoFailure } from "./failure.js";

export const IDP_FETCH_TIMEOUT_MS = 10_000;
export const IDP_MAX_BODY_BYTES = 1_000_000;

/** fetch() with a timeout and a body size cap; the answer is a Response whose body has been read into memory. */
export async function boundedFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const signal = AbortSignal.timeout(IDP_FETCH_TIMEOUT_MS);
  const res = await fetch(input, { ...init, signal: init.signal ? AbortSignal.any([init.signal, signal]) : signal, redirect: init.redirect ?? "follow" });
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > IDP_MAX_BODY_BYTES) throw new Error(`the answer is larger than ${IDP_MAX_BODY_BYTES} bytes`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (res.body) {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > IDP_MAX_BODY_BYTES) throw new Error(`the answer is larger than ${IDP_MAX_BODY_BYTES} bytes`);
      chunks.push(chunk);
    }
  }
  const body = Buffer.concat(chunks);
  return new Response(res.status === 204 || res.status === 304 ? null : body, { status: res.status, statusText: res.statusText, headers: res.headers });
}

/** A text document from the IdP (metadata): a clear SsoFailure when it cannot be had. */
export async function fetchIdpText(url: string, what: string): Promise<string> {
  let res: Response;
  try {
    res = await boundedFetch(url, { headers: { accept: "application/samlmetadata+xml, application/xml, text/xml, */*" } });
  } catch (e) {
    const reason = (e as Error).name === "TimeoutError" ? `no answer within ${IDP_FETCH_TIMEOUT_MS / 1000} s` : (e as Error).message;
    throw new SsoFailure("server_error", `the identity provider's ${what} could not be fetched`, `GET ${url} failed: ${reason}`);
  }
  if (!res.ok) throw new SsoFailure("server_error", `the identity provider's ${what} could not be fetched`, `GET ${url} answered HTTP ${res.status}`);
  return res.text();
}
