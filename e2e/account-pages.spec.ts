/**
 * Issue 27, items 6 and 7: /profile and /settings each own their things once; the activity list is one
 * row per browser sign-in and grows by "Show more"; every form says its success the same way and in the
 * same place; the password rules read the same everywhere; a signed-in visitor of /login or /signup is
 * offered to continue or switch account; the home page's main button says what it does.
 */
import { expect, test, type Page } from "@playwright/test";
import { fillSignIn, interactive, PASSWORD, storedToken } from "./helpers/browser";
import { newAccount, signInAs } from "./helpers/accounts";

const region = (page: Page, name: string) => page.getByRole("region", { name, exact: true });

test("profile is how the sign-in works, settings is the account: each card has one home", async ({ page, request }) => {
  const { email, password } = await newAccount(request, "homes");
  await signInAs(page, email, password, "/profile");
  for (const name of ["Access token", "Live sessions", "Linked sign-in methods"]) {
    await expect(region(page, name)).toBeVisible();
  }
  await expect(page.getByRole("button", { name: "Sign out everywhere" })).toBeVisible();
  for (const name of ["Change password", "Recent activity", "Profile", "Danger zone"]) {
    await expect(region(page, name)).toHaveCount(0);
  }

  await page.goto("/settings");
  for (const name of ["Profile", "Change password", "Recent activity", "Danger zone"]) {
    await expect(region(page, name)).toBeVisible();
  }
  for (const name of ["Access token", "Live sessions", "Linked sign-in methods"]) {
    await expect(region(page, name)).toHaveCount(0);
  }
});

test("a browser sign-in is one row of recent activity, and the list grows by Show more", async ({ page, request }) => {
  const { email, password } = await newAccount(request, "activity-rows");
  await signInAs(page, email, password, "/settings");
  const activity = region(page, "Recent activity");
  const rows = activity.getByRole("listitem");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("Signed in");
  await expect(activity.getByRole("button", { name: "Show more" })).toHaveCount(0);

  // Twelve API logins (a sign-in and a token each: the API's trail keeps both) make 25 rows.
  for (let i = 0; i < 12; i++) {
    const res = await request.post("/api/v1/login/access-token", { form: { username: email, password } });
    expect(res.status()).toBe(200);
  }
  await page.reload();
  await expect(rows).toHaveCount(10);
  await activity.getByRole("button", { name: "Show more" }).click();
  await expect(rows).toHaveCount(20);
  await activity.getByRole("button", { name: "Show more" }).click();
  await expect(rows).toHaveCount(25);
  await expect(activity.getByRole("button", { name: "Show more" })).toHaveCount(0);
  // Newest first, the page's own sign-in last.
  await expect(rows.last()).toContainText("Signed in");
  await expect(rows.last()).toContainText("sign-in page");
});

test("every form says its success in one style, below its button; the password change says it naturally", async ({
  page,
  request,
}) => {
  const { email, password } = await newAccount(request, "notices");
  await signInAs(page, email, password, "/settings");

  const profile = region(page, "Profile");
  await profile.getByLabel("Full name").fill("Ada Lovelace");
  await profile.getByRole("button", { name: "Save profile" }).click();
  const saved = profile.getByRole("status");
  await expect(saved).toHaveText("Profile saved.");

  const passwordCard = region(page, "Change password");
  await passwordCard.getByLabel("Current password").fill(password);
  await passwordCard.getByLabel("New password").fill("a brand new passphrase");
  await passwordCard.getByRole("button", { name: "Change password" }).click();
  const changed = passwordCard.getByRole("status");
  await expect(changed).toHaveText("Password changed. No other session was signed in.");

  // The same look: one class list, and below the submit button in both forms.
  expect(await changed.getAttribute("class")).toBe(await saved.getAttribute("class"));
  for (const [card, button] of [
    [profile, "Save profile"],
    [passwordCard, "Change password"],
  ] as const) {
    const buttonBox = (await card.getByRole("button", { name: button }).boundingBox())!;
    const statusBox = (await card.getByRole("status").boundingBox())!;
    expect(statusBox.y).toBeGreaterThan(buttonBox.y + buttonBox.height - 1);
  }

  // With one other session signed in: "1 other session was signed out."
  const other = await request.post("/api/v1/login/access-token", {
    form: { username: email, password: "a brand new passphrase" },
  });
  expect(other.status()).toBe(200);
  await passwordCard.getByLabel("Current password").fill("a brand new passphrase");
  await passwordCard.getByLabel("New password").fill("another new passphrase");
  await passwordCard.getByRole("button", { name: "Change password" }).click();
  await expect(changed).toHaveText("Password changed. 1 other session was signed out.");
});

