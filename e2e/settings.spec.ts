/**
 * /settings in Chromium: edit the name; change the email (the password asked again in a dialog, the
 * new address confirming by mail, the old one able to undo it); delete the account after typing the
 * password again.
 */
import { expect, test } from "@playwright/test";
import { fillSignIn, storedToken, uniqueEmail, whoAmI } from "./helpers/browser";
import { newAccount, signInAs, SUITE_ADMIN } from "./helpers/accounts";
import { linkIn, readOutbox, type ReceivedMail } from "../tests/helpers/mail";

/** The newest mail to `email` whose subject matches, from the suite server's outbox. */
async function mailTo(email: string, subject: RegExp): Promise<ReceivedMail> {
  let found: ReceivedMail | undefined;
  await expect
    .poll(async () => {
      found = (await readOutbox(process.env.E2E_DATA_DIR!)).filter((m) => m.to.includes(email) && subject.test(m.subject)).at(-1);
      return Boolean(found);
    })
    .toBe(true);
  return found!;
}

/** A mailed link's path and query, on the page's own origin. */
const onPage = (url: string) => `${new URL(url).pathname}${new URL(url).search}`;

test("edit name and email: the password is asked again, the new address confirms, the header follows", async ({ page, request }) => {
  const { email, password } = await newAccount(request, "settings");
  await signInAs(page, email, password, "/settings");
  const profile = page.getByRole("region", { name: "Profile" });
  const newEmail = uniqueEmail("renamed");

  await profile.getByLabel("Full name").fill("Grace Hopper");
  await profile.getByLabel("Email").fill("not an email");
  await profile.getByRole("button", { name: "Save profile" }).click();
  await expect(profile.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");
  await expect(profile.getByRole("alert")).toHaveText("Enter a valid email address");

  // A new address is a sensitive change: the page asks for the password inline, then retries.
  await profile.getByLabel("Email").fill(newEmail);
  await profile.getByRole("button", { name: "Save profile" }).click();
  const dialog = page.getByRole("dialog", { name: "Confirm it is you" });
  await dialog.getByLabel("Password").fill("not the password");
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await expect(dialog.getByRole("alert")).toHaveText("That password is not right.");
  await dialog.getByLabel("Password").fill(password);
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await expect(dialog).toBeHidden();
  await expect(profile.getByRole("status")).toHaveText(
    `Check ${newEmail} to confirm the change. Until then your account keeps its current address.`,
  );
  // Nothing moved yet: the name is saved, the address is not.
  await expect(page.getByTestId("who")).toContainText(`Signed in as ${email}`);
  expect((await whoAmI(request, (await storedToken(page))!)).body).toMatchObject({ email, full_name: "Grace Hopper" });

  // The link mailed to the new address makes the change.
  const link = linkIn(await mailTo(newEmail, /Confirm your new email address/), "/confirm-email-change");
  await page.goto(onPage(link.url));
  await expect(page.getByRole("status")).toHaveText(`Email changed to ${newEmail}`);
  await page.goto("/settings");
  await expect(page.getByTestId("who")).toContainText(`Signed in as ${newEmail}`);
  await expect(page.getByRole("region", { name: "Profile" }).getByLabel("Email")).toHaveValue(newEmail);
  await expect(page.getByRole("region", { name: "Profile" }).getByLabel("Full name")).toHaveValue("Grace Hopper");

  // Someone else's address gets the same answer (no enumeration); the proof given above still counts.
  await profile.getByLabel("Email").fill(SUITE_ADMIN.email);
  await profile.getByRole("button", { name: "Save profile" }).click();
  await expect(profile.getByRole("status")).toHaveText(
    `Check ${SUITE_ADMIN.email} to confirm the change. Until then your account keeps its current address.`,
  );
  await expect(page.getByTestId("who")).toContainText(`Signed in as ${newEmail}`);
});

test("the old address undoes an email change: the account keeps it and every device is signed out", async ({ page, request }) => {
  const { email, password } = await newAccount(request, "undo");
  await signInAs(page, email, password, "/settings");
  const profile = page.getByRole("region", { name: "Profile" });
  await profile.getByLabel("Email").fill(uniqueEmail("hijack"));
  await profile.getByRole("button", { name: "Save profile" }).click();
  const dialog = page.getByRole("dialog", { name: "Confirm it is you" });
  await dialog.getByLabel("Password").fill(password);
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await expect(profile.getByRole("status")).toContainText("to confirm the change");

  const notice = await mailTo(email, /A change of your email address was requested/);
  const cancel = linkIn(notice, "/cancel-email-change");
  const other = await page.context().browser()!.newPage();
  await other.goto(onPage(cancel.url));
  await expect(other.getByRole("status")).toHaveText(
    `The email change was undone and every device was signed out. Sign in with ${email}.`,
  );
  await other.close();

  // The tab that asked for the change is signed out on its next request.
  await page.goto("/settings");
  await expect(page).toHaveURL(/\/login/);
  await fillSignIn(page, email, password);
  await expect(page.getByTestId("who")).toContainText(`Signed in as ${email}`);
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
