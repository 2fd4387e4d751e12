// Proves the browser helper works on this machine (Chromium starts, renders a page of this server's view layer).
import http from "node:http";
import { describe, expect, it } from "vitest";
import { hasChromium, launchBrowser, requireChromium } from "../helpers/browser.js";
import { html } from "../../src/views/html.js";

describe.skipIf(!hasChromium && !requireChromium)("Chromium", () => {
  it("renders an escaped page", async () => {
    const body = html`<h1>${"<b>hi</b>"}</h1>`.value;
    const server = http.createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(body));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${(server.address() as any).port}/`);
      expect(await page.textContent("h1")).toBe("<b>hi</b>");
    } finally {
      await browser.close();
      server.close();
    }
  });
});
