/**
 * The docs page's second step (issue 28): Swagger's Authorize dialog (the OAuth2 password flow) cannot
 * ask for a code, so for an account with two-factor authentication the token endpoint answers 401
 * `mfa_required`. The dialog itself shows only "Unauthorized"; the page's notice must say how to finish
 * and show the `mfa_token`, and that token, tried out on POST /api/v1/login/mfa with the app's code, must
 * authorize the page and sign the app in.
 */
import { expect as baseExpect, test, type APIRequestContext, type Page } from "@playwright/test";
import { Secret, TOTP } from "otpauth";
import { newAccount } from "./helpers/accounts";
import { storedToken, whoAmI } from "./helpers/browser";
import { screenshotEveryLook } from "./helpers/screenshots";

// swagger-ui is a large bundle; on a loaded 2-core machine it can take several seconds to render.
const expect = baseExpect.configure({ timeout: 20_000 });

const codeFor = (secret: string, steps = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" }).generate({ timestamp: Date.now() + steps * 30_000 });

/** A new account with an authenticator app turned on (through the API); returns its TOTP secret too. */
async function accountWithTotp(request: APIRequestContext) {
  const { email, password } = await newAccount(request, "docs-mfa");
  const login = await request.post("/api/v1/login/access-token", { form: { username: email, password } });
  const headers = { Authorization: `Bearer ${((await login.json()) as { access_token: string }).access_token}` };
  const started = await request.post("/api/v1/users/me/mfa/totp", { headers, data: { password } });
  expect(started.status(), await started.text()).toBe(200);
  const secret = ((await started.json()) as { secret: string }).secret;
  // The previous step's code, so that the current one is still unused for the sign-in below.
  const confirmed = await request.post("/api/v1/users/me/mfa/totp/confirm", { headers, data: { code: codeFor(secret, -1) } });
  expect(confirmed.status(), await confirmed.text()).toBe(200);
  return { email, password, secret };
}

const authorizeButton = (page: Page) => page.locator(".auth-wrapper button.authorize");

test("a TOTP account authorizing on the docs page is shown its mfa_token and finishes with POST /login/mfa", async ({ page, request }) => {
  test.setTimeout(90_000);
  const { email, password, secret } = await accountWithTotp(request);
  await page.goto("/docs");
  await expect(page.locator(".swagger-ui .opblock").first()).toBeVisible();

  await authorizeButton(page).click();
  const dialog = page.locator(".dialog-ux .modal-ux");
  await dialog.locator("#oauth_username").fill(email);
  await dialog.locator("#oauth_password").fill(password);
  await dialog.getByRole("button", { name: "Apply given OAuth2 credentials" }).click();
  await expect(page.getByTestId("docs-notice")).toContainText("POST /api/v1/login/mfa");
  const mfaToken = (await page.getByTestId("docs-mfa-token").innerText()).trim();
  expect(mfaToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  await dialog.getByRole("button", { name: "Close" }).first().click();
  expect(await storedToken(page)).toBeNull();
  await screenshotEveryLook(page, "docs-mfa-notice", { fullPage: false });

  // Try it out on the second step, with the token shown and the app's code.
  const op = page.locator("#operations-login-login-login_mfa");
  await op.locator(".opblock-summary").click();
  const body = op.locator("textarea.body-param__text");
  await body.fill(JSON.stringify({ mfa_token: mfaToken, code: codeFor(secret) }));
  await op.getByRole("button", { name: "Execute" }).click();
  await expect(op.locator(".live-responses-table tr.response .response-col_status").first()).toHaveText("200");
  await expect(page.getByTestId("docs-notice")).toContainText("Signed in with the second factor");
  await expect(authorizeButton(page)).toHaveClass(/(^|\s)locked(\s|$)/);
  const token = await storedToken(page);
  expect(token).toBeTruthy();
  expect(((await whoAmI(request, token!)).body as { email: string }).email).toBe(email);
});
