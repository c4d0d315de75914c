/**
 * Passkeys in Chromium with a virtual authenticator (the DevTools Protocol's WebAuthn domain): add one
 * from /settings (the password asked again), sign out, sign in with it alone (the same result as a
 * password sign-in: the stored token, the docs page authorized), then use it as the second step of a
 * password sign-in, and remove it. WebAuthn needs an RP ID that is a domain: these tests open the app
 * at http://localhost:PORT (the server's own URL as its banner prints it), not 127.0.0.1.
 *
 * The virtual authenticator answers a conditional (autofill) request at once, as if the person had
 * picked the passkey from the email field's suggestions: the sign-in page then signs in by itself. The
 * test sees that once (conditional UI) and otherwise hides conditional mediation from the page (a flag
 * in localStorage read by an init script) to drive the button and the second step.
 * With SCREENSHOTS=1, also screenshots of the new UI, light and dark, desktop and phone.
 */
import { expect, test, type Page } from "@playwright/test";
import { baseURL } from "../playwright.config";
import { fillSignIn, interactive, storedToken, whoAmI } from "./helpers/browser";
import { newAccount, signInAs } from "./helpers/accounts";
import { changeDb } from "./helpers/db";
import { inEveryLook, saveScreenshot, screenshotEveryLook } from "./helpers/screenshots";

test.use({ baseURL: baseURL.replace("127.0.0.1", "localhost") });

async function virtualAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  return { cdp, authenticatorId };
}

/** Whether the pages see conditional mediation (passkey autofill); read by the init script at each load. */
async function autofill(page: Page, on: boolean) {
  await page.evaluate((off) => (off ? localStorage.setItem("e2e-no-autofill", "1") : localStorage.removeItem("e2e-no-autofill")), !on);
}

async function signOut(page: Page) {
  await page.goto("/profile");
  await interactive(page);
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login/);
}

async function confirmPassword(page: Page, password: string) {
  const dialog = page.getByRole("dialog", { name: "Confirm it is you" });
  await dialog.getByLabel("Password").fill(password);
  await dialog.getByRole("button", { name: "Confirm" }).click();
}

test("add a passkey, sign in with it alone, use it as the second step, remove it", async ({ page, request }) => {
  test.setTimeout(180_000);
  const { cdp, authenticatorId } = await virtualAuthenticator(page);
  await page.addInitScript(() => {
    if (localStorage.getItem("e2e-no-autofill")) PublicKeyCredential.isConditionalMediationAvailable = async () => false;
  });
  const { email, password } = await newAccount(request, "passkey");
  await signInAs(page, email, password, "/settings");

  const section = page.getByRole("region", { name: "Passkeys" });
  await expect(section.getByText("No passkeys yet.")).toBeVisible();
  await section.getByLabel("Name of the new passkey").fill("Virtual key");
  await section.getByRole("button", { name: "Add a passkey" }).click();
  await confirmPassword(page, password);
  await expect(section.getByRole("status")).toHaveText("Passkey “Virtual key” added.");
  await expect(section.getByRole("listitem")).toHaveCount(1);
  await expect(section.getByRole("listitem")).toContainText("Virtual key");
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  expect(credentials).toHaveLength(1);
  expect(credentials[0]!.isResidentCredential).toBe(true);
  expect(credentials[0]!.rpId).toBe("localhost");
  await section.scrollIntoViewIfNeeded();
  await screenshotEveryLook(page, "passkeys-settings");

  // Signed out, the sign-in page's autofill (conditional UI) signs in with the passkey.
  await autofill(page, false);
  await signOut(page);
  await autofill(page, true);
  await page.goto("/login");
  await expect(page).toHaveURL(/\/profile$/, { timeout: 30_000 });
  await expect(page.getByTestId("profile-email")).toHaveText(email);
  expect(await storedToken(page)).toBeTruthy();

  // From here on the page sees no conditional mediation: the button, then the second step.
  await autofill(page, false);
  await signOut(page);
  await interactive(page);
  await expect(page.getByLabel("Email")).toHaveAttribute("autocomplete", "username webauthn");
  await screenshotEveryLook(page, "passkeys-signin");
  // The passkey alone signs in: the same as a password sign-in.
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(/\/profile$/);
  const token = await storedToken(page);
  expect(token).toBeTruthy();
  expect(((await whoAmI(request, token!)).body as { email: string }).email).toBe(email);
  // The browser session stands behind it (a reload keeps the sign-in), and the docs page is authorized.
  await page.reload();
  await expect(page.getByTestId("profile-email")).toHaveText(email);
  await page.goto("/docs");
  await expect.poll(() => page.evaluate(() => window.localStorage.getItem("authorized")), { timeout: 30_000 }).toContain("access_token");

  // The password now asks for a second step, which the passkey gives.
  await signOut(page);
  await fillSignIn(page, email, password);
  await expect(page.getByRole("heading", { name: "Two-factor authentication" })).toBeVisible();
  expect(await storedToken(page)).toBeNull();
  await screenshotEveryLook(page, "passkeys-second-step");
  await page.getByRole("button", { name: "Use a passkey" }).click();
  await expect(page).toHaveURL(/\/profile$/);
  expect(await storedToken(page)).toBeTruthy();

  // Removing it asks for the password again (this sign-in made no proof for the change).
  await page.goto("/settings");
  await interactive(page);
  await section.getByRole("button", { name: "Remove passkey Virtual key" }).click();
  await confirmPassword(page, password);
  await expect(section.getByRole("status")).toHaveText("Passkey “Virtual key” removed.");
  await expect(section.getByText("No passkeys yet.")).toBeVisible();

  // The password alone signs in again, and the passkey no longer does.
  await signOut(page);
  await fillSignIn(page, email, password);
  await expect(page).toHaveURL(/\/profile$/);
  await signOut(page);
  await interactive(page);
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toHaveText("That passkey was not accepted. Try again, or sign in with your password.");
});

