/**
 * Mail in the browser: forgot password → the mail (the suite's server has no SMTP_HOST, so it is the
 * .eml file in its outbox) → reset → signed in; and the verification link a sign-up mails. Screenshots
 * of each new page, desktop and a 390 px phone, go to screenshots-email/ (not committed).
 */
import fs from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { linkIn, readOutbox, type ReceivedMail } from "../tests/helpers/mail";
import { fillSignIn, interactive, PASSWORD, signUpInBrowser, signUpThroughApi, uniqueEmail } from "./helpers/browser";
import { startAppServer, type AppServer } from "./helpers/server";

const shotsDir = path.resolve("screenshots-email");

/** A full-page screenshot at the current (desktop) width and at 390 px, then back. */
async function shots(page: Page, name: string) {
  fs.mkdirSync(shotsDir, { recursive: true });
  const desktop = page.viewportSize()!;
  await page.screenshot({ path: path.join(shotsDir, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: path.join(shotsDir, `${name}-mobile.png`), fullPage: true });
  await page.setViewportSize(desktop);
}

/** The `nth` mail to `email` whose subject matches, from the outbox of the suite's server (or `dataDir`'s). */
async function mailTo(email: string, subject: RegExp, nth = 0, dataDir = process.env.E2E_DATA_DIR!): Promise<ReceivedMail> {
  let found: ReceivedMail | undefined;
  await expect
    .poll(async () => {
      found = (await readOutbox(dataDir)).filter((m) => m.to.includes(email) && subject.test(m.subject))[nth];
      return Boolean(found);
    })
    .toBe(true);
  return found!;
}

/** A link's path and query on the page's own origin (the mail's links use the server's configured URL). */
const onPage = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

test("forgot password → mail → new password → signed in", async ({ page, request }) => {
  const email = uniqueEmail("forgot");
  await signUpThroughApi(request, email);

  await page.goto("/login");
  await interactive(page);
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await expect(page).toHaveURL(/\/recover-password$/);
  await interactive(page);
  await shots(page, "recover-password");
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send me a reset link" }).click();
  await expect(page.getByRole("status").filter({ hasText: "If that email is registered, we sent a password recovery link" })).toBeVisible();
  await shots(page, "recover-password-sent");

  const mail = await mailTo(email, /Password recovery/);
  const { url } = linkIn(mail, "/reset-password");
  await page.goto(onPage(url));
  await interactive(page);
  await expect(page.getByLabel("New password", { exact: true })).toBeFocused();
  await shots(page, "reset-password");
  // The policy is checked before anything is sent.
  await page.getByLabel("New password", { exact: true }).fill("short");
  await page.getByRole("button", { name: "Set password" }).click();
  await expect(page.getByLabel("New password", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await shots(page, "reset-password-error");
  const newPassword = "a brand new passphrase";
  await page.getByLabel("New password", { exact: true }).fill(newPassword);
  await page.getByLabel("Repeat the new password").fill(newPassword);
  await page.getByRole("button", { name: "Set password" }).click();

  await expect(page).toHaveURL(/\/login\?reset=1$/);
  await expect(page.getByRole("status").filter({ hasText: "Your password was changed" })).toBeVisible();
  await shots(page, "login-after-reset");
  await fillSignIn(page, email, PASSWORD);
  await expect(page.getByRole("alert").filter({ hasText: "Incorrect email or password." })).toBeVisible();
  await fillSignIn(page, email, newPassword);
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByTestId("profile-email")).toHaveText(email);

  // The link was used: opening it again says so, with a way to ask for another.
  await page.goto(onPage(url));
  await interactive(page);
  await page.getByLabel("New password", { exact: true }).fill("yet another passphrase");
  await page.getByLabel("Repeat the new password").fill("yet another passphrase");
  await page.getByRole("button", { name: "Set password" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "expired, was already used, or was replaced" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Ask for a new link" })).toBeVisible();
  await shots(page, "reset-password-used-link");
});

test("the verification link a sign-up mails confirms the address; the profile says so", async ({ page }) => {
  const email = uniqueEmail("verify");
  await signUpInBrowser(page, email);
  await expect(page.getByTestId("email-unverified")).toHaveText("not verified");
  await page.getByRole("button", { name: "Send a verification link" }).click();
  await expect(page.getByRole("status").filter({ hasText: "We sent a new link" })).toBeVisible();
  await shots(page, "profile-unverified");

  // The resend superseded the sign-up's link: the newest one works.
  const { url } = linkIn(await mailTo(email, /Confirm your email address/, 1), "/verify-email");
  await page.goto(onPage(url));
  await expect(page.getByRole("status").filter({ hasText: "Your email address is verified." })).toBeVisible();
  await shots(page, "verify-email");

  await page.goto("/profile");
  await expect(page.getByText("verified", { exact: true })).toBeVisible();
  await expect(page.getByTestId("email-unverified")).toHaveCount(0);
  await shots(page, "profile-verified");

  await page.goto(onPage(url));
  await expect(page.getByRole("alert").filter({ hasText: "expired, was already used, or was replaced" })).toBeVisible();
  await shots(page, "verify-email-used-link");
});

test.describe("with EMAIL_VERIFICATION=required", () => {
  let server: AppServer;
  test.beforeAll(async () => {
    test.setTimeout(150_000);
    server = await startAppServer({ EMAIL_VERIFICATION: "required" });
  });
  test.afterAll(async () => {
    await server?.close();
  });

  test("the sign-in page refuses an unverified account and offers a new link, which lets it in", async ({ page, request }) => {
    const email = uniqueEmail("required");
    await signUpThroughApi(request, email, server.url);
    await page.goto(`${server.url}/login`);
    await fillSignIn(page, email);
    await expect(page.getByRole("alert").filter({ hasText: "not verified" })).toBeVisible();
    await expect(page).toHaveURL(/\/login$/);
    await page.getByRole("button", { name: "Send a new verification link" }).click();
    await expect(page.getByRole("status").filter({ hasText: "We sent a new verification link" })).toBeVisible();
    await shots(page, "login-unverified");

    // Sign-up's link and the new one: the new one supersedes it.
    const { url } = linkIn(await mailTo(email, /Confirm your email address/, 1, server.dataDir), "/verify-email");
    await page.goto(url);
    await expect(page.getByRole("status").filter({ hasText: "Your email address is verified." })).toBeVisible();
    await page.goto(`${server.url}/login`);
    await fillSignIn(page, email);
    await expect(page).toHaveURL(/\/profile$/);
    await expect(page.getByTestId("profile-email")).toHaveText(email);
  });
});
