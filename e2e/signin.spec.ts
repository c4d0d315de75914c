import { expect, test } from "@playwright/test";

test("sign up, land on the profile, refresh and stay signed in", async ({ page }) => {
  const email = `e2e-${Date.now()}@example.com`;
  await page.goto("/signup");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByTestId("profile-email")).toHaveText(email);
  await expect(page.getByTestId("who")).toContainText(email);
  await page.screenshot({ path: "test-results/screenshots/profile.png", fullPage: true });

  await page.reload();
  await expect(page.getByTestId("profile-email")).toHaveText(email);
  const stored = await page.evaluate(() => localStorage.getItem("access_token"));
  expect(stored).toMatch(/^ey/);
});