test("a passkey confirms a sensitive change in the re-authentication dialog, also for an account without a password", async ({ page, request }) => {
  test.setTimeout(180_000);
  await virtualAuthenticator(page);
  await page.addInitScript(() => {
    PublicKeyCredential.isConditionalMediationAvailable = async () => false;
  });
  const { email, password } = await newAccount(request, "passkey-sudo");
  await signInAs(page, email, password, "/settings");
  const passkeys = page.getByRole("region", { name: "Passkeys" });
  await passkeys.getByLabel("Name of the new passkey").fill("First key");
  await passkeys.getByRole("button", { name: "Add a passkey" }).click();
  await confirmPassword(page, password);
  await expect(passkeys.getByRole("status")).toHaveText("Passkey “First key” added.");

  // A new sign-in (password, then the passkey as the second step) has made no proof for a change yet.
  await signOut(page);
  await fillSignIn(page, email, password);
  await page.getByRole("button", { name: "Use a passkey" }).click();
  await expect(page).toHaveURL(/\/profile$/);

  // A new email address: the dialog opens on the password, and offers the passkey.
  await page.goto("/settings");
  await interactive(page);
  const profile = page.getByRole("region", { name: "Profile" });
  const newEmail = `renamed-${email}`;
  await profile.getByLabel("Email").fill(newEmail);
  await profile.getByRole("button", { name: "Save profile" }).click();
  const dialog = page.getByRole("dialog", { name: "Confirm it is you" });
  await expect(dialog.getByLabel("Password")).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Use a passkey" })).toBeVisible();
  if (process.env.SCREENSHOTS) {
    await inEveryLook(page, (look) => saveScreenshot(page, "reauth-dialog-passkey", look, { fullPage: false }));
  }
  await dialog.getByRole("button", { name: "Use a passkey" }).click();
  await expect(dialog).toBeHidden();
  await expect(profile.getByRole("status")).toHaveText(`Check ${newEmail} to confirm the change. Until then your account keeps its current address.`);

  // Without a password (as an account that signed up through its provider), the dialog opens on the passkey.
  changeDb(`UPDATE "users" SET "hashed_password" = NULL WHERE "email" = ?`, email);
  await signOut(page);
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(/\/profile$/);
  // That sign-in is itself a fresh proof for a passwordless account (lib/accounts/reauthentication.ts): made old here.
  changeDb(
    `UPDATE "sessions" SET "created_at" = ? WHERE "user_id" = (SELECT "id" FROM "users" WHERE "email" = ?)`,
    new Date(Date.now() - 3_600_000).toISOString().replace("Z", "+00:00"),
    email,
  );
  await page.goto("/settings");
  await interactive(page);
  const otherEmail = `again-${email}`;
  await profile.getByLabel("Email").fill(otherEmail);
  await profile.getByRole("button", { name: "Save profile" }).click();
  await expect(dialog.getByText("Your browser asks for one of your passkeys")).toBeVisible();
  await expect(dialog.getByLabel("Password")).toHaveCount(0);
  await expect(dialog.getByRole("button", { name: "Use your password instead" })).toHaveCount(0);
  await screenshotEveryLook(page, "reauth-dialog-passkey-only", { fullPage: false });
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await expect(dialog).toBeHidden();
  await expect(profile.getByRole("status")).toHaveText(`Check ${otherEmail} to confirm the change. Until then your account keeps its current address.`);

  // The last passkey of an account with no password and no provider stays: the server says why.
  await passkeys.getByRole("button", { name: "Remove passkey First key" }).click();
  await expect(passkeys.getByRole("alert")).toContainText("only way to sign in to this account");
  await expect(passkeys.getByRole("listitem")).toHaveCount(1);
});
