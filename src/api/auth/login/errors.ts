// How a login step fails. A LoginError goes back to the application's redirect URI as error + error_description
// + state (RFC 6749 §4.1.2.1, codes from Scalekit's SSO integration errors); a PageError is shown on an error page
// because the redirect URI (or the client) cannot be trusted, or because the user can fix it on the page.
export class LoginError extends Error {
  constructor(readonly error: string, readonly description: string) { super(description); }
}

export class PageError extends Error {
  constructor(readonly title: string, readonly description: string, readonly status = 400) { super(description); }
}
