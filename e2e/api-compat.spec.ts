/**
 * API_COMPAT=fastapi-template in the browser (docs/fastapi-template.md): our own pages keep working with
 * the template's answers. Sign-up answers 200, and 400 for a taken email, which the page still says under
 * the email field; a fresh sign-in changes the email on the settings page at once, without asking for the
 * password again (the sign-in is the proof for REAUTH_MAX_AGE_MINUTES).
 */
import { expect, test, type Page } from "@playwright/test";
import { fillSignIn, interactive, PASSWORD, screenshot, uniqueEmail } from "./helpers/browser";
import { startAppServer, type AppServer } from "./helpers/server";

let server: AppServer;
test.beforeAll(async () => {
  test.setTimeout(150_000);
  server = await startAppServer({ API_COMPAT: "fastapi-template" });
});
test.afterAll(async () => {
  await server?.close();
});

async function signUp(page: Page, email: string) {
  await page.goto(`${server.url}/signup`);
  await interactive(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
}

test("sign-up: a taken email (the template's 400) is said under the field; a new one signs up and in", async ({ page, request }) => {
  const taken = uniqueEmail("compat-taken");
  expect((await request.post(`${server.url}/api/v1/users/signup`, { data: { email: taken, password: PASSWORD } })).status()).toBe(200);
  const again = await request.post(`${server.url}/api/v1/users/signup`, { data: { email: taken, password: PASSWORD } });
  expect(again.status()).toBe(400);
  expect((await again.json()).detail).toBe("The user with this email already exists in the system");

  await signUp(page, taken);
  await expect(page.getByLabel("Email")).toHaveAccessibleDescription("An account with this email already exists.");
  await screenshot(page, "compat-signup-taken");

  const email = uniqueEmail("compat-new");
  await signUp(page, email);
  await expect(page).not.toHaveURL(/\/signup/);
  await page.goto(`${server.url}/profile`);
  await expect(page.getByTestId("profile-email")).toHaveText(email);
});

test("settings: right after signing in, the email changes at once, without asking for the password", async ({ page, request }) => {
  const email = uniqueEmail("compat-email");
  expect((await request.post(`${server.url}/api/v1/users/signup`, { data: { email, password: PASSWORD } })).status()).toBe(200);
  await page.goto(`${server.url}/login?next=${encodeURIComponent("/settings")}`);
  await fillSignIn(page, email);
  await expect(page).toHaveURL(/\/settings$/);

  const newEmail = uniqueEmail("compat-email-new");
  const profile = page.getByRole("region", { name: "Profile", exact: true });
  await profile.getByLabel("Email").fill(newEmail);
  await profile.getByRole("button", { name: "Save profile" }).click();
  await expect(profile.getByRole("status")).toHaveText("Profile saved.");
  await expect(page.getByRole("dialog", { name: "Confirm it is you" })).toHaveCount(0);
  await screenshot(page, "compat-settings-email-changed");
  await page.goto(`${server.url}/profile`);
  await expect(page.getByTestId("profile-email")).toHaveText(newEmail);
});
