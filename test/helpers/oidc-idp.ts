// A real OpenID Connect provider for tests (node-oidc-provider, certified), in process on a loopback port: one
// confidential client, accounts whose claims a test sets, PKCE required, and its development login + consent
// pages. login() walks those pages over HTTP (cookies kept) and returns where the IdP sends the browser back.
import http from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

export interface OidcClientOptions { clientId: string; clientSecret: string; redirectUris: string[]; authMethod?: "client_secret_post" | "client_secret_basic" }

export class TestOidcIdp {
  server!: http.Server;
  issuer = "";
  provider!: Provider;
  accounts = new Map<string, Record<string, unknown>>();

  /** `port`: a port chosen beforehand, so a connection can name the issuer before the IdP knows its clients */
  static async start(client: OidcClientOptions, o: { idTokenTtl?: number; port?: number } = {}): Promise<TestOidcIdp> {
    const idp = new TestOidcIdp();
    idp.server = http.createServer();
    await new Promise<void>((r) => idp.server.listen(o.port ?? 0, "127.0.0.1", r));
    idp.issuer = `http://127.0.0.1:${(idp.server.address() as AddressInfo).port}`;
    idp.provider = new Provider(idp.issuer, {
      clients: [{
        client_id: client.clientId, client_secret: client.clientSecret, redirect_uris: client.redirectUris,
        token_endpoint_auth_method: client.authMethod ?? "client_secret_post", response_types: ["code"], grant_types: ["authorization_code"],
      }],
      claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "given_name", "family_name"], groups: ["groups"] },
      scopes: ["openid", "email", "profile", "groups", "offline_access"],
      findAccount: async (_ctx, sub) => {
        const claims = idp.accounts.get(sub) ?? { email: `${sub}@oidc.example` };
        return { accountId: sub, claims: async () => ({ sub, ...claims }) };
      },
      pkce: { required: () => true },
      conformIdTokenClaims: false, // the ID token carries the requested claims (as most IdPs do)
      ttl: { IdToken: o.idTokenTtl ?? 3600 },
      features: { devInteractions: { enabled: true } },
    });
    idp.provider.on("server_error", () => {});
    idp.server.on("request", idp.provider.callback());
    return idp;
  }

  close() { return new Promise<void>((r) => this.server.close(() => r())); }

  /** Signs `accountId` in through the development pages; returns the URL the IdP redirects to at the end. */
  async login(authorizeUrl: string, accountId: string, stopAt: string): Promise<string> {
    const jar = new Map<string, string>();
    const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    let url = authorizeUrl;
    let method = "GET";
    let body: string | undefined;
    for (let hop = 0; hop < 20; hop++) {
      if (url.startsWith(stopAt)) return url;
      const res = await fetch(url, {
        method, body, redirect: "manual",
        headers: { cookie: cookieHeader(), ...(body ? { "content-type": "application/x-www-form-urlencoded" } : {}) },
      });
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(";");
        const i = pair.indexOf("=");
        jar.set(pair.slice(0, i), pair.slice(i + 1));
      }
      const location = res.headers.get("location");
      if (location) { url = new URL(location, url).href; method = "GET"; body = undefined; continue; }
      const page = await res.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
      const prompt = /name="prompt" value="([^"]+)"/.exec(page)?.[1];
      if (!action || !prompt) throw new Error(`unexpected IdP page (HTTP ${res.status}): ${page.slice(0, 300)}`);
      url = new URL(action, url).href;
      method = "POST";
      body = new URLSearchParams(prompt === "login" ? { prompt, login: accountId, password: "any" } : { prompt }).toString();
    }
    throw new Error("too many hops at the IdP");
  }
}
