/**
 * The docs page's Authorize dialog is a password-form client: for an account with an authenticator app,
 * the password alone gets the 401 `mfa_required` and the page's notice says to authorize again with the
 * password followed by the code; doing so authorizes the page and saves the token for the whole app.
 * With SCREENSHOTS=1, a screenshot of that notice.
 */
import { expect as baseExpect, test } from "@playwright/test";
import { awayFromStepEnd, codeAt } from "../tests/helpers/totp";
import { newTotpAccount } from "./helpers/accounts";
import { screenshot, storedToken, whoAmI } from "./helpers/browser";
import { applyPasswordFlow, authorizeButton, LOCKED } from "./helpers/swagger";

// swagger-ui is a large bundle; on a loaded 2-core machine it can take several seconds to render.
const expect = baseExpect.configure({ timeout: 20_000 });

test.describe.configure({ timeout: 60_000 });

test("Authorize with the password followed by the code signs a TOTP account in on the docs page", async ({ page, request }) => {
  const { email, password, secret } = await newTotpAccount(request, "docs-totp");
  await page.goto("/docs");
  await expect(authorizeButton(page)).not.toHaveClass(LOCKED);

  const dialog = await applyPasswordFlow(page, email, password);
  const notice = page.getByTestId("docs-notice");
  await expect(notice).toContainText("Authorize again with the password followed directly by the 6-digit code");
  await expect(notice).toContainText("POST /api/v1/login/mfa");
  await dialog.getByRole("button", { name: "Close" }).first().click();
  await expect(authorizeButton(page)).not.toHaveClass(LOCKED);
  if (process.env.SCREENSHOTS) await screenshot(page, "docs-mfa-notice");

  await awayFromStepEnd();
  const again = await applyPasswordFlow(page, email, password + codeAt(secret));
  await expect(again.getByRole("button", { name: "Remove authorization" }).first()).toBeVisible();
  await again.getByRole("button", { name: "Close" }).first().click();
  await expect(authorizeButton(page)).toHaveClass(LOCKED);
  await expect(page.getByTestId("docs-notice")).toContainText("Signed in: the token is saved for the whole app.");
  const token = await storedToken(page);
  expect(token).toMatch(/^ey/);
  expect((await whoAmI(request, token!)).status).toBe(200);
});
