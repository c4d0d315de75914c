/**
 * Accounts for the admin and settings specs: the suite server's superuser (playwright.config.ts), its
 * API token, users made through the API, and signing in through the page.
 */
import { expect, type APIRequestContext, type APIResponse, type Page } from "@playwright/test";
import { awayFromStepEnd, codeAt, STEP_MS } from "../../tests/helpers/totp";
import { fillSignIn, PASSWORD, signUpThroughApi, uniqueEmail } from "./browser";

export const SUITE_ADMIN = { email: "admin@example.com", password: "admin-password-e2e" };

/** A bearer token of the suite's superuser, from the token endpoint. */
export async function adminApiToken(request: APIRequestContext): Promise<string> {
  const response = await request.post("/api/v1/login/access-token", {
    form: { username: SUITE_ADMIN.email, password: SUITE_ADMIN.password },
  });
  expect(response.status(), await response.text()).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** Signs in on the sign-in page and waits for `next` to show. */
export async function signInAs(page: Page, email: string, password: string, next: string) {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await fillSignIn(page, email, password);
  await expect(page).toHaveURL(new RegExp(`${next.replace(/[/]/g, "\\/")}$`));
}

/** A new ordinary account, made through the API. */
export async function newAccount(request: APIRequestContext, label: string) {
  const email = uniqueEmail(label);
  await signUpThroughApi(request, email);
  return { email, password: PASSWORD };
}

/**
 * A new account with an authenticator app turned on, through the API (`base`: "" for the suite's server,
 * or a dedicated server's URL). Confirmed with the previous step's code (clock skew), so the current
 * step's code is still unused for the test's sign-in.
 */
export async function newTotpAccount(request: APIRequestContext, label: string, base = "") {
  const email = uniqueEmail(label);
  const password = PASSWORD;
  await signUpThroughApi(request, email, base, password);
  const ok = async (response: APIResponse) => {
    expect(response.status(), await response.text()).toBeLessThan(300);
    return (await response.json()) as Record<string, string>;
  };
  const { access_token: token } = await ok(
    await request.post(`${base}/api/v1/login/access-token`, { form: { username: email, password } }),
  );
  const headers = { Authorization: `Bearer ${token}` };
  const { secret } = await ok(await request.post(`${base}/api/v1/users/me/mfa/totp`, { headers, data: { password } }));
  await awayFromStepEnd();
  await ok(
    await request.post(`${base}/api/v1/users/me/mfa/totp/confirm`, {
      headers,
      data: { code: codeAt(secret!, Date.now() - STEP_MS) },
    }),
  );
  return { email, password, secret: secret! };
}
