import { expect, test, type Page } from "@playwright/test";
import {
  claims,
  fillSignIn,
  recordSignInPages,
  screenshot,
  signUpInBrowser,
  signUpThroughApi,
  storedToken,
  uniqueEmail,
  whoAmI,
} from "./helpers/browser";

async function expectProfileOf(page: Page, email: string) {
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByTestId("profile-email")).toHaveText(email);
  await expect(page.getByTestId("who")).toContainText(`Signed in as ${email}`);
}

test("the profile shows the user and the token; a refresh and a second tab stay signed in", async ({ page }) => {
  const email = uniqueEmail("profile");
  await signUpInBrowser(page, email);
  const signInPages = recordSignInPages(page);
  const token = (await storedToken(page))!;
  const { iat, exp } = claims(token);

  await expectProfileOf(page, email);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(email);
  await expect(page.getByTestId("token-issued")).toHaveText(
    await page.evaluate((t) => new Date(t * 1000).toLocaleString(), iat),
  );
  await expect(page.getByTestId("token-expires")).toHaveText(
    await page.evaluate((t) => new Date(t * 1000).toLocaleString(), exp),
  );
  // A live countdown: 30 minutes from sign-in, and it moves.
  const countdown = page.getByTestId("token-countdown");
  await expect(countdown).toHaveText(/^(29|30) min \d\d s$/);
  const first = await countdown.textContent();
  await expect(countdown).not.toHaveText(first!);
  await expect(page.getByText('localStorage["access_token"]')).toBeVisible();
  const sessions = page.getByTestId("sessions").getByRole("listitem");
  await expect(sessions).toHaveCount(1);
  await expect(sessions.first()).toContainText("this browser");
  await expect(sessions.first()).toContainText("Browser sign-in");
  await screenshot(page, "profile");
  // On a phone-sized screen, nothing spills out sideways.
  await page.setViewportSize({ width: 375, height: 800 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  await screenshot(page, "profile-narrow");
  await page.setViewportSize({ width: 1280, height: 720 });

  // A refresh reads the same token back: no new sign-in, no trip to the sign-in page.
  await page.reload();
  await expectProfileOf(page, email);
  expect(await storedToken(page)).toBe(token);

  // A second tab of the same browser is signed in too, with the same token.
  const second = await page.context().newPage();
  const secondSignInPages = recordSignInPages(second);
  await second.goto("/profile");
  await expectProfileOf(second, email);
  expect(await storedToken(second)).toBe(token);
  await second.goto("/");
  await expect(second.getByTestId("who")).toContainText(`Signed in as ${email}`);

  expect(signInPages).toEqual([]);
  expect(secondSignInPages).toEqual([]);
});

test("a removed token is healed from the sign-in session", async ({ page, request }) => {
  const email = uniqueEmail("heal");
  await signUpInBrowser(page, email);
  const signInPages = recordSignInPages(page);
  const before = (await storedToken(page))!;

  await page.evaluate(() => localStorage.removeItem("access_token"));
  await page.reload();
  await expectProfileOf(page, email);
  const after = await storedToken(page);
  expect(after).toMatch(/^ey/);
  expect(after).not.toBe(before);
  expect(claims(after!).sub).toBe(claims(before).sub);
  expect((await whoAmI(request, after!)).body?.email).toBe(email);
  expect(signInPages).toEqual([]);
});

test("signing out in one tab signs the other tab out, and the old token stops working", async ({ page, request }) => {
  const email = uniqueEmail("signout");
  await signUpInBrowser(page, email);
  const token = (await storedToken(page))!;
  const other = await page.context().newPage();
  await other.goto("/profile");
  await expectProfileOf(other, email);
  expect((await whoAmI(request, token)).status).toBe(200);

  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login\?signed_out=1$/);
  await expect(page.getByRole("status")).toHaveText("You have signed out.");
  expect(await storedToken(page)).toBeNull();
  // This tab signed out itself: a page it opens later asks to sign in without blaming another tab.
  await page.goto("/profile");
  await expect(page).toHaveURL(/\/login\?next=%2Fprofile$/);
  await expect(page.getByText("You signed out in another tab or window.")).toHaveCount(0);

  // The other tab follows on its own, and says why.
  await expect(other).toHaveURL(/\/login\?reason=signed_out&next=%2Fprofile$/);
  await expect(other.getByRole("status")).toHaveText("You signed out in another tab or window.");
  await expect(other.getByTestId("who")).toContainText("Sign in");
  await screenshot(other, "login-signed-out-elsewhere");

  // The server refuses the old token, and the sign-in session cannot mint a new one.
  const refused = await whoAmI(request, token);
  expect(refused.status).toBe(401);
  expect(refused.body).toMatchObject({ detail: "Could not validate credentials", reason: "revoked" });
  await other.goto("/profile");
  await expect(other).toHaveURL(/\/login\?(reason=signed_out&)?next=%2Fprofile$/);
  expect(await storedToken(other)).toBeNull();
});

test("signing out everywhere signs out another browser; it is told its session was revoked", async ({
  page,
  browser,
  request,
}) => {
  const email = uniqueEmail("everywhere");
  await signUpInBrowser(page, email);
  const laptop = await browser.newContext();
  const elsewhere = await laptop.newPage();
  await elsewhere.goto("/login?next=/profile");
  await fillSignIn(elsewhere, email);
  await expectProfileOf(elsewhere, email);
  const elsewhereToken = (await storedToken(elsewhere))!;

  // Each browser sees both sign-ins, and can revoke the other one only.
  await page.reload();
  const sessions = page.getByTestId("sessions").getByRole("listitem");
  await expect(sessions).toHaveCount(2);
  await expect(page.getByRole("button", { name: /^Revoke/ })).toHaveCount(1);

  // It asks first: one click would end every session at once.
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  const confirm = page.getByRole("dialog", { name: "Sign out everywhere?" });
  await expect(confirm).toContainText("Every browser and every API token of your account is signed out");
  await page.keyboard.press("Escape");
  expect((await whoAmI(request, elsewhereToken)).status).toBe(200);
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await confirm.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page).toHaveURL(/\/login\?signed_out=everywhere$/);
  await expect(page.getByRole("status")).toHaveText(
    "You have signed out everywhere: every browser and API token of your account was signed out.",
  );
  expect((await whoAmI(request, elsewhereToken)).status).toBe(401);

  // The other browser finds out on its next page load, and is told why.
  await elsewhere.reload();
  await expect(elsewhere).toHaveURL(/\/login\?reason=revoked&next=%2Fprofile$/);
  await expect(elsewhere.getByRole("status")).toHaveText("This session was revoked. Please sign in again.");
  expect(await storedToken(elsewhere)).toBeNull();
  await laptop.close();
});

