import { describe, expect, it } from "vitest";
import { html, escapeHtml, trusted } from "../../src/views/html.js";
import { securityHeaders } from "../../src/views/page.js";

describe("view layer", () => {
  it("escapes every interpolation, including inside arrays, but not nested html", () => {
    const name = `<script>alert("x")</script>`;
    const out = html`<p title="${name}">${name}</p>${[html`<b>${"&"}</b>`, "'"]}${trusted("<i>ok</i>")}`.value;
    expect(out).toBe(`<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p><b>&amp;</b>&#39;<i>ok</i>`);
    expect(escapeHtml(undefined)).toBe("");
  });

  it("sends a CSP without scripts that names extra form-action origins", () => {
    const h = securityHeaders(["http://localhost:3000"]);
    expect(h["content-security-policy"]).toContain("default-src 'none'");
    expect(h["content-security-policy"]).toContain("form-action 'self' http://localhost:3000;");
    expect(h["content-security-policy"]).not.toContain("script-src");
    expect(h["x-frame-options"]).toBe("DENY");
  });
});
