/**
 * Access tokens that live 6 seconds (ACCESS_TOKEN_EXPIRE_MINUTES=0.1) on a dedicated server: an
 * expired token is replaced from the sign-in session, and the user never sees a sign-out.
 */
import { expect, test } from "@playwright/test";
import { claims, recordSignInPages, signUpInBrowser, storedToken, uniqueEmail, whoAmI } from "./helpers/browser";
import { startAppServer, type AppServer } from "./helpers/server";

const TOKEN_LIFE_SECONDS = 6;
let server: AppServer;


test.beforeAll(async () => {
  test.setTimeout(150_000);
  server = await startAppServer({ ACCESS_TOKEN_EXPIRE_MINUTES: String(TOKEN_LIFE_SECONDS / 60) });
});

test.afterAll(async () => {
  await server?.close();
});

/** Resolves once the clock is past the token's expiry (polling, not a fixed sleep). */
async function outlive(token: string) {
  const { exp } = claims(token);
  await expect.poll(() => Date.now() / 1000 > exp + 0.5, { timeout: 20_000, intervals: [250] }).toBe(true);
}

test("a token that expired while the tab was away is re-minted on the next visit, without a sign-out", async ({
  page,
  request,
}) => {
  const email = uniqueEmail("expiry");
  await signUpInBrowser(page, email, server.url);
  const signInPages = recordSignInPages(page);
  await expect(page.getByTestId("token-countdown")).toHaveText(/^\d s$/);

  // The user leaves the app (the tab shows something else); the token it kept runs out meanwhile.
  await page.goto(`${server.url}/api/health`);
  const first = (await storedToken(page))!;
  expect(claims(first).exp - claims(first).iat).toBe(TOKEN_LIFE_SECONDS);
  await outlive(first);
  const stale = await whoAmI(request, first, server.url);
  expect(stale.status).toBe(401);
  expect(stale.body).toMatchObject({ reason: "expired" });

  // Coming back to the profile: still signed in, with a new token, and the sign-in page never showed.
  await page.goto(`${server.url}/profile`);
  await expect(page.getByTestId("profile-email")).toHaveText(email);
  await expect(page.getByTestId("token-countdown")).toHaveText(/^\d s$/);
  const second = (await storedToken(page))!;
  expect(second).not.toBe(first);
  expect(claims(second).sub).toBe(claims(first).sub);

  // Once more, arriving on the home page and following its link to the profile.
  await page.goto(`${server.url}/api/health`);
  const left = (await storedToken(page))!;
  await outlive(left);
  await page.goto(`${server.url}/`);
  await expect(page.getByTestId("who")).toContainText(`Signed in as ${email}`);
  await page.getByRole("main").getByRole("link", { name: "Your profile" }).click();
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByTestId("profile-email")).toHaveText(email);
  await expect(page.getByTestId("token-countdown")).toHaveText(/^\d s$/);
  const third = (await storedToken(page))!;
  expect([first, left]).not.toContain(third);
  expect((await whoAmI(request, third, server.url)).status).toBe(200);
  expect(signInPages).toEqual([]);
});

test("a profile left open keeps a live token: the countdown never says expired", async ({ page }) => {
  const email = uniqueEmail("open-tab");
  await signUpInBrowser(page, email, server.url);
  const signInPages = recordSignInPages(page);
  const first = (await storedToken(page))!;

  // Watch the countdown the way a user watching the page would.
  await page.evaluate(() => {
    const w = window as unknown as { sawExpired: boolean };
    w.sawExpired = false;
    setInterval(() => {
      if (document.querySelector('[data-testid="token-countdown"]')?.textContent === "expired") w.sawExpired = true;
    }, 100);
  });
  await outlive(first);
  await outlive((await storedToken(page))!);

  const current = (await storedToken(page))!;
  expect(current).not.toBe(first);
  expect(claims(current).exp).toBeGreaterThan(Date.now() / 1000);
  await expect(page.getByTestId("token-countdown")).toHaveText(/^\d s$/);
  expect(await page.evaluate(() => (window as unknown as { sawExpired: boolean }).sawExpired)).toBe(false);
  await expect(page.getByTestId("profile-email")).toHaveText(email);
  expect(signInPages).toEqual([]);
});
