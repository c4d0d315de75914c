/** /settings in Chromium: edit name and email, and delete the account after typing the password again. */
import { expect, test } from "@playwright/test";
import { fillSignIn, storedToken, uniqueEmail, whoAmI } from "./helpers/browser";
import { newAccount, signInAs, SUITE_ADMIN } from "./helpers/accounts";

test("edit name and email: saved, said, shown in the header and kept after a reload", async ({ page, request }) => {
  const { email, password } = await newAccount(request, "settings");
  await signInAs(page, email, password, "/settings");
  const profile = page.getByRole("region", { name: "Profile" });
  const newEmail = uniqueEmail("renamed");

  await profile.getByLabel("Full name").fill("Grace Hopper");
  await profile.getByLabel("Email").fill("not an email");
  await profile.getByRole("button", { name: "Save profile" }).click();
  await expect(profile.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");
  await expect(profile.getByRole("alert")).toHaveText("Enter a valid email address");

  await profile.getByLabel("Email").fill(newEmail);
  await profile.getByRole("button", { name: "Save profile" }).click();
  // Once the page has the saved user again (the fields re-render from it), the message is still there.
  await expect(page.getByTestId("who")).toContainText(`Signed in as ${newEmail}`);
  await expect(profile.getByRole("status")).toHaveText("Profile saved.");
  expect((await whoAmI(request, (await storedToken(page))!)).body).toMatchObject({
    email: newEmail,
    full_name: "Grace Hopper",
  });

  await page.reload();
  await expect(page.getByRole("region", { name: "Profile" }).getByLabel("Email")).toHaveValue(newEmail);
  await expect(page.getByRole("region", { name: "Profile" }).getByLabel("Full name")).toHaveValue("Grace Hopper");

  // Someone else's address is refused on the field, with the server's words.
  await profile.getByLabel("Email").fill(SUITE_ADMIN.email);
  await profile.getByRole("button", { name: "Save profile" }).click();
  await expect(profile.getByRole("alert")).toHaveText("The user with this email already exists in the system");
});

test("delete my account: the password is asked again, then the account is gone", async ({ page, request }) => {
  const { email, password } = await newAccount(request, "deleting");
  await signInAs(page, email, password, "/settings");
  const zone = page.getByRole("region", { name: "Danger zone" });
  await zone.getByRole("button", { name: "Delete my account" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete your account?" });
  await expect(dialog).toContainText(email);

  await dialog.getByLabel("Password").fill("not the password");
  await dialog.getByRole("button", { name: "Delete my account" }).click();
  await expect(dialog.getByRole("alert")).toHaveText("That password is not right.");
  // Escape closes the dialog and gives focus back to the button that opened it.
  await page.keyboard.press("Escape");
  await expect(zone.getByRole("button", { name: "Delete my account" })).toBeFocused();

  await zone.getByRole("button", { name: "Delete my account" }).click();
  await dialog.getByLabel("Password").fill(password);
  await dialog.getByRole("button", { name: "Delete my account" }).click();
  await expect(page).toHaveURL(/\/login\?reason=deleted$/);
  await expect(page.getByRole("status")).toHaveText("Your account has been deleted.");
  await fillSignIn(page, email, password);
  await expect(page.getByRole("main").getByRole("alert")).toHaveText("Incorrect email or password.");
});

test("a superuser's danger zone explains why it cannot delete itself", async ({ page }) => {
  await signInAs(page, SUITE_ADMIN.email, SUITE_ADMIN.password, "/settings");
  const zone = page.getByRole("region", { name: "Danger zone" });
  await expect(zone).toContainText("Superusers cannot delete their own account");
  await expect(zone.getByRole("button", { name: "Delete my account" })).toHaveCount(0);
});
