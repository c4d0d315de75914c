/**
 * A server restart (same data folder, same port, as after `npm start` again) changes nothing for a
 * signed-in browser: the page stays signed in and the token it kept is still accepted.
 */
import { expect, test } from "@playwright/test";
import { recordSignInPages, signUpInBrowser, storedToken, uniqueEmail, whoAmI } from "./helpers/browser";
import { startAppServer, type AppServer } from "./helpers/server";

let server: AppServer;

test.beforeAll(async () => {
  test.setTimeout(150_000);
  server = await startAppServer();
});

test.afterAll(async () => {
  await server?.close();
});

test("a server restart keeps the browser signed in with the same token", async ({ page, request }) => {
  test.setTimeout(150_000);
  const email = uniqueEmail("restart");
  await signUpInBrowser(page, email, server.url);
  const signInPages = recordSignInPages(page);
  const token = (await storedToken(page))!;
  expect((await whoAmI(request, token, server.url)).status).toBe(200);

  await server.restart();

  await page.reload();
  await expect(page.getByTestId("profile-email")).toHaveText(email);
  await expect(page.getByTestId("who")).toContainText(`Signed in as ${email}`);
  // Nothing had to be re-minted: the token kept in the browser is accepted as it is.
  expect(await storedToken(page)).toBe(token);
  const me = await whoAmI(request, token, server.url);
  expect(me.status).toBe(200);
  expect(me.body?.email).toBe(email);

  // The sign-in session (the httpOnly cookie) survived too: a lost token is healed from it.
  await page.evaluate(() => localStorage.removeItem("access_token"));
  await page.reload();
  await expect(page.getByTestId("profile-email")).toHaveText(email);
  const healed = await storedToken(page);
  expect(healed).toMatch(/^ey/);
  expect(healed).not.toBe(token);
  expect(signInPages).toEqual([]);
});
