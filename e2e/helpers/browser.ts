/**
 * What the specs do over and over, the way a user does it: sign up and sign in through the pages,
 * read what the page keeps in localStorage, ask the API whether a token still works, take screenshots.
 */
import fs from "node:fs";
import path from "node:path";
import { expect, type APIRequestContext, type Page } from "@playwright/test";

export const PASSWORD = "correct horse battery";
export const TOKEN_KEY = "access_token";

let counter = 0;
/** An email nobody has used, so tests never collide on the unique index of a shared server. */
export function uniqueEmail(label = "e2e"): string {
  return `${label}-${Date.now().toString(36)}-${process.pid}-${counter++}@example.com`;
}

/**
 * Resolves once the page is running (hydrated, and done checking who is signed in): the header says
 * "Checking sign-in…" until then. A click before that would reach a form without its script.
 */
export async function interactive(page: Page) {
  await expect(page.getByTestId("who")).not.toHaveText(/Checking sign-in/);
}

/** `base` is "" for the suite's server (Playwright's baseURL) or a dedicated server's URL. */
export async function signUpInBrowser(page: Page, email: string, base = "", password = PASSWORD) {
  await page.goto(`${base}/signup`);
  await interactive(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByTestId("profile-email")).toHaveText(email);
}

/** Signs in on the page it is on (the sign-in page). */
export async function fillSignIn(page: Page, email: string, password = PASSWORD) {
  await interactive(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** Creates an account through the API (for tests about signing in, not signing up). */
export async function signUpThroughApi(request: APIRequestContext, email: string, base = "", password = PASSWORD) {
  const response = await request.post(`${base}/api/v1/users/signup`, { data: { email, password } });
  expect(response.status(), await response.text()).toBe(201);
}

export function storedToken(page: Page): Promise<string | null> {
  return page.evaluate((key) => window.localStorage.getItem(key), TOKEN_KEY);
}

/** The claims of a JWT, read the way the page reads them (no verification). */
export function claims(token: string): { sub: string; jti: string; iat: number; exp: number } {
  return JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8"));
}

/** What the API says to a request carrying `token`: status and body of GET /api/v1/users/me. */
export async function whoAmI(request: APIRequestContext, token: string, base = "") {
  const response = await request.get(`${base}/api/v1/users/me`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  return { status: response.status(), body: (await response.json().catch(() => null)) as Record<string, unknown> | null };
}

/** Every URL of the sign-in page the tab was sent to, from now on (a visible sign-out). */
export function recordSignInPages(page: Page): string[] {
  const seen: string[] = [];
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame() && new URL(frame.url()).pathname.startsWith("/login")) seen.push(frame.url());
  });
  return seen;
}

const screenshotDir = path.join("test-results", "screenshots");

export async function screenshot(page: Page, name: string) {
  fs.mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}
