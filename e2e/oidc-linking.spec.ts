/**
 * Linking an OpenID Connect account to a user, against a real OpenID Provider (`oidc-provider`) on
 * 127.0.0.1. Auth.js links a provider account to whoever the request's sign-in cookie names, so that
 * cookie must be backed by a live Session row: a copied cookie of a victim who has since signed out
 * everywhere must not link the attacker's provider account to the victim. A legitimate link (from a
 * live sign-in) is shown on the profile and in the activity, and can be removed there.
 */
import { expect, test } from "@playwright/test";
import { interactive, PASSWORD, screenshot, signUpInBrowser, storedToken, uniqueEmail, whoAmI } from "./helpers/browser";
import { queryDb } from "./helpers/db";
import type { OidcAccount } from "./helpers/oidc";
import { newBrowser, oidcAppForSpec, signInAtProvider } from "./helpers/oidc-app";

const attacker: OidcAccount = {
  sub: "idp-attacker-0666",
  email: `attacker-${Date.now().toString(36)}@idp.example.com`,
  email_verified: true,
  name: "Mallory",
};
// The provider account a user links on purpose: same email as the user's own account.
const linkerEmail = uniqueEmail("linker");
const linker: OidcAccount = { sub: "idp-linker-0007", email: linkerEmail, email_verified: true, name: "Linda" };

const app = oidcAppForSpec({ account: attacker, others: [linker] });

/** The provider accounts linked to the app's user with this email, as stored. */
function linkedTo(email: string): { provider: string; provider_account_id: string }[] {
  return queryDb(
    app.server.dbFile,
    `SELECT a.provider, a.provider_account_id FROM accounts a JOIN users u ON u.id = a.user_id WHERE u.email = ?`,
    email,
  );
}

async function passwordToken(email: string): Promise<string> {
  const res = await fetch(`${app.server.url}/api/v1/login/access-token`, {
    method: "POST",
    body: new URLSearchParams({ username: email, password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function apiLinkedAccounts(token: string) {
  const res = await fetch(`${app.server.url}/api/v1/users/me/accounts`, { headers: { Authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: { provider: string; provider_account_id: string }[] }).data;
}

test("a copied sign-in cookie, signed out everywhere, does not link the attacker's provider account to the victim", async ({
  page,
  browser,
  request,
}) => {
  const victimEmail = uniqueEmail("victim");
  await signUpInBrowser(page, victimEmail, app.server.url);

  // The attacker copies the victim's sign-in cookie …
  const stolen = (await page.context().cookies()).find((c) => c.name === "authjs.session-token");
  expect(stolen).toBeTruthy();
  // … and the victim, worried, signs out everywhere.
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await page.getByRole("dialog", { name: "Sign out everywhere?" }).getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page).toHaveURL(`${app.server.url}/login?signed_out=everywhere`);

  // The attacker's browser, holding the old cookie, signs in at the provider as the attacker.
  const attackerContext = await newBrowser(browser);
  await attackerContext.addCookies([stolen!]);
  const evil = await attackerContext.newPage();
  const session = await evil.request.get(`${app.server.url}/api/auth/session`);
  expect(await session.json()).toBeNull();
  await evil.goto(`${app.server.url}/login?next=/profile`);
  await interactive(evil);
  await evil.getByRole("button", { name: "Sign in with Test IdP" }).click();
  await signInAtProvider(evil, app.idp, attacker.sub);

  // The attacker gets an account of their own, never the victim's.
  await expect(evil).toHaveURL(`${app.server.url}/profile`);
  await expect(evil.getByTestId("profile-email")).toHaveText(attacker.email);
  const attackerToken = (await storedToken(evil))!;
  expect((await whoAmI(request, attackerToken, app.server.url)).body).toMatchObject({ email: attacker.email });
  await screenshot(evil, "oidc-stale-cookie-not-linked");
  await attackerContext.close();

  expect(linkedTo(victimEmail)).toEqual([]);
  expect(linkedTo(attacker.email)).toEqual([{ provider: "oidc", provider_account_id: attacker.sub }]);
  const victimToken = await passwordToken(victimEmail);
  expect(await apiLinkedAccounts(victimToken)).toEqual([]);

  // From a fresh browser, the attacker's provider account still leads to the attacker's account only.
  const fresh = await newBrowser(browser);
  const again = await fresh.newPage();
  await again.goto(`${app.server.url}/login?next=/profile`);
  await interactive(again);
  await again.getByRole("button", { name: "Sign in with Test IdP" }).click();
  await signInAtProvider(again, app.idp, attacker.sub);
  await expect(again.getByTestId("profile-email")).toHaveText(attacker.email);
  await fresh.close();
});

test("a signed-in user links a provider account, sees it in the profile and the activity, and removes it", async ({
  page,
  browser,
}) => {
  await signUpInBrowser(page, linkerEmail, app.server.url);
  const linked = page.getByRole("region", { name: "Linked sign-in methods" });
  await expect(linked.getByText("None: you sign in with your password only.")).toBeVisible();

  await linked.getByRole("button", { name: "Link Test IdP" }).click();
  await signInAtProvider(page, app.idp, linker.sub);
  await expect(page).toHaveURL(`${app.server.url}/profile`);
  await expect(page.getByTestId("profile-email")).toHaveText(linkerEmail);
  const items = linked.getByRole("listitem");
  await expect(items).toHaveCount(1);
  await expect(items.first()).toContainText("Test IdP");
  await expect(items.first()).toContainText(linker.sub);
  expect(linkedTo(linkerEmail)).toEqual([{ provider: "oidc", provider_account_id: linker.sub }]);
  await screenshot(page, "profile-linked-account");

  // The account's activity and password are on /settings. A password change does not remove the link, and says so.
  await page.goto(`${app.server.url}/settings`);
  const activity = page.getByTestId("auth-events");
  await expect(activity.locator('[data-event-type="account_linked"]')).toHaveCount(1);
  await expect(activity.locator('[data-event-type="account_linked"]')).toContainText("Sign-in method linked");
  await page.getByLabel("Current password").fill(PASSWORD);
  await page.getByLabel("New password").fill("another horse battery 2");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Password changed." })).toContainText(
    "1 linked sign-in method still signs in without the password",
  );
  await page.goto(`${app.server.url}/profile`);
  await expect(items).toHaveCount(1);

  // A linked account is a way in: removing one asks for the password again.
  await linked.getByRole("button", { name: /^Remove/ }).click();
  const confirm = page.getByRole("dialog", { name: "Confirm it is you" });
  await confirm.getByLabel("Password").fill("another horse battery 2");
  await confirm.getByRole("button", { name: "Confirm" }).click();
  await expect(linked.getByText("None: you sign in with your password only.")).toBeVisible();
  expect(linkedTo(linkerEmail)).toEqual([]);
  await page.goto(`${app.server.url}/settings`);
  await expect(activity.locator('[data-event-type="account_unlinked"]')).toHaveCount(1);

  // Once removed, the provider account no longer reaches this user: the same email is refused.
  const other = await newBrowser(browser);
  const elsewhere = await other.newPage();
  await elsewhere.goto(`${app.server.url}/login?next=/profile`);
  await interactive(elsewhere);
  await elsewhere.getByRole("button", { name: "Sign in with Test IdP" }).click();
  await signInAtProvider(elsewhere, app.idp, linker.sub);
  await expect(elsewhere).toHaveURL(/\/login\?.*error=OAuthAccountNotLinked/);
  await expect(
    elsewhere.getByRole("alert").filter({ hasText: "An account with this email already exists." }),
  ).toHaveText("An account with this email already exists. Sign in with your password.");
  await other.close();
});
