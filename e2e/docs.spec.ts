import { expect as baseExpect, test, type Page } from "@playwright/test";
import { PASSWORD, signUpInBrowser, signUpThroughApi, storedToken, uniqueEmail, whoAmI } from "./helpers/browser";
import { startAppServer, type AppServer } from "./helpers/server";
import { authorizeButton, authorizeInDialog, LOCKED } from "./helpers/swagger";

// swagger-ui is a large bundle; on a loaded 2-core machine it can take several seconds to render.
const expect = baseExpect.configure({ timeout: 20_000 });

const USERS_ME = "#operations-users-users-read_user_me";

async function executeUsersMe(page: Page) {
  const op = page.locator(USERS_ME);
  if (!(await op.getByRole("button", { name: "Execute" }).isVisible())) await op.locator(".opblock-summary").click();
  await op.getByRole("button", { name: "Execute" }).click();
  return op.locator(".live-responses-table tr.response .response-col_status").first();
}

async function localStorageText(page: Page): Promise<string> {
  return page.evaluate(() => JSON.stringify({ ...window.localStorage }));
}

test.describe.configure({ timeout: 60_000 });

/** Expands an operation (once) and returns its block. */
async function expand(page: Page, id: string) {
  const op = page.locator(`#${id}`);
  await op.locator(".opblock-summary").waitFor();
  if ((await op.locator(".opblock-summary-control").getAttribute("aria-expanded")) !== "true") {
    await op.locator(".opblock-summary").click();
  }
  await expect(op.locator(".responses-table")).toBeVisible();
  return op;
}

/** The Example Value and, after switching tabs, the Schema of one documented response. */
async function documentedResponse(page: Page, operationId: string, code: string) {
  const op = await expand(page, operationId);
  const row = op.locator(`.responses-table tr.response[data-code="${code}"]`);
  const example = (await row.locator(".highlight-code").innerText()).trim();
  await row.getByRole("tab", { name: "Schema" }).click();
  const schema = row.locator('[data-name="modelPanel"]');
  return { example, schema };
}

/** A documented example must be an object with these fields, not the placeholder "string". */
function expectExampleObject(text: string, fields: string[]) {
  expect(text).not.toBe('"string"');
  const value = JSON.parse(text) as Record<string, unknown>;
  expect(typeof value).toBe("object");
  for (const field of fields) expect(Object.keys(value), `${field} in ${text}`).toContain(field);
}

