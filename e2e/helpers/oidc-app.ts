/**
 * A spec's OpenID Connect setup: a real OpenID Provider (`oidc-provider`) on 127.0.0.1 and an app server
 * configured for it, started before the spec's tests and stopped after them; on a failed test, the
 * provider's errors and the server's output are printed.
 */
import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { startOidcProvider, type OidcAccount, type OidcProvider } from "./oidc";
import { freePort, startAppServer, type AppServer } from "./server";

export type OidcApp = { readonly idp: OidcProvider; readonly server: AppServer };

/** The provider's development pages load a web font; this machine has no internet. */
async function blockWebFonts(context: BrowserContext) {
  await context.route(/^https:\/\/fonts\.(googleapis|gstatic)\.com\//, (route) => route.abort());
}

/** Another browser (a new context, no cookies), ready for the provider's pages. */
export async function newBrowser(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext();
  await blockWebFonts(context);
  return context;
}

/** At the provider's login page: signs in as `sub` and agrees to share the profile and email with the app. */
export async function signInAtProvider(page: Page, idp: OidcProvider, sub: string) {
  await expect(page).toHaveURL(new RegExp(`^${idp.issuer}/interaction/`));
  await page.locator('input[name="login"]').fill(sub);
  await page.locator('input[name="password"]').fill("anything at all");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await expect(page).toHaveURL(new RegExp(`^${idp.issuer}/interaction/`));
  await page.getByRole("button", { name: "Continue" }).click();
}

export function oidcAppForSpec(accounts: { account: OidcAccount; others?: OidcAccount[] }): OidcApp {
  let idp: OidcProvider | undefined;
  let server: AppServer | undefined;

  test.beforeAll(async () => {
    test.setTimeout(150_000);
    const port = await freePort();
    idp = await startOidcProvider({ redirectUri: `http://127.0.0.1:${port}/api/auth/callback/oidc`, ...accounts });
    server = await startAppServer(
      {
        AUTH_OIDC_ISSUER: idp.issuer,
        AUTH_OIDC_CLIENT_ID: idp.clientId,
        AUTH_OIDC_CLIENT_SECRET: idp.clientSecret,
        AUTH_OIDC_NAME: "Test IdP",
      },
      { port },
    );
  });

  test.afterAll(async () => {
    await server?.close();
    await idp?.close();
  });

  test.beforeEach(async ({ context }) => blockWebFonts(context));

  test.afterEach(async ({}, testInfo) => {
    if (testInfo.status !== testInfo.expectedStatus) {
      console.log(`OpenID Provider errors: ${JSON.stringify(idp?.errors)}\nApp server output:\n${server?.output()}`);
    }
  });

  return {
    get idp() {
      if (!idp) throw new Error("the OpenID Provider is not started yet");
      return idp;
    },
    get server() {
      if (!server) throw new Error("the app server is not started yet");
      return server;
    },
  };
}
