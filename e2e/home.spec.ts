import { expect, test } from "@playwright/test";
import { screenshot } from "./helpers/browser";

test("the home page explains how signing in works and links to the profile and the API docs", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Sign-in system");
  await expect(page.getByText("Authorization: Bearer")).toBeVisible();
  await expect(page.getByText("POST /api/v1/login/access-token")).toBeVisible();
  // A visitor who has not signed in is offered both ways in, in the header on every page.
  const header = page.getByTestId("who");
  await expect(header.getByRole("link", { name: "Sign in" })).toBeVisible();
  await expect(header.getByRole("link", { name: "Sign up" })).toBeVisible();

  const main = page.getByRole("main");
  await expect(main.getByRole("link", { name: "API docs" })).toHaveAttribute("href", "/docs");
  await screenshot(page, "home");

  // The main button says what it does for a signed-out visitor: sign in, then on to the profile.
  await main.getByRole("link", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/login\?next=%2Fprofile$/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
});