test("sign-up, reset and change-password state the same password rules, in plain words", async ({ page, request }) => {
  await page.goto("/signup");
  await interactive(page);
  const rules = await page.getByLabel("Password").evaluate((input) => {
    const ids = (input.getAttribute("aria-describedby") ?? "").split(" ");
    return ids.map((id) => document.getElementById(id)?.textContent ?? "").join(" ").trim();
  });
  expect(rules).toMatch(/common password/);
  expect(rules).not.toMatch(/bytes/);

  await page.goto("/reset-password?token=whatever");
  await expect(page.getByLabel("New password", { exact: true })).toHaveAccessibleDescription(rules);

  const { email, password } = await newAccount(request, "rules");
  await signInAs(page, email, password, "/settings");
  await expect(region(page, "Change password").getByLabel("New password")).toHaveAccessibleDescription(rules);
});

test("a taken email is said as a sentence on the sign-up page (the API's detail unchanged)", async ({ page, request }) => {
  const { email } = await newAccount(request, "taken");
  const again = await request.post("/api/v1/users/signup", { data: { email, password: PASSWORD } });
  expect(again.status()).toBe(409);
  expect((await again.json()).detail).toBe("The user with this email already exists in the system");

  await page.goto("/signup");
  await interactive(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByLabel("Email")).toHaveAccessibleDescription("An account with this email already exists.");
});

for (const path of ["/login", "/signup"]) {
  test(`a signed-in visitor of ${path} may continue or switch account`, async ({ page, request }) => {
    const { email, password } = await newAccount(request, "signed-in-visit");
    await signInAs(page, email, password, "/profile");

    await page.goto(`${path}?next=%2Fsettings`);
    const main = page.getByRole("main");
    await expect(main.getByText(`You are signed in as ${email}`)).toBeVisible();
    await expect(main.getByLabel("Password")).toHaveCount(0);
    await main.getByRole("link", { name: "Continue" }).click();
    await expect(page).toHaveURL(/\/settings$/);

    await page.goto(path);
    await page.getByRole("main").getByRole("button", { name: "Switch account" }).click();
    await expect(page.getByRole("main").getByLabel("Password")).toBeVisible();
    await expect(page).toHaveURL(new RegExp(`${path}$`));
    expect(await storedToken(page)).toBeNull();
    // Signed out for real: the sign-in session is gone too, so another account can sign in.
    if (path === "/login") {
      const second = await newAccount(request, "switched");
      await fillSignIn(page, second.email, second.password);
      await expect(page).toHaveURL(/\/profile$/);
      await expect(page.getByTestId("profile-email")).toHaveText(second.email);
    }
  });
}

test("the home page's main button says what it does, signed out and signed in", async ({ page, request }) => {
  await page.goto("/");
  const main = page.getByRole("main");
  await expect(main.getByRole("link", { name: "Your profile" })).toHaveCount(0);
  await main.getByRole("link", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/login(\?|$)/);

  const { email, password } = await newAccount(request, "home");
  await signInAs(page, email, password, "/profile");
  await page.goto("/");
  await expect(page.getByRole("main").getByRole("link", { name: "Your profile" })).toHaveAttribute("href", "/profile");
});