test.describe("the documented schemas and examples", () => {
  const SIGNUP = "operations-users-users-register_user";
  const ME = "operations-users-users-read_user_me";
  const LOGIN = "operations-login-login-login_access_token";

  test("sign-up: the request body is pre-filled with a real object, and try-it-out sends it as it is", async ({ page }) => {
    await page.goto("/docs");
    const op = await expand(page, SIGNUP);
    const prefilled = await op.locator("textarea.body-param__text").inputValue();
    expectExampleObject(prefilled, ["email", "password", "full_name"]);
    expect(JSON.parse(prefilled).email).toBe("user@example.com");

    const { example, schema } = await documentedResponse(page, SIGNUP, "201");
    expectExampleObject(example, ["id", "email", "full_name", "is_active", "is_superuser", "created_at"]);
    for (const field of ["email", "full_name", "is_superuser", "created_at"]) await expect(schema).toContainText(field);
    await expect(schema).not.toContainText("$ref");

    // The request body's own Schema tab is resolved too.
    await op.locator(".opblock-section-request-body").getByRole("tab", { name: "Schema" }).click();
    await expect(op.locator(".opblock-section-request-body")).toContainText("password");

    const sent = page.waitForRequest((r) => r.url().endsWith("/api/v1/users/signup") && r.method() === "POST");
    await op.getByRole("button", { name: "Execute" }).click();
    const body = (await sent).postDataJSON() as Record<string, unknown>;
    expect(body).toMatchObject({ email: "user@example.com", full_name: "Ada Lovelace" });
    expect(typeof body.password).toBe("string");
    // 201 the first time, 409 once the example account exists: never a validation error.
    await expect(op.locator(".live-responses-table tr.response .response-col_status").first()).toHaveText(/^(201|409)$/);
  });

  test("users/me: the 200 and 401 examples and schemas show the real fields", async ({ page }) => {
    await page.goto("/docs");
    const ok = await documentedResponse(page, ME, "200");
    expectExampleObject(ok.example, ["id", "email", "full_name", "is_active", "is_superuser", "created_at"]);
    for (const field of ["email", "full_name", "is_active"]) await expect(ok.schema).toContainText(field);
    await expect(ok.schema).not.toContainText("$ref");
    const refused = await documentedResponse(page, ME, "401");
    expectExampleObject(refused.example, ["detail"]);
    // One of the two error bodies, with the fields of each once expanded.
    await expect(refused.schema).toContainText("One of");
    await refused.schema.getByRole("button", { name: "Expand all" }).first().click();
    await expect(refused.schema).toContainText("detail");
    await expect(refused.schema).toContainText("reason");
    await expect(refused.schema).not.toContainText("$ref");
  });

  test("login/access-token: the token example and the form fields are real", async ({ page }) => {
    await page.goto("/docs");
    const op = await expand(page, LOGIN);
    // The OAuth2 form shows the login fields, not a single "string" box.
    await expect(op.locator(".opblock-section-request-body")).toContainText("username");
    await expect(op.locator(".opblock-section-request-body")).toContainText("password");
    const token = await documentedResponse(page, LOGIN, "200");
    expectExampleObject(token.example, ["access_token", "token_type", "expires_in"]);
    expect(JSON.parse(token.example).token_type).toBe("bearer");
    for (const field of ["access_token", "token_type", "expires_in"]) await expect(token.schema).toContainText(field);
    const wrong = await documentedResponse(page, LOGIN, "400");
    expectExampleObject(wrong.example, ["detail", "error", "error_description"]);
  });
});

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
  // A server of its own and a token's whole life: beside the API suite on a loaded machine this took over
  // the spec's 60 s once (a fresh-clone run, 2026-12-06; 17 s on its retry).
  test.describe.configure({ timeout: 120_000 });
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

test.describe("in dark mode", () => {
  test.use({ colorScheme: "dark" });

  /** Relative luminance (0 black … 1 white) of a computed CSS colour. */
  function luminance(color: string): number {
    const [r, g, b] = (color.match(/[\d.]+/g) ?? []).slice(0, 3).map((c) => {
      const v = Number(c) / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  }
  const contrast = (a: number, b: number) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);

  test("Swagger UI takes the app's dark theme, with readable text", async ({ page }) => {
    await page.goto("/docs");
    const op = await expand(page, "operations-users-users-register_user");
    const style = (selector: string, property: "color" | "backgroundColor") =>
      page.locator(selector).first().evaluate((el, p) => getComputedStyle(el)[p], property);
    const card = luminance(await style(".api-docs", "backgroundColor"));
    expect(card, "the docs card is dark").toBeLessThan(0.05);
    // Text on the card: the title, a tag, an operation's path and description, a response code.
    for (const selector of [".swagger-ui .info .title", ".swagger-ui .opblock-tag", ".swagger-ui .opblock-summary-path", ".swagger-ui .opblock-summary-description", ".swagger-ui .response-col_status"]) {
      expect(contrast(luminance(await style(selector, "color")), card), selector).toBeGreaterThan(7);
    }
    // Boxes Swagger paints white in its light theme.
    for (const selector of [".swagger-ui .scheme-container", ".swagger-ui textarea.body-param__text", ".swagger-ui select"]) {
      expect(luminance(await style(selector, "backgroundColor")), selector).toBeLessThan(0.1);
    }
    await expect(op.locator("textarea.body-param__text")).toBeVisible();
  });
});
