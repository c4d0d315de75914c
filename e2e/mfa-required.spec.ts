/**
 * MFA_REQUIRED=all on a dedicated server: an account without a second factor signs in with its password,
 * lands on the page that only enrols (/enrol: the API refuses it everything else, 403
 * `mfa_enrolment_required`), turns TOTP on there, and goes on to the page it asked for.
 */
import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { Secret, TOTP } from "otpauth";
import { fillSignIn, interactive, PASSWORD, screenshot, signUpThroughApi, storedToken, uniqueEmail } from "./helpers/browser";
import { startAppServer, type AppServer } from "./helpers/server";

let server: AppServer;
test.beforeAll(async () => {
  test.setTimeout(150_000);
  server = await startAppServer({ MFA_REQUIRED: "all" });
});
test.afterAll(async () => server?.close());

const codeFor = (secret: string, steps = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" }).generate({
    timestamp: Date.now() + steps * 30_000,
  });

test("an account without a second factor is sent to enrol, and only then goes on", async ({ page, request }) => {
  test.setTimeout(120_000);
  const email = uniqueEmail("mfa-required");
  await signUpThroughApi(request, email, server.url);
  await page.goto(`${server.url}/login?next=/profile`);
  await fillSignIn(page, email, PASSWORD);
  await expect(page).toHaveURL(`${server.url}/enrol?next=%2Fprofile`);
  await interactive(page);
  await expect(page.getByRole("heading", { name: "Set up two-factor authentication" })).toBeVisible();
  const sessions = await request.get(`${server.url}/api/v1/sessions`, { headers: { Authorization: `Bearer ${(await storedToken(page))!}` } });
  expect(sessions.status()).toBe(403);
  expect((await sessions.json()).reason).toBe("mfa_enrolment_required");

  const section = page.getByRole("region", { name: "Two-factor authentication" });
  await section.getByRole("button", { name: "Set up an authenticator app" }).click();
  const dialog = page.getByRole("dialog", { name: "Confirm it is you" });
  await dialog.getByLabel("Password").fill(PASSWORD);
  await dialog.getByRole("button", { name: "Confirm" }).click();
  const secret = (await section.getByTestId("totp-secret").textContent())!.trim();
  await screenshot(page, "enrol-required");
  // The page, its enrolment step showing, is clean for axe (WCAG 2.1 A and AA, serious or critical).
  const axe = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  expect(axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)).toEqual([]);
  await section.getByLabel("Code from the app").fill(codeFor(secret));
  await section.getByRole("button", { name: "Turn on" }).click();
  await expect(section.getByTestId("recovery-codes").getByRole("listitem")).toHaveCount(10);
  await section.getByRole("button", { name: "I saved them" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page).toHaveURL(`${server.url}/profile`);
  await expect(page.getByTestId("profile-email")).toHaveText(email);
});