test("revoking another browser's session from the profile signs that browser out", async ({ page, browser, request }) => {
  const email = uniqueEmail("revoke");
  await signUpThroughApi(request, email);
  await page.goto("/login");
  await fillSignIn(page, email);
  await expectProfileOf(page, email);

  const phone = await browser.newContext();
  const other = await phone.newPage();
  await other.goto("/login");
  await fillSignIn(other, email);
  await expectProfileOf(other, email);
  const otherToken = (await storedToken(other))!;

  await page.reload();
  await page.getByRole("button", { name: /^Revoke/ }).click();
  await expect(page.getByTestId("sessions").getByRole("listitem")).toHaveCount(1);
  await expect(page.getByTestId("sessions")).toContainText("this browser");
  expect((await whoAmI(request, otherToken)).status).toBe(401);

  // This browser is untouched; the revoked one is sent to sign in on its next load.
  await page.reload();
  await expectProfileOf(page, email);
  await other.reload();
  await expect(other).toHaveURL(/\/login\?reason=revoked&next=%2Fprofile$/);
  await phone.close();
});

test("changing the password signs out the other sessions and the new password signs in", async ({ page, browser }) => {
  const email = uniqueEmail("password");
  await signUpInBrowser(page, email);
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await otherPage.goto("/login");
  await fillSignIn(otherPage, email);
  await expectProfileOf(otherPage, email);

  // The password is part of the account: it lives on /settings.
  await page.goto("/settings");
  await page.getByLabel("Current password").fill("wrong password here");
  await page.getByLabel("New password").fill("a brand new passphrase");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByLabel("Current password")).toHaveAttribute("aria-invalid", "true");

  await page.getByLabel("Current password").fill("correct horse battery");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Password changed." })).toHaveText(
    "Password changed. 1 other session was signed out.",
  );
  await page.goto("/profile");
  await expectProfileOf(page, email);

  await otherPage.reload();
  await expect(otherPage).toHaveURL(/\/login\?reason=revoked&next=%2Fprofile$/);
  await fillSignIn(otherPage, email, "correct horse battery");
  await expect(otherPage.getByRole("main").getByRole("alert")).toHaveText("Incorrect email or password.");
  await fillSignIn(otherPage, email, "a brand new passphrase");
  await expectProfileOf(otherPage, email);
  await other.close();
});
