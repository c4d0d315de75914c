import { expect, test } from "@playwright/test";
import {
  fillSignIn,
  interactive,
  PASSWORD,
  screenshot,
  signUpThroughApi,
  storedToken,
  uniqueEmail,
} from "./helpers/browser";

test("signing up checks the fields, then lands on the profile, signed in", async ({ page }) => {
  await page.goto("/signup");
  await interactive(page);
  await expect(page.getByLabel("Email")).toBeFocused();

  // Bad input is refused next to the field it concerns, and nothing is stored.
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByLabel("Email")).toHaveAccessibleDescription("Enter a valid email address");
  await expect(page.getByLabel("Password")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText("Password must be at least 8 characters long")).toBeVisible();
  await expect(page).toHaveURL(/\/signup$/);
  await screenshot(page, "signup-field-errors");

  const email = uniqueEmail("signup");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Full name (optional)").fill("Ada Lovelace");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByTestId("profile-email")).toHaveText(email);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Ada Lovelace");
  await expect(page.getByTestId("who")).toContainText(`Signed in as ${email}`);
  expect(await storedToken(page)).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);

  // The same email cannot sign up twice.
  await page.context().clearCookies();
  await page.evaluate(() => localStorage.clear());
  await page.goto("/signup");
  await interactive(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByLabel("Email")).toHaveAccessibleDescription("An account with this email already exists.");
  await expect(page).toHaveURL(/\/signup$/);
});

test("a visitor sent to sign in sees a wrong password refused inline, then comes back where they were", async ({
  page,
  request,
}) => {
  const email = uniqueEmail("signin");
  await signUpThroughApi(request, email);

  await page.goto("/profile");
  await expect(page).toHaveURL(/\/login\?next=%2Fprofile$/);
  await expect(page.getByTestId("who")).toContainText("Sign in");

  await fillSignIn(page, email, "not the password");
  const error = page.getByRole("main").getByRole("alert");
  await expect(error).toHaveText("Incorrect email or password.");
  await expect(error).toBeFocused();
  await expect(page).toHaveURL(/\/login\?next=%2Fprofile$/);
  expect(await storedToken(page)).toBeNull();
  await screenshot(page, "login-error");

  // An unknown email gets exactly the same answer.
  await fillSignIn(page, uniqueEmail("nobody"), PASSWORD);
  await expect(page.getByRole("main").getByRole("alert")).toHaveText("Incorrect email or password.");

  await fillSignIn(page, email);
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByTestId("profile-email")).toHaveText(email);
  await expect(page.getByTestId("who")).toContainText(email);
});

test("signing in goes back to the page named in `next`, and never to another site", async ({ page, request }) => {
  const email = uniqueEmail("next");
  await signUpThroughApi(request, email);

  await page.goto(`/login?next=${encodeURIComponent("/?from=login")}`);
  await fillSignIn(page, email);
  await expect(page).toHaveURL(/\/\?from=login$/);
  await expect(page.getByTestId("who")).toContainText(`Signed in as ${email}`);

  await page.context().clearCookies();
  await page.evaluate(() => localStorage.clear());
  await page.goto(`/login?next=${encodeURIComponent("//evil.example.com/")}`);
  await fillSignIn(page, email);
  await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/profile$/);
});

test("the page that finishes an OpenID Connect sign-in says so when there is no sign-in to finish", async ({ page }) => {
  await page.goto("/login/complete?next=/profile");
  await expect(page.getByRole("heading", { name: "Sign-in did not complete" })).toBeVisible();
  await expect(page.getByRole("main").getByRole("alert")).toHaveText("No access token could be issued for this sign-in.");
  await screenshot(page, "login-complete-failed");
  await page.getByRole("link", { name: "Back to sign in" }).click();
  await expect(page).toHaveURL(/\/login$/);
});

test.describe("before the page's script runs (or without JavaScript)", () => {
  test.use({ javaScriptEnabled: false });

  for (const { path, button } of [
    { path: "/login", button: "Sign in" },
    { path: "/signup", button: "Sign up" },
  ]) {
    test(`submitting ${path} never puts the password in the address`, async ({ page }) => {
      await page.goto(path);
      await page.getByLabel("Email").fill("someone@example.com");
      await page.getByLabel("Password").fill("secret-password-123");
      await Promise.all([page.waitForEvent("load"), page.getByRole("button", { name: button, exact: true }).click()]);
      expect(page.url()).not.toContain("secret-password-123");
      await expect(page.getByLabel("Password")).toBeVisible();
    });
  }
});

test("after 10 failed attempts the sign-in page shows the wait and disables the button", async ({
  page,
  request,
}) => {
  const email = uniqueEmail("throttled");
  await signUpThroughApi(request, email);
  // Ten failures through the token endpoint: the browser sign-in shares the counter.
  for (let i = 0; i < 10; i++) {
    const res = await request.post("/api/v1/login/access-token", {
      form: { username: email, password: "not the password" },
    });
    expect(res.status()).toBe(400);
  }
  await page.goto("/login");
  await interactive(page);
  await fillSignIn(page, email);
  const error = page.getByRole("main").getByRole("alert");
  await expect(error).toHaveText(/^Too many failed sign-in attempts\. Try again in \d+ seconds?\.$/);
  await expect(page.getByRole("button", { name: "Sign in", exact: true })).toBeDisabled();
  expect(await storedToken(page)).toBeNull();
  await screenshot(page, "login-throttled");
});

test("the settings page lists the account's recent activity", async ({ page, request }) => {
  const email = uniqueEmail("activity");
  await signUpThroughApi(request, email);
  await request.post("/api/v1/login/access-token", { form: { username: email, password: "not the password" } });
  await page.goto("/login?next=%2Fsettings");
  await interactive(page);
  await fillSignIn(page, email);
  await expect(page).toHaveURL(/\/settings$/);
  const events = page.getByTestId("auth-events");
  await expect(events.getByText("Failed sign-in attempt")).toBeVisible();
  await expect(events.getByText("Signed in").first()).toBeVisible();
  await screenshot(page, "settings-activity");
});
