// Public webmail and disposable-mail domains: nobody may claim them for an organization, since every user of the
// provider would then be routed to (or offered) that organization. Kept here, one list, so it can be extended
// without touching the service. A subdomain of a listed domain is refused too (mail.yahoo.com, eu.mailinator.com).

const PUBLIC_EMAIL_DOMAINS = [
  // webmail
  "gmail.com", "googlemail.com", "google.com",
  "outlook.com", "hotmail.com", "hotmail.co.uk", "hotmail.fr", "live.com", "live.co.uk", "msn.com", "passport.com",
  "yahoo.com", "yahoo.co.uk", "yahoo.co.in", "yahoo.co.jp", "yahoo.fr", "yahoo.de", "ymail.com", "rocketmail.com",
  "icloud.com", "me.com", "mac.com",
  "aol.com", "aim.com",
  "proton.me", "protonmail.com", "protonmail.ch", "pm.me",
  "mail.com", "email.com", "usa.com",
  "gmx.com", "gmx.net", "gmx.de", "web.de",
  "yandex.com", "yandex.ru", "ya.ru", "mail.ru", "inbox.ru", "list.ru", "bk.ru",
  "zoho.com", "zohomail.com",
  "tutanota.com", "tuta.io", "fastmail.com", "hushmail.com", "mailfence.com", "posteo.de",
  "qq.com", "163.com", "126.com", "sina.com", "naver.com", "daum.net", "rediffmail.com",
  "comcast.net", "verizon.net", "att.net", "sbcglobal.net", "btinternet.com", "orange.fr", "free.fr", "libero.it",
  // disposable
  "mailinator.com", "guerrillamail.com", "guerrillamail.net", "guerrillamail.org", "sharklasers.com",
  "10minutemail.com", "10minutemail.net", "tempmail.com", "temp-mail.org", "tempmail.net", "tempmailo.com",
  "throwawaymail.com", "yopmail.com", "yopmail.net", "trashmail.com", "getnada.com", "nada.email",
  "dispostable.com", "maildrop.cc", "mailnesia.com", "mintemail.com", "mohmal.com", "emailondeck.com",
  "fakeinbox.com", "spamgourmet.com", "mailcatch.com", "burnermail.io", "discard.email", "tempinbox.com",
  "minuteinbox.com", "moakt.com", "33mail.com", "spam4.me", "grr.la", "inboxkitten.com",
];

const LISTED = new Set(PUBLIC_EMAIL_DOMAINS);

/** True when `domain` (lower-case) is a public or disposable email domain or a subdomain of one. */
export function isPublicEmailDomain(domain: string): boolean {
  const labels = domain.split(".");
  for (let i = 0; i < labels.length - 1; i++) if (LISTED.has(labels.slice(i).join("."))) return true;
  return false;
}
