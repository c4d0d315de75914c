/**
 * Screenshots to be looked at, in every look a page must work in: light and dark, desktop and a 390 px
 * phone, saved as screenshots/<name>-<scheme>-<size>.png. Used by e2e/screenshots.spec.ts (every page)
 * and the specs of a feature's own steps (two-factor, passkeys), with SCREENSHOTS=1.
 */
import fs from "node:fs";
import path from "node:path";
import type { Locator, Page } from "@playwright/test";

export const SCREENSHOT_DIR = path.join(process.cwd(), "screenshots");
export const SIZES = { desktop: { width: 1280, height: 800 }, mobile: { width: 390, height: 844 } };
const SCHEMES = ["light", "dark"] as const;

/** One look: a viewport size and a color scheme. */
export type Look = { size: keyof typeof SIZES; scheme: (typeof SCHEMES)[number] };

/** Whether screenshots were asked for (SCREENSHOTS=1). */
export const screenshotsWanted = () => Boolean(process.env.SCREENSHOTS);

/**
 * Runs `run` once in each look (desktop then phone, light then dark), the page set to it first; leaves
 * the page at desktop size and light.
 */
export async function inEveryLook(page: Page, run: (look: Look) => Promise<void>): Promise<void> {
  for (const size of Object.keys(SIZES) as Look["size"][]) {
    await page.setViewportSize(SIZES[size]);
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      await run({ size, scheme });
    }
  }
  await page.setViewportSize(SIZES.desktop);
  await page.emulateMedia({ colorScheme: "light" });
}

/** Saves what `target` shows now (a whole page by default, or one element) as `name` in `look`. */
export async function saveScreenshot(target: Page | Locator, name: string, look: Look, options: { fullPage?: boolean } = {}): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}-${look.scheme}-${look.size}.png`);
  if ("goto" in target) await target.screenshot({ path: file, fullPage: options.fullPage ?? true });
  else await target.screenshot({ path: file });
}

/** With SCREENSHOTS=1: the page as it is now, in every look. */
export async function screenshotEveryLook(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  if (!screenshotsWanted()) return;
  await inEveryLook(page, (look) => saveScreenshot(page, name, look, options));
}
