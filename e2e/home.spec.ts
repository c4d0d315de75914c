import { expect, test } from "@playwright/test";

test("the home page explains how signing in works and links to the API description", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Sign-in system");
  await expect(page.getByText("Authorization: Bearer")).toBeVisible();
  await page.screenshot({ path: "test-results/screenshots/home.png", fullPage: true });

  await page.getByRole("link", { name: "/api/openapi.json" }).click();
  await expect(page).toHaveURL(/\/api\/openapi\.json$/);
  await expect(page.locator("body")).toContainText('"openapi":"3.1.0"');
});
