/**
 * /admin in Chromium: the superuser adds a user, who signs in; deactivating them signs their open tab
 * out saying why (the API answers 403 Inactive user); paging and search over 120 users; a non-superuser
 * is kept out; the page explains the superuser rules when the server refuses.
 */
import { expect, test, type Page } from "@playwright/test";
import { fillSignIn, interactive, storedToken, uniqueEmail, whoAmI } from "./helpers/browser";
import { adminApiToken, newAccount, signInAs, SUITE_ADMIN } from "./helpers/accounts";

async function openAdmin(page: Page) {
  await signInAs(page, SUITE_ADMIN.email, SUITE_ADMIN.password, "/admin");
  await expect(page.getByRole("heading", { level: 1, name: "Users" })).toBeVisible();
  await expect(page.getByTestId("users-table")).toBeVisible();
}

async function search(page: Page, text: string) {
  await page.getByLabel("Search by email or name").fill(text);
}

/** Picks `action` in the row's "Manage" menu. */
async function manage(page: Page, email: string, action: string) {
  await page.getByRole("button", { name: `Manage ${email}` }).click();
  await page.getByRole("menuitem", { name: action, exact: true }).click();
}

test("the superuser adds a user who signs in; deactivating them signs their open tab out, saying why", async ({
  page,
  browser,
}) => {
  await openAdmin(page);
  const email = uniqueEmail("added");
  const password = "a fresh password 42";

  await page.getByRole("button", { name: "Add user" }).click();
  const dialog = page.getByRole("dialog", { name: "Add a user" });
  await dialog.getByLabel("Email").fill(email);
  await dialog.getByLabel("Full name (optional)").fill("Added By Admin");
  await dialog.getByLabel("Password").fill(password);
  await dialog.getByRole("button", { name: "Add user" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(`Added ${email}.`)).toBeVisible();
  // Focus returns to the button that opened the dialog.
  await expect(page.getByRole("button", { name: "Add user" })).toBeFocused();

  // The new user signs in, in a browser of their own, and keeps a tab open.
  const theirs = await browser.newContext();
  const userPage = await theirs.newPage();
  await signInAs(userPage, email, password, "/settings");
  await expect(userPage.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
  const token = await storedToken(userPage);
  expect(token).toBeTruthy();

  // The admin finds them and sees their live session.
  await search(page, email);
  const row = page.getByRole("row").filter({ hasText: email });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("Added By Admin");
  await expect(row).toContainText("Active");
  await manage(page, email, "Sessions");
  const sessions = page.getByRole("dialog", { name: `Sessions of ${email}` });
  await expect(sessions.getByTestId("user-sessions").getByRole("listitem")).toHaveCount(1);
  await sessions.getByRole("button", { name: "Close" }).click();
  await expect(page.getByRole("button", { name: `Manage ${email}` })).toBeFocused();

  // Deactivating asks first, and says what it does.
  await manage(page, email, "Deactivate");
  const deactivate = page.getByRole("dialog", { name: `Deactivate ${email}?` });
  await expect(deactivate).toContainText("signed out of every browser and API client at once");
  await page.keyboard.press("Escape");
  await expect(row).toContainText("Active");
  await expect(page.getByRole("button", { name: `Manage ${email}` })).toBeFocused();
  await manage(page, email, "Deactivate");
  await deactivate.getByRole("button", { name: `Deactivate ${email}` }).click();
  await expect(page.getByText(`Deactivated ${email}: every session of theirs has ended.`)).toBeVisible();
  await expect(row).toContainText("Inactive");

  // Their tab, next time it is looked at, is signed out and says why.
  await userPage.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
  await expect(userPage).toHaveURL(/\/login\?reason=inactive/);
  await expect(userPage.getByRole("status")).toHaveText("Your account has been deactivated by an administrator.");
  expect(await storedToken(userPage)).toBeNull();
  expect(await whoAmI(userPage.request, token!)).toEqual({ status: 403, body: { detail: "Inactive user" } });
  // Signing in again is refused, saying so.
  await fillSignIn(userPage, email, password);
  await expect(userPage.getByRole("main").getByRole("alert")).toHaveText("This account is inactive.");

  // Reactivated, they can sign in again.
  await manage(page, email, "Reactivate");
  await page.getByRole("dialog", { name: `Reactivate ${email}?` }).getByRole("button", { name: `Reactivate ${email}` }).click();
  await expect(page.getByText(`Reactivated ${email}: they can sign in again.`)).toBeVisible();
  await expect(row).toContainText("Active");
  await fillSignIn(userPage, email, password);
  await expect(userPage).toHaveURL(/\/settings$/);
  await theirs.close();
});

test("paging and search over 120 users, sorted by creation", async ({ page, request }) => {
  test.setTimeout(180_000);
  const token = await adminApiToken(request);
  const tag = `pg${Date.now().toString(36)}`;
  const emails: string[] = [];
  for (let i = 0; i < 120; i++) {
    const email = `${tag}-${String(i).padStart(3, "0")}@example.com`;
    const response = await request.post("/api/v1/users", {
      headers: { Authorization: `Bearer ${token}` },
      data: { email, password: "paging password 1", full_name: i === 77 ? `Needle ${tag}` : null },
    });
    expect(response.status(), await response.text()).toBe(201);
    emails.push(email);
  }

  await openAdmin(page);
  await search(page, tag);
  await expect(page.getByTestId("users-range")).toHaveText("1–20 of 120");
  const rows = page.getByTestId("users-table").locator("tbody tr");
  await expect(rows).toHaveCount(20);
  // Newest first by default.
  await expect(rows.first()).toHaveAttribute("data-email", emails[119]!);

  await page.getByRole("button", { name: "Next page" }).click();
  await expect(page.getByTestId("users-range")).toHaveText("21–40 of 120");
  await expect(rows.first()).toHaveAttribute("data-email", emails[99]!);
  await page.getByRole("button", { name: "Previous page" }).click();
  await expect(page.getByTestId("users-range")).toHaveText("1–20 of 120");

  await page.getByLabel("Sort").selectOption("created_asc");
  await expect(rows.first()).toHaveAttribute("data-email", emails[0]!);
  for (let i = 0; i < 5; i++) await page.getByRole("button", { name: "Next page" }).click();
  await expect(page.getByTestId("users-range")).toHaveText("101–120 of 120");
  await expect(rows.last()).toHaveAttribute("data-email", emails[119]!);
  await expect(page.getByRole("button", { name: "Next page" })).toBeDisabled();

  // By name, and a search that finds nothing.
  await search(page, `needle ${tag}`);
  await expect(page.getByTestId("users-range")).toHaveText("1–1 of 1");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute("data-email", emails[77]!);
  await search(page, `${tag}-nobody`);
  await expect(page.getByText(`No user matches “${tag}-nobody”.`)).toBeVisible();
});

test("a non-superuser never sees the Admin link, and /admin tells them it is for administrators", async ({
  page,
  request,
}) => {
  const { email, password } = await newAccount(request, "not-admin");
  await signInAs(page, email, password, "/settings");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" })).toHaveCount(0);
  await page.getByTestId("user-menu").click();
  await expect(page.getByRole("menu")).toBeVisible();
  await expect(page.getByRole("menuitem", { name: "Admin" })).toHaveCount(0);
  await page.keyboard.press("Escape");

  await page.goto("/admin");
  await interactive(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("For administrators only");
  await expect(page.getByTestId("users-table")).toHaveCount(0);
  const token = await storedToken(page);
  const response = await request.get("/api/v1/users", { headers: { Authorization: `Bearer ${token}` } });
  expect(response.status()).toBe(403);
});

test("the superuser rules: no deactivating or deleting oneself; the page says why the server refused", async ({
  page,
}) => {
  await openAdmin(page);
  await search(page, SUITE_ADMIN.email);
  const row = page.getByRole("row").filter({ hasText: SUITE_ADMIN.email });
  await expect(row).toContainText("you");
  await page.getByRole("button", { name: `Manage ${SUITE_ADMIN.email}` }).click();
  await expect(page.getByRole("menuitem")).toHaveText(["Edit", "Sessions"]);
  await page.getByRole("menuitem", { name: "Edit" }).click();
  const dialog = page.getByRole("dialog", { name: `Edit ${SUITE_ADMIN.email}` });
  await expect(dialog).toContainText("This is your own account");
  await dialog.getByLabel("Superuser (can manage users)").uncheck();
  await dialog.getByRole("button", { name: "Save changes" }).click();
  await expect(dialog.getByRole("alert")).toHaveText("You cannot remove your own superuser role: ask another superuser");
  await dialog.getByLabel("Active (can sign in)").uncheck();
  await dialog.getByLabel("Superuser (can manage users)").check();
  await dialog.getByRole("button", { name: "Save changes" }).click();
  await expect(dialog.getByRole("alert")).toHaveText("You cannot deactivate your own account: ask another superuser");
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(row).toContainText("Superuser");
  await expect(row).toContainText("Active");
});
