/**
 * Screenshots of every page, light and dark, desktop and a 390 px phone, into screenshots/ — to be
 * looked at, not asserted on. Off unless SCREENSHOTS=1:
 *   SCREENSHOTS=1 npx playwright test e2e/screenshots.spec.ts
 */
import { expect, test, type Page } from "@playwright/test";
import { interactive } from "./helpers/browser";
import { adminApiToken, signInAs, SUITE_ADMIN } from "./helpers/accounts";
import { inEveryLook, saveScreenshot } from "./helpers/screenshots";

test.skip(!process.env.SCREENSHOTS, "screenshots only with SCREENSHOTS=1");

const PAGES_OUT = {
  home: "/",
  login: "/login",
  signup: "/signup",
  "recover-password": "/recover-password",
  "reset-password": "/reset-password",
  "verify-email": "/verify-email",
  "confirm-email-change": "/confirm-email-change",
  "cancel-email-change": "/cancel-email-change",
  docs: "/docs",
  "not-found": "/no-such-page",
};
const PAGES_IN = {
  "home-signed-in": "/",
  profile: "/profile",
  settings: "/settings",
  admin: "/admin",
  "docs-signed-in": "/docs",
  "not-found-signed-in": "/no-such-page",
  // A signed-in visitor of the sign-in and sign-up pages: continue, or switch account.
  "login-signed-in": "/login",
  "signup-signed-in": "/signup",
};

async function settle(page: Page, url: string) {
  await interactive(page);
  if (url === "/docs") await expect(page.locator(".swagger-ui .opblock").first()).toBeVisible({ timeout: 20_000 });
  await page.waitForLoadState("networkidle");
  await expect(page.getByText(/^Loading/)).toHaveCount(0);
}

test("every page, light and dark, desktop and phone", async ({ page, request }) => {
  test.setTimeout(300_000);
  // A few people for the admin table.
  const token = await adminApiToken(request);
  const people = [
    ["ada@example.com", "Ada Lovelace", false],
    ["grace@example.com", "Grace Hopper", true],
    ["alan@example.com", "Alan Turing", false],
    ["edsger@example.com", null, false],
  ] as const;
  for (const [email, name, superuser] of people) {
    await request.post("/api/v1/users", {
      headers: { Authorization: `Bearer ${token}` },
      data: { email, password: "screenshot password 1", full_name: name, is_superuser: superuser },
    });
  }
  await request.post("/api/v1/login/access-token", { form: { username: "ada@example.com", password: "screenshot password 1" } });

  await inEveryLook(page, async (look) => {
    for (const [name, url] of Object.entries(PAGES_OUT)) {
      await page.goto(url);
      await settle(page, url);
      await saveScreenshot(page, name, look);
    }
  });
  await signInAs(page, SUITE_ADMIN.email, SUITE_ADMIN.password, "/profile");
  await inEveryLook(page, async (look) => {
    for (const [name, url] of Object.entries(PAGES_IN)) {
      await page.goto(url);
      await settle(page, url);
      await saveScreenshot(page, name, look);
    }
    await page.goto("/admin");
    await settle(page, "/admin");
    await page.getByRole("button", { name: "Manage ada@example.com" }).click();
    await page.getByRole("menuitem", { name: "Edit" }).click();
    await expect(page.getByRole("dialog")).toBeVisible();
    await saveScreenshot(page, "admin-edit-dialog", look, { fullPage: false });
    await page.keyboard.press("Escape");
    await page.getByTestId("user-menu").click();
    await expect(page.getByRole("menu")).toBeVisible();
    await saveScreenshot(page, "user-menu", look, { fullPage: false });
    await page.keyboard.press("Escape");
    // The password asked again before a sensitive change ("sudo mode").
    await page.goto("/settings");
    await settle(page, "/settings");
    await page.getByRole("region", { name: "Profile" }).getByLabel("Email").fill("someone-else@example.com");
    await page.getByRole("button", { name: "Save profile" }).click();
    await expect(page.getByRole("dialog", { name: "Confirm it is you" })).toBeVisible();
    await saveScreenshot(page, "reauth-dialog", look, { fullPage: false });
    await page.keyboard.press("Escape");
    // A form's success notice, below its button (every form the same).
    const profileForm = page.getByRole("region", { name: "Profile" });
    await profileForm.getByLabel("Email").fill(SUITE_ADMIN.email);
    await profileForm.getByRole("button", { name: "Save profile" }).click();
    await expect(profileForm.getByRole("status")).toHaveText("Profile saved.");
    await saveScreenshot(profileForm, "settings-saved", look);
  });
});
