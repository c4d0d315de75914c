/**
 * OpenID Connect sign-in end to end, against a real OpenID Provider (`oidc-provider`) started here on
 * 127.0.0.1, and a dedicated app server configured for it. The Prisma adapter must create the user and
 * link the provider's account to it; signing in again must reuse both.
 */
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { Secret, TOTP } from "otpauth";
import { interactive, recordSignInPages, screenshot, storedToken, whoAmI } from "./helpers/browser";
import { queryDb } from "./helpers/db";
import { oidcAppForSpec, signInAtProvider } from "./helpers/oidc-app";
import { ADMIN_EMAIL, ADMIN_PASSWORD } from "./helpers/server";

const account = {
  sub: "idp-user-0042",
  // Mixed case on purpose: the app keeps emails in lower case, whoever supplies them.
  email: "Grace.Hopper@IdP.example.com",
  email_verified: true,
  name: "Grace Hopper",
};
const appEmail = account.email.toLowerCase();
// Accounts that turn two-factor authentication on here: one whose provider says nothing about how it
// signed them in, one whose provider says it checked two factors (`amr`, RFC 8176).
const withCode = { sub: "idp-user-totp", email: "ada@idp.example.com", email_verified: true, name: "Ada Lovelace" };
const withProviderMfa = {
  sub: "idp-user-amr",
  email: "alan@idp.example.com",
  email_verified: true,
  name: "Alan Turing",
  amr: ["pwd", "mfa"],
};

const app = oidcAppForSpec({ account, others: [withCode, withProviderMfa] });

type LinkedAccount = {
  id: string;
  email: string;
  full_name: string | null;
  hashed_password: string | null;
  provider: string;
  provider_account_id: string;
  type: string;
};

function linkedAccounts(): LinkedAccount[] {
  return queryDb<LinkedAccount>(
    app.server.dbFile,
    `SELECT u.id, u.email, u.full_name, u.hashed_password, a.provider, a.provider_account_id, a.type
       FROM users u JOIN accounts a ON a.user_id = u.id
      WHERE u.email = ?`,
    appEmail,
  );
}

test("signing in with the OpenID Provider creates the user, links the account, and keeps the browser signed in", async ({
  page,
  request,
}) => {
  expect(linkedAccounts()).toEqual([]);
  await page.goto(`${app.server.url}/login?next=/profile`);
  await interactive(page);
  const button = page.getByRole("button", { name: "Sign in with Test IdP" });
  await expect(button).toBeVisible();
  await screenshot(page, "login-with-oidc");

  // Hold the token request for a moment, to see the page that finishes the sign-in.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/api/v1/login/session-token", async (route) => {
    await held;
    await route.continue();
  });

  await button.click();
  await signInAtProvider(page, app.idp, account.sub);

  await expect(page).toHaveURL(`${app.server.url}/login/complete?next=%2Fprofile`);
  await expect(page.getByRole("heading", { name: "Finishing sign-in…" })).toBeVisible();
  await screenshot(page, "login-complete");
  release();

  await expect(page).toHaveURL(`${app.server.url}/profile`);
  await expect(page.getByTestId("profile-email")).toHaveText(appEmail);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(account.name);
  await expect(page.getByTestId("who")).toContainText(`Signed in as ${appEmail}`);
  await screenshot(page, "profile-oidc");
  const token = (await storedToken(page))!;
  // The provider's sign-in is one event of the account's activity, named as such (issue 27): not an
  // "access token issued" for each token the pages obtain.
  const events = await request.get(`${app.server.url}/api/v1/users/me/events`, { headers: { Authorization: `Bearer ${token}` } });
  const recorded = ((await events.json()).data as { type: string; method: string | null }[]).map((e) => `${e.type}:${e.method}`);
  expect(recorded.sort()).toEqual(["account_linked:oidc", "login_success:oidc"]);
  // The provider says `email_verified`: the address counts as verified.
  expect((await whoAmI(request, token, app.server.url)).body).toMatchObject({ email: appEmail, full_name: account.name, is_verified: true });

  // The adapter created the user (no password: it signs in at the provider) and linked the account.
  const linked = linkedAccounts();
  expect(linked).toEqual([
    {
      id: expect.any(String),
      email: appEmail,
      full_name: account.name,
      hashed_password: null,
      provider: "oidc",
      provider_account_id: account.sub,
      type: "oidc",
    },
  ]);

  // The superuser sees the new account through the API too.
  const login = await request.post(`${app.server.url}/api/v1/login/access-token`, {
    form: { username: ADMIN_EMAIL, password: ADMIN_PASSWORD },
  });
  expect(login.status()).toBe(200);
  const users = await request.get(`${app.server.url}/api/v1/users`, {
    headers: { Authorization: `Bearer ${(await login.json()).access_token}` },
  });
  expect(users.status()).toBe(200);
  const listed = ((await users.json()).data as { id: string; email: string }[]).filter((u) => u.email === appEmail);
  expect(listed).toEqual([expect.objectContaining({ id: linked[0]!.id, email: appEmail, is_active: true })]);

  // A refresh keeps the provider's user signed in, like any other.
  const signInPages = recordSignInPages(page);
  await page.reload();
  await expect(page.getByTestId("profile-email")).toHaveText(appEmail);
  expect(await storedToken(page)).toBe(token);
  expect(signInPages).toEqual([]);

  // Signing out and in again: the provider remembers this browser and the consent, so it is straight
  // back to the app, as the same user with the same linked account.
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(`${app.server.url}/login?signed_out=1`);
  expect((await whoAmI(request, token, app.server.url)).status).toBe(401);
  await interactive(page);
  await page.getByRole("button", { name: "Sign in with Test IdP" }).click();
  await expect(page).toHaveURL(`${app.server.url}/profile`);
  await expect(page.getByTestId("profile-email")).toHaveText(appEmail);
  expect(await storedToken(page)).not.toBe(token);
  expect(linkedAccounts()).toEqual(linked);
});

