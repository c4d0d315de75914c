/**
 * Two-factor authentication in Chromium: turn it on from /settings (the password asked again, the
 * secret read back from the page as an authenticator app would take it, confirmed with a code, the
 * recovery codes shown once), sign out, sign in with the password and a computed code, then with a
 * recovery code. With SCREENSHOTS=1, also screenshots of the new steps, light and dark, desktop and phone.
 */
import { expect, test, type Page } from "@playwright/test";
import { Secret, TOTP } from "otpauth";
import { fillSignIn, interactive, screenshot, storedToken, whoAmI } from "./helpers/browser";
import { newAccount, signInAs } from "./helpers/accounts";
import { inEveryLook, saveScreenshot } from "./helpers/screenshots";

/** What an authenticator app shows for `secret`, `steps` 30-second steps from now. */
const codeFor = (secret: string, steps = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" }).generate({
    timestamp: Date.now() + steps * 30_000,
  });

/** On /settings: turns two-factor authentication on; returns the secret and the recovery codes shown. */
async function turnOn(page: Page, password: string, shoot?: (name: string) => Promise<void>) {
  const section = page.getByRole("region", { name: "Two-factor authentication" });
  await section.getByRole("button", { name: "Set up an authenticator app" }).click();
  // A sensitive change: the password is asked again first.
  const dialog = page.getByRole("dialog", { name: "Confirm it is you" });
  await dialog.getByLabel("Password").fill(password);
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await expect(section.getByRole("img", { name: /QR code/ })).toBeVisible();
  const secret = (await section.getByTestId("totp-secret").textContent())!.trim();
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await shoot?.("mfa-enrol");
  await section.getByLabel("Code from the app").fill(codeFor(secret));
  await section.getByRole("button", { name: "Turn on" }).click();
  const codes = section.getByTestId("recovery-codes").getByRole("listitem");
  await expect(codes).toHaveCount(10);
  const recoveryCodes = (await codes.allTextContents()).map((c) => c.trim());
  await shoot?.("mfa-recovery-codes");
  await section.getByRole("button", { name: "I saved them" }).click();
  await expect(section.getByRole("status")).toContainText("On");
  await expect(section.getByRole("status")).toContainText("10 recovery codes left");
  return { secret, recoveryCodes };
}

async function signOut(page: Page) {
  await page.goto("/profile");
  await interactive(page);
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login/);
}

test("turn on TOTP, sign out, sign in with the password and a code, then with a recovery code", async ({ page, request }) => {
  test.setTimeout(120_000);
  const { email, password } = await newAccount(request, "mfa");
  await signInAs(page, email, password, "/settings");
  const { secret, recoveryCodes } = await turnOn(page, password);

  await signOut(page);
  await fillSignIn(page, email, password);
  await expect(page.getByRole("heading", { name: "Two-factor authentication" })).toBeVisible();
  expect(await storedToken(page)).toBeNull();
  await page.getByLabel("Authentication code").fill("000000" === codeFor(secret, 1) ? "111111" : "000000");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toHaveText("That code is wrong or was used already. Wait for the next one.");
  // The enrolment spent this step's code: the next step's is accepted (one step of clock skew).
  await page.getByLabel("Authentication code").fill(codeFor(secret, 1));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/\/profile$/);
  const token = await storedToken(page);
  expect(token).toBeTruthy();
  expect(((await whoAmI(request, token!)).body as { email: string }).email).toBe(email);

  await signOut(page);
  await fillSignIn(page, email, password);
  await page.getByRole("button", { name: "Use a recovery code instead" }).click();
  await page.getByLabel("Recovery code").fill(recoveryCodes[0]!);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/\/profile$/);
  await page.goto("/settings");
  await expect(page.getByRole("region", { name: "Two-factor authentication" }).getByRole("status")).toContainText(
    "9 recovery codes left",
  );
});

test("sudo mode takes a code from the app or a recovery code instead of the password, and so does deleting the account", async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  const { email, password } = await newAccount(request, "mfa-sudo");
  await signInAs(page, email, password, "/settings");
  const { secret, recoveryCodes } = await turnOn(page, password);
  const section = page.getByRole("region", { name: "Two-factor authentication" });

  // A new token (sign in again): its sudo window is closed, so the next change asks for a proof.
  await signOut(page);
  await page.goto(`/login?next=${encodeURIComponent("/settings")}`);
  await fillSignIn(page, email, password);
  await page.getByLabel("Authentication code").fill(codeFor(secret, 1));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await interactive(page);

  await section.getByRole("button", { name: "New recovery codes" }).click();
  const dialog = page.getByRole("dialog", { name: "Confirm it is you" });
  await expect(dialog.getByLabel("Password")).toBeVisible();
  await dialog.getByRole("button", { name: "Use a code from your authenticator app" }).click();
  await dialog.getByLabel("Code from the app").fill("12345");
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await expect(dialog.getByRole("alert")).toHaveText("That code is not right, or it was used already.");
  await screenshot(page, "reauth-with-code");
  await dialog.getByRole("button", { name: "Use a recovery code" }).click();
  await dialog.getByLabel("Recovery code").fill(recoveryCodes[0]!);
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await expect(dialog).toBeHidden();
  await expect(section.getByTestId("recovery-codes").getByRole("listitem")).toHaveCount(10);
  const fresh = (await section.getByTestId("recovery-codes").getByRole("listitem").allTextContents()).map((c) => c.trim());
  await section.getByRole("button", { name: "I saved them" }).click();

  await page.getByRole("button", { name: "Delete my account" }).click();
  const remove = page.getByRole("dialog", { name: "Delete your account?" });
  await remove.getByRole("button", { name: "Use a recovery code" }).click();
  await remove.getByLabel("Recovery code").fill(fresh[3]!);
  await remove.getByRole("button", { name: "Delete my account" }).click();
  await expect(page).toHaveURL(/\/login\?reason=deleted$/);
  const gone = await request.post("/api/v1/login/access-token", { form: { username: email, password } });
  expect(gone.status()).toBe(400);
});

test("screenshots of the two-factor steps, light and dark, desktop and phone", async ({ page, request }) => {
  test.skip(!process.env.SCREENSHOTS, "screenshots only with SCREENSHOTS=1");
  test.setTimeout(300_000);
  await inEveryLook(page, async (look) => {
    const { scheme, size } = look;
    const shoot = (name: string) => saveScreenshot(page, name, look);
    const { email, password } = await newAccount(request, `mfa-shot-${scheme}-${size}`);
    await signInAs(page, email, password, "/settings");
    await turnOn(page, password, shoot);
    await page.getByRole("region", { name: "Two-factor authentication" }).scrollIntoViewIfNeeded();
    await shoot("mfa-settings-on");
    await signOut(page);
    await fillSignIn(page, email, password);
    await expect(page.getByRole("heading", { name: "Two-factor authentication" })).toBeVisible();
    await shoot("mfa-signin-code");
    await page.getByRole("button", { name: "Use a recovery code instead" }).click();
    await shoot("mfa-signin-recovery");
  });
});
