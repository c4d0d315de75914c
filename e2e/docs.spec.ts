import { expect as baseExpect, test, type Page } from "@playwright/test";
import { PASSWORD, signUpInBrowser, signUpThroughApi, storedToken, uniqueEmail, whoAmI } from "./helpers/browser";
// swagger-ui is a large bundle; on a loaded 2-core machine it can take several seconds to render.
const expect = baseExpect.configure({ timeout: 20_000 });
import { startAppServer, type AppServer } from "./helpers/server";

const USERS_ME = "#operations-users-get_api_v1_users_me";

/** Swagger marks the Authorize button "locked" when authorized, "unlocked" otherwise. */
const LOCKED = /(^|\s)locked(\s|$)/;

function authorizeButton(page: Page) {
  return page.locator(".auth-wrapper button.authorize");
}

async function executeUsersMe(page: Page) {
  const op = page.locator(USERS_ME);
  if (!(await op.getByRole("button", { name: "Execute" }).isVisible())) await op.locator(".opblock-summary").click();
  await op.getByRole("button", { name: "Execute" }).click();
  return op.locator(".live-responses-table tr.response .response-col_status").first();
}

/** Logs in through Swagger's own Authorize dialog (OAuth2 password flow). */
async function authorizeInDialog(page: Page, email: string, password: string) {
  await authorizeButton(page).click();
  const dialog = page.locator(".dialog-ux .modal-ux");
  await dialog.locator("#oauth_username").fill(email);
  await dialog.locator("#oauth_password").fill(password);
  await dialog.getByRole("button", { name: "Apply given OAuth2 credentials" }).click();
  await expect(dialog.getByRole("button", { name: "Remove authorization" }).first()).toBeVisible();
  await dialog.getByRole("button", { name: "Close" }).first().click();
}

async function localStorageText(page: Page): Promise<string> {
  return page.evaluate(() => JSON.stringify({ ...window.localStorage }));
}

test.describe.configure({ timeout: 60_000 });

test("pre-authorized with the app's token on load and after a refresh; try it out on users/me gives 200", async ({ page }) => {
  const email = uniqueEmail("docs");
  await signUpInBrowser(page, email);
  await page.goto("/docs");
  await expect(page.getByTestId("docs-notice")).toContainText("Authorized with your saved access token");
  await expect(authorizeButton(page)).toHaveClass(LOCKED);
  await page.screenshot({ path: "test-results/screenshots/docs.png" });

  await page.reload();
  await expect(authorizeButton(page)).toHaveClass(LOCKED);
  await expect(await executeUsersMe(page)).toHaveText("200");
  await expect(page.locator(`${USERS_ME} .live-responses-table`)).toContainText(email);

  // Both security schemes show as authorized in the dialog.
  await authorizeButton(page).click();
  await expect(page.locator(".dialog-ux .modal-ux").getByRole("button", { name: "Remove authorization" })).toHaveCount(2);
  await page.screenshot({ path: "test-results/screenshots/docs-authorize-dialog.png" });
  // Signing in through the page never left the password in localStorage.
  expect(await localStorageText(page)).not.toContain(PASSWORD);
});

test("logging in through Swagger's Authorize dialog signs the app in, and keeps no password", async ({ page, request }) => {
  const email = uniqueEmail("dialog");
  const password = "swagger dialog password 1";
  await signUpThroughApi(request, email, "", password);
  await page.goto("/docs");
  await expect(authorizeButton(page)).not.toHaveClass(LOCKED);
  await authorizeInDialog(page, email, password);
  await expect(authorizeButton(page)).toHaveClass(LOCKED);

  const token = await storedToken(page);
  expect(token).toMatch(/^ey/);
  expect((await whoAmI(request, token!)).status).toBe(200);
  const saved = await localStorageText(page);
  expect(saved).not.toContain(password);

  await page.reload();
  await expect(authorizeButton(page)).toHaveClass(LOCKED);
  await expect(await executeUsersMe(page)).toHaveText("200");

  await page.goto("/profile");
  await expect(page.getByTestId("profile-email")).toHaveText(email);
});

test("signing out in the app signs the docs page out, including Swagger's saved authorization", async ({ page, context, request }) => {
  const email = uniqueEmail("docs-out");
  await signUpInBrowser(page, email);
  const token = await storedToken(page);
  const docs = await context.newPage();
  await docs.goto("/docs");
  await expect(authorizeButton(docs)).toHaveClass(LOCKED);
  expect(await docs.evaluate(() => window.localStorage.getItem("authorized"))).toContain("access_token");

  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login/);

  await expect(authorizeButton(docs)).not.toHaveClass(LOCKED);
  await expect(docs.getByTestId("docs-notice")).toContainText("You signed out");
  expect(await docs.evaluate(() => window.localStorage.getItem("authorized"))).toBeNull();
  await docs.reload();
  await expect(authorizeButton(docs)).not.toHaveClass(LOCKED);
  expect((await whoAmI(request, token!)).status).toBe(401);
});

test.describe("with tokens that live 6 seconds", () => {
  let server: AppServer;
  test.beforeAll(async () => {
    server = await startAppServer({ ACCESS_TOKEN_EXPIRE_MINUTES: "0.1" });
  });
  test.afterAll(async () => {
    await server?.close();
  });

  test("an expired token is dropped from Swagger's state with a message", async ({ page, request }) => {
    const email = uniqueEmail("docs-exp");
    await signUpThroughApi(request, email, server.url);
    await page.goto(`${server.url}/docs`);
    await authorizeInDialog(page, email, PASSWORD);
    await expect(authorizeButton(page)).toHaveClass(LOCKED);

    // Past the token's life, with no browser sign-in to mint a new one from.
    await expect
      .poll(async () => (await whoAmI(request, (await storedToken(page))!, server.url)).status, { timeout: 15_000 })
      .toBe(401);
    await expect(await executeUsersMe(page)).toHaveText("401");
    await expect(page.getByTestId("docs-notice")).toContainText("The saved token expired");
    await expect(authorizeButton(page)).not.toHaveClass(LOCKED);
    expect(await storedToken(page)).toBeNull();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: "test-results/screenshots/docs-expired.png" });

    await page.reload();
    await expect(authorizeButton(page)).not.toHaveClass(LOCKED);
  });
});
