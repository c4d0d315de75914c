/**
 * Every page, signed out and signed in, loads without a console error, an uncaught exception or a
 * failed request: a red line in the console is what a visitor who opens the developer tools sees first.
 */
import { expect as baseExpect, test, type Page } from "@playwright/test";
import { interactive, signUpInBrowser, uniqueEmail } from "./helpers/browser";

// Swagger UI is a large bundle; on a loaded 2-core machine it can take several seconds to render.
const expect = baseExpect.configure({ timeout: 20_000 });

const PAGES = ["/", "/login", "/signup", "/profile", "/settings", "/admin", "/docs", "/recover-password", "/reset-password", "/verify-email"];
const MISSING = "/no-such-page";

type Problem = string;

/** Collects what a visitor would see as an error while the page loads. */
function watch(page: Page): Problem[] {
  const problems: Problem[] = [];
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    // Chromium logs the not-found page's own 404 as "Failed to load resource".
    if (new URL(message.location().url || page.url()).pathname === MISSING && message.text().includes("404")) return;
    problems.push(`console error on ${page.url()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`uncaught on ${page.url()}: ${error.message}`));
  page.on("response", (response) => {
    const url = new URL(response.url());
    // The one deliberate error: the not-found page itself answers 404.
    if (url.pathname === MISSING && response.request().isNavigationRequest() && response.status() === 404) return;
    if (response.status() >= 400) problems.push(`${response.status()} for ${response.request().method()} ${response.url()}`);
  });
  page.on("requestfailed", (request) => {
    const failure = request.failure()?.errorText ?? "";
    // The browser cancelling a request of the page it is leaving is not a failure of the site.
    if (failure === "net::ERR_ABORTED") return;
    problems.push(`${request.method()} ${request.url()} failed: ${failure}`);
  });
  return problems;
}

/** Loads `path` and waits until the page has done what it does on load. */
async function visit(page: Page, path: string) {
  await page.goto(path);
  await interactive(page);
  if (path === "/docs") await expect(page.locator(".swagger-ui .opblock").first()).toBeVisible();
  // Whatever the page fetches after it rendered (the sign-in check, Swagger's authorization).
  await page.waitForLoadState("networkidle");
}

for (const signedIn of [false, true]) {
  test(`every page loads without a console error or a failed request, signed ${signedIn ? "in" : "out"}`, async ({
    page,
  }) => {
    test.setTimeout(120_000);
    if (signedIn) await signUpInBrowser(page, uniqueEmail("console"));
    const problems = watch(page);
    for (const path of [...PAGES, MISSING]) await visit(page, path);
    // A second round: now the favicon and the stored state (token, Swagger's authorization) exist.
    for (const path of PAGES) await visit(page, path);
    expect(problems).toEqual([]);
  });
}

test("an unknown address shows the site's own not-found page, with the header", async ({ page }) => {
  const response = await page.goto(MISSING);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page not found");
  await expect(page.getByTestId("who")).toBeVisible();
  await expect(page.getByRole("main").getByRole("link", { name: "home page" })).toHaveAttribute("href", "/");
});
