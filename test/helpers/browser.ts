// Real Chromium for browser tests (Debian's `chromium` package, driven by playwright-core; .ci/run installs the
// package). Every browser test has an HTTP-level twin, so on a machine without Chromium these tests skip with a
// reason instead of failing, and `npm test` still covers the flows.
import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = fs.existsSync(CHROMIUM_PATH);
/** On CI a missing browser is a failure of the install step, not a reason to skip. */
export const requireChromium = process.env.CI === "true";

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // the closed network here refuses Chromium's own background connections; these flags stop it making them
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
}

export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, "../../docs/screenshots");

/** Saves a full-page PNG under docs/screenshots (linked from the README). */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
