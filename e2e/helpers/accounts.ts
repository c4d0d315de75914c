/**
 * Accounts for the admin and settings specs: the suite server's superuser (playwright.config.ts), its
 * API token, users made through the API, and signing in through the page.
 */
import { expect, type APIRequestContext, type Page } from "@playwright/test";
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
