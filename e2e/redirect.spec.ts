/**
 * Where the browser goes after signing in is taken from `?next=`, so it must never leave the app's own
 * origin, whatever tricks the value plays with the WHATWG URL parser (browsers drop tabs and newlines,
 * read a backslash as a slash, resolve dot segments). Every request to another host is answered here,
 * without the network, and recorded: the test fails if one is made at all.
 */
import { expect, test, type Page } from "@playwright/test";
import { fillSignIn, interactive, PASSWORD, signUpThroughApi, uniqueEmail } from "./helpers/browser";

/** `next` values, as the page receives them (each is URL-encoded once into the query). */
const TRICKS = [
  "/\t/evil.example/phish",
  "/\n/evil.example/phish",
  "/\r\n/evil.example",
  "\t//evil.example",
  " //evil.example",
  "//evil.example",
  "/\\evil.example",
  "\\\\evil.example",
  "/\\/evil.example",
  "\\/evil.example",
  "/.//evil.example",
  "/./\\evil.example",
  "/%2F/evil.example",
  "%2F%2Fevil.example",
  "/%09/evil.example",
  "https://evil.example/phish",
  "https:evil.example",
  "http:\\\\evil.example",
  "javascript:alert(document.domain)",
  "JaVaScRiPt:alert(1)",
  "\tjavascript:alert(1)",
  "data:text/html,<script>alert(1)</script>",
];

/** Query strings written by hand: encoded and double-encoded forms. */
const RAW_QUERIES = [
  "next=%2F%09%2Fevil.example%2Fphish",
  "next=%2F%0A%2Fevil.example",
  "next=%2F%5Cevil.example",
  "next=%2F%2Fevil.example",
  "next=%252F%252Fevil.example",
  "next=%25252F%25252Fevil.example",
  "next=/%5C/evil.example",
  "next=%2F%252F%2Fevil.example",
  "next=javascript%3Aalert(1)",
  "next=%6A%61%76%61%73%63%72%69%70%74%3Aalert(1)",
];

/** Answers every request to another host with a marker page, and lists those requests. */
async function fenceOtherOrigins(page: Page, appOrigin: string): Promise<string[]> {
  const escaped: string[] = [];
  await page.context().route(
    (url) => url.origin !== appOrigin,
    async (route) => {
      escaped.push(route.request().url());
      await route.fulfill({ status: 200, contentType: "text/html", body: "<h1>evil</h1>" });
    },
  );
  return escaped;
}

/** Forgets the sign-in, from a page of the origin that runs no app script (which would navigate on its own). */
async function signOutLocally(page: Page) {
  await page.context().clearCookies();
  await page.goto("/api/health");
  await page.evaluate(() => localStorage.clear());
}

/** The page has left the sign-in form: the destination is loaded (or the browser went somewhere else). */
async function leftSignIn(page: Page) {
  await page.waitForURL((url) => !url.pathname.startsWith("/login"), { timeout: 30_000 });
  await page.waitForLoadState("load");
}

test("after signing in, a ?next= that tries to leave the site lands on the profile instead", async ({ page, baseURL }) => {
  test.setTimeout(240_000);
  const appOrigin = new URL(baseURL!).origin;
  const escaped = await fenceOtherOrigins(page, appOrigin);
  const email = uniqueEmail("redirect");
  await signUpThroughApi(page.request, email);
  const queries = [...TRICKS.map((t) => `next=${encodeURIComponent(t)}`), ...RAW_QUERIES];

  for (const query of queries) {
    await page.goto(`/login?${query}`);
    await fillSignIn(page, email);
    await leftSignIn(page);
    expect(escaped, `?${query} sent the browser to another origin`).toEqual([]);
    expect(new URL(page.url()).origin, `?${query}`).toBe(appOrigin);
    await signOutLocally(page);
  }
});

test("signing up and finishing a sign-in apply the same check to ?next=", async ({ page, baseURL }) => {
  const appOrigin = new URL(baseURL!).origin;
  const escaped = await fenceOtherOrigins(page, appOrigin);

  await page.goto(`/signup?next=${encodeURIComponent("/\t/evil.example/phish")}`);
  await interactive(page);
  const email = uniqueEmail("redirect-signup");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(`${appOrigin}/profile`);
  expect(escaped).toEqual([]);

  // The page an OpenID Connect sign-in comes back to, with the browser signed in.
  for (const trick of ["/\t/evil.example", "/.//evil.example", "https://evil.example/"]) {
    await page.goto(`/login/complete?next=${encodeURIComponent(trick)}`);
    await expect(page).toHaveURL(`${appOrigin}/profile`);
    expect(escaped, trick).toEqual([]);
  }
});

test("a ?next= on the site itself is where signing in leads", async ({ page, baseURL }) => {
  const appOrigin = new URL(baseURL!).origin;
  const escaped = await fenceOtherOrigins(page, appOrigin);
  const email = uniqueEmail("redirect-ok");
  await signUpThroughApi(page.request, email);

  await page.goto("/login?next=%2Fdocs");
  await fillSignIn(page, email);
  await expect(page).toHaveURL(`${appOrigin}/docs`);

  await signOutLocally(page);
  await page.goto(`/login?next=${encodeURIComponent("/profile?tab=sessions#events")}`);
  await fillSignIn(page, email);
  await expect(page).toHaveURL(`${appOrigin}/profile?tab=sessions#events`);

  // An absolute URL of the app's own origin is a destination on the site too.
  await signOutLocally(page);
  await page.goto(`/login?next=${encodeURIComponent(`${appOrigin}/docs`)}`);
  await fillSignIn(page, email);
  await expect(page).toHaveURL(`${appOrigin}/docs`);
  expect(escaped).toEqual([]);
});