/** What an authenticator app shows for `secret`, `steps` 30-second steps from now. */
const codeFor = (secret: string, steps = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" }).generate({
    timestamp: Date.now() + steps * 30_000,
  });

/**
 * Signs in through the provider as `sub` (a new user), turns TOTP on through the API with the page's token
 * (the fresh provider sign-in is the proof an account without a password gives), and signs out.
 */
async function providerUserWithTotp(page: Page, request: APIRequestContext, sub: string): Promise<string> {
  await page.goto(`${app.server.url}/login?next=/profile`);
  await interactive(page);
  await page.getByRole("button", { name: "Sign in with Test IdP" }).click();
  await signInAtProvider(page, app.idp, sub);
  await expect(page).toHaveURL(`${app.server.url}/profile`);
  const headers = { Authorization: `Bearer ${(await storedToken(page))!}` };
  const started = await request.post(`${app.server.url}/api/v1/users/me/mfa/totp`, { headers });
  expect(started.status(), await started.text()).toBe(200);
  const secret = ((await started.json()) as { secret: string }).secret;
  // The previous step's code (one step of clock skew), so that the current one is still unused.
  const confirmed = await request.post(`${app.server.url}/api/v1/users/me/mfa/totp/confirm`, {
    headers,
    data: { code: codeFor(secret, -1) },
  });
  expect(confirmed.status(), await confirmed.text()).toBe(200);
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(`${app.server.url}/login?signed_out=1`);
  await interactive(page);
  return secret;
}

test("a provider sign-in of an account with a second factor asks for the code before the browser is signed in", async ({
  page,
  request,
}) => {
  test.setTimeout(90_000);
  const secret = await providerUserWithTotp(page, request, withCode.sub);

  // The provider remembers this browser: straight back from it, to the second step, with no session yet.
  await page.goto(`${app.server.url}/login?next=/profile`);
  await interactive(page);
  await page.getByRole("button", { name: "Sign in with Test IdP" }).click();
  await expect(page.getByRole("heading", { name: "Two-factor authentication" })).toBeVisible();
  // The challenge came in the fragment, and left the address bar.
  await expect(page).toHaveURL(`${app.server.url}/login?next=%2Fprofile`);
  expect(await storedToken(page)).toBeNull();
  expect((await page.request.get(`${app.server.url}/api/auth/session`)).ok()).toBe(true);
  expect(await (await page.request.get(`${app.server.url}/api/auth/session`)).json()).toBeNull();
  await screenshot(page, "login-oidc-second-step");

  await page.getByLabel("Authentication code").fill(codeFor(secret));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(`${app.server.url}/profile`);
  await expect(page.getByTestId("profile-email")).toHaveText(withCode.email);
  const token = (await storedToken(page))!;
  const events = await request.get(`${app.server.url}/api/v1/users/me/events`, { headers: { Authorization: `Bearer ${token}` } });
  const recorded = ((await events.json()).data as { type: string; method: string | null }[]).map((e) => `${e.type}:${e.method}`);
  // Two provider sign-ins (the second one's before its code), the enrolment: no failed code.
  expect(recorded.filter((e) => e === "login_success:oidc")).toHaveLength(2);
  expect(recorded).toContain("mfa_enrolled:totp");
  expect(recorded.filter((e) => e.startsWith("mfa_challenge_failed"))).toEqual([]);
});

test("a provider that asserts its own multi-factor sign-in (amr) is not asked for the code again", async ({ page, request }) => {
  test.setTimeout(90_000);
  await providerUserWithTotp(page, request, withProviderMfa.sub);
  const signInPages = recordSignInPages(page);
  await page.goto(`${app.server.url}/login?next=/profile`);
  await interactive(page);
  await page.getByRole("button", { name: "Sign in with Test IdP" }).click();
  await expect(page).toHaveURL(`${app.server.url}/profile`);
  await expect(page.getByTestId("profile-email")).toHaveText(withProviderMfa.email);
  expect(signInPages.filter((p) => p.includes("#mfa="))).toEqual([]);
});

test("a provider's second step that expired sends the user back to the provider, not to a password", async ({ page }) => {
  // The challenge a provider sign-in left in the fragment is gone by the time the code is typed (expired,
  // used, out of tries: the server answers all of them alike). Its user may have no password at all.
  await page.goto(`${app.server.url}/login?next=/profile#mfa=gone0challenge0token&methods=totp`);
  await interactive(page);
  await page.getByLabel("Authentication code").fill("123456");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.locator("#login-error")).toHaveText("The sign-in expired. Sign in with Test IdP again.");
  await expect(page.getByRole("button", { name: "Sign in with Test IdP" })).toBeVisible();
});
