/**
 * The docs page's second step (issue 28). Swagger's Authorize dialog is a password-form client: for an
 * account with an authenticator app, the password alone gets the 401 `mfa_required`, and the dialog itself
 * shows only "Unauthorized". The page's notice must say how to finish, both ways:
 * - Authorize again with the password followed by the app's code, which authorizes the page and saves the
 *   token for the whole app;
 * - or try out POST /api/v1/login/mfa with the `mfa_token` the notice shows and a code.
 * Screenshots of the notice, light and dark, desktop and phone, with SCREENSHOTS=1.
 */
import { expect as baseExpect, test } from "@playwright/test";
import { awayFromStepEnd, codeAt } from "../tests/helpers/totp";
import { newTotpAccount } from "./helpers/accounts";
import { storedToken, whoAmI } from "./helpers/browser";
import { screenshotEveryLook } from "./helpers/screenshots";
import { applyPasswordFlow, authorizeButton, LOCKED } from "./helpers/swagger";

// swagger-ui is a large bundle; on a loaded 2-core machine it can take several seconds to render.
const expect = baseExpect.configure({ timeout: 20_000 });

test.describe.configure({ timeout: 90_000 });

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

test("a TOTP account authorizing on the docs page is shown its mfa_token and finishes with POST /login/mfa", async ({ page, request }) => {
  const { email, password, secret } = await newTotpAccount(request, "docs-mfa");
  await page.goto("/docs");
  await expect(page.locator(".swagger-ui .opblock").first()).toBeVisible();

  const dialog = await applyPasswordFlow(page, email, password);
  await expect(page.getByTestId("docs-notice")).toContainText("POST /api/v1/login/mfa");
  const mfaToken = (await page.getByTestId("docs-mfa-token").innerText()).trim();
  expect(mfaToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  await dialog.getByRole("button", { name: "Close" }).first().click();
  expect(await storedToken(page)).toBeNull();
  await screenshotEveryLook(page, "docs-mfa-notice", { fullPage: false });

  // Try it out on the second step, with the token shown and the app's code.
  await awayFromStepEnd();
  const op = page.locator("#operations-login-login-login_mfa");
  await op.locator(".opblock-summary").click();
  await op.locator("textarea.body-param__text").fill(JSON.stringify({ mfa_token: mfaToken, code: codeAt(secret) }));
  await op.getByRole("button", { name: "Execute" }).click();
  await expect(op.locator(".live-responses-table tr.response .response-col_status").first()).toHaveText("200");
  await expect(page.getByTestId("docs-notice")).toContainText("Signed in with the second factor");
  await expect(authorizeButton(page)).toHaveClass(LOCKED);
  const token = await storedToken(page);
  expect(token).toBeTruthy();
  expect(((await whoAmI(request, token!)).body as { email: string }).email).toBe(email);
});
