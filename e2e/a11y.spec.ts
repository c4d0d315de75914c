/**
 * Accessibility in Chromium with axe-core: every page, signed out and signed in (as a superuser, so the
 * admin table renders), in the light and the dark scheme, has no serious or critical violation (WCAG
 * 2.1 A and AA rules); the admin page's dialog too. And the theme choice: saved, applied before the
 * page's scripts run, and back to the system's on "System".
 */
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { Secret, TOTP } from "otpauth";
import { fillSignIn, interactive } from "./helpers/browser";
import { newAccount, signInAs, SUITE_ADMIN } from "./helpers/accounts";

const SIGNED_OUT = ["/", "/login", "/signup", "/recover-password", "/reset-password", "/verify-email", "/docs", "/no-such-page"];
const SIGNED_IN = ["/", "/profile", "/settings", "/admin", "/docs", "/no-such-page"];

/** Waits until what the page loads after it rendered is there (lists, the table, Swagger UI). */
async function settle(page: Page, path: string) {
  await interactive(page);
  if (path === "/docs") await expect(page.locator(".swagger-ui .opblock").first()).toBeVisible({ timeout: 20_000 });
  await page.waitForLoadState("networkidle");
  await expect(page.getByText(/^Loading/)).toHaveCount(0);
}

async function seriousViolations(page: Page, label: string): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${label}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
}

for (const colorScheme of ["light", "dark"] as const) {
  test(`no serious or critical violations, signed out, ${colorScheme}`, async ({ page }) => {
    test.setTimeout(120_000);
    await page.emulateMedia({ colorScheme });
    const found: string[] = [];
    for (const path of SIGNED_OUT) {
      await page.goto(path);
      await settle(page, path);
      found.push(...(await seriousViolations(page, `${path} ${colorScheme}`)));
    }
    expect(found).toEqual([]);
  });

  test(`no serious or critical violations, signed in, ${colorScheme}`, async ({ page }) => {
    test.setTimeout(120_000);
    await page.emulateMedia({ colorScheme });
    await signInAs(page, SUITE_ADMIN.email, SUITE_ADMIN.password, "/profile");
    const found: string[] = [];
    for (const path of SIGNED_IN) {
      await page.goto(path);
      await settle(page, path);
      found.push(...(await seriousViolations(page, `${path} ${colorScheme}`)));
    }
    // A dialog and the user menu, open.
    await page.goto("/admin");
    await settle(page, "/admin");
    await page.getByRole("button", { name: "Add user" }).click();
    await expect(page.getByRole("dialog")).toBeVisible();
    found.push(...(await seriousViolations(page, `/admin add-user dialog ${colorScheme}`)));
    await page.keyboard.press("Escape");
    await page.getByTestId("user-menu").click();
    await expect(page.getByRole("menu")).toBeVisible();
    found.push(...(await seriousViolations(page, `user menu ${colorScheme}`)));
    expect(found).toEqual([]);
  });
}

test("the theme choice is kept and applied before the page's scripts run; System follows the system again", async ({
  page,
}) => {
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto("/login");
  await interactive(page);
  const background = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  const light = await background();

  await page.getByTestId("theme-menu").click();
  await page.getByRole("menuitemradio", { name: "Dark" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  expect(await background()).not.toBe(light);
  await expect(page.getByTestId("theme-menu")).toHaveAccessibleName("Theme: Dark");

  // Reloaded: dark as soon as the document is parsed, before any of the app's scripts ran.
  await page.reload({ waitUntil: "domcontentloaded" });
  expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");

  await interactive(page);
  await page.getByTestId("theme-menu").click();
  await page.getByRole("menuitemradio", { name: "System" }).click();
  await expect(page.locator("html")).not.toHaveAttribute("data-theme", /.*/);
  expect(await background()).toBe(light);
  await page.emulateMedia({ colorScheme: "dark" });
  expect(await background()).not.toBe(light);
});

/** Two-factor authentication's screens: the password dialog offering codes, enrolment, the sign-in's second step. */
for (const colorScheme of ["light", "dark"] as const) {
  test(`no serious or critical violations in the two-factor steps, ${colorScheme}`, async ({ page, request }) => {
    test.setTimeout(120_000);
    await page.emulateMedia({ colorScheme });
    const { email, password } = await newAccount(request, `a11y-mfa-${colorScheme}`);
    await signInAs(page, email, password, "/settings");
    const found: string[] = [];
    const section = page.getByRole("region", { name: "Two-factor authentication" });
    await section.getByRole("button", { name: "Set up an authenticator app" }).click();
    const dialog = page.getByRole("dialog", { name: "Confirm it is you" });
    await dialog.getByLabel("Password").fill(password);
    await dialog.getByRole("button", { name: "Confirm" }).click();
    await expect(section.getByRole("img", { name: /QR code/ })).toBeVisible();
    found.push(...(await seriousViolations(page, `/settings enrolment ${colorScheme}`)));
    const secret = (await section.getByTestId("totp-secret").textContent())!.trim();
    const code = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" }).generate();
    await section.getByLabel("Code from the app").fill(code);
    await section.getByRole("button", { name: "Turn on" }).click();
    await expect(section.getByTestId("recovery-codes").getByRole("listitem")).toHaveCount(10);
    found.push(...(await seriousViolations(page, `/settings recovery codes ${colorScheme}`)));
    await section.getByRole("button", { name: "I saved them" }).click();

    // Signed out, and in again: the second step, with the code and with a recovery code.
    await page.context().clearCookies();
    await page.evaluate(() => window.localStorage.clear());
    await page.goto("/login?next=/settings");
    await fillSignIn(page, email, password);
    await expect(page.getByRole("heading", { name: "Two-factor authentication" })).toBeVisible();
    found.push(...(await seriousViolations(page, `/login second step ${colorScheme}`)));
    await page.getByRole("button", { name: "Use a recovery code instead" }).click();
    found.push(...(await seriousViolations(page, `/login recovery code ${colorScheme}`)));
    expect(found).toEqual([]);
  });
}
