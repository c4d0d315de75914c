/**
 * The docs page's Swagger UI: its Authorize button and dialog (the OAuth2 password flow).
 */
import { expect as baseExpect, type Page } from "@playwright/test";

// swagger-ui is a large bundle; on a loaded 2-core machine it can take several seconds to render.
const expect = baseExpect.configure({ timeout: 20_000 });

/** Swagger marks the Authorize button "locked" when authorized, "unlocked" otherwise. */
export const LOCKED = /(^|\s)locked(\s|$)/;

export function authorizeButton(page: Page) {
  return page.locator(".auth-wrapper button.authorize");
}

/** Opens Swagger's Authorize dialog, fills the password flow's fields and applies them; returns the dialog. */
export async function applyPasswordFlow(page: Page, email: string, password: string) {
  await authorizeButton(page).click();
  const dialog = page.locator(".dialog-ux .modal-ux");
  await dialog.locator("#oauth_username").fill(email);
  await dialog.locator("#oauth_password").fill(password);
  await dialog.getByRole("button", { name: "Apply given OAuth2 credentials" }).click();
  return dialog;
}

/** Logs in through Swagger's own Authorize dialog (OAuth2 password flow). */
export async function authorizeInDialog(page: Page, email: string, password: string) {
  const dialog = await applyPasswordFlow(page, email, password);
  await expect(dialog.getByRole("button", { name: "Remove authorization" }).first()).toBeVisible();
  await dialog.getByRole("button", { name: "Close" }).first().click();
}
