/**
 * The FastAPI template's frontend works against this API unchanged (issue 13): a client generated from
 * our OpenAPI document with the template's openapi-ts settings, called the way the template's frontend
 * calls it, type-checks and runs in Chromium from a page on another origin than the API. The API lists
 * that origin in BACKEND_CORS_ORIGINS; the same page on an origin it does not list gets no answers, so
 * what passes here passes because of CORS, not in spite of it.
 */
import { expect, test, type Page, type Request } from "@playwright/test";
import { uniqueEmail } from "./helpers/browser";
import { ADMIN_EMAIL, ADMIN_PASSWORD, startAppServer, type AppServer } from "./helpers/server";
import { buildTemplateFrontend, serveFrontend, type FrontendSite, type TemplateFrontend } from "./helpers/template-client";
import { awayFromStepEnd, codeAt } from "../tests/helpers/totp";
import { newTotpAccount } from "./helpers/accounts";

let server: AppServer | undefined;
let frontend: TemplateFrontend | undefined;
let site: FrontendSite | undefined;

/** The page's origin the API lists, and the same page on an origin it does not. */
const listedOrigin = () => `http://localhost:${site!.port}`;
const unlistedOrigin = () => `http://127.0.0.1:${site!.port}`;

test.beforeAll(async () => {
  // Starting a production server, generating, type-checking and bundling: slow on a loaded machine.
  test.setTimeout(180_000);
  site = await serveFrontend(() => frontend?.bundle);
  server = await startAppServer({ BACKEND_CORS_ORIGINS: `http://localhost:${site.port}` });
  try {
    frontend = await buildTemplateFrontend(server.url);
  } catch (error) {
    console.log(`App server output:\n${server.output()}`);
    throw error;
  }
});

test.afterAll(async () => {
  frontend?.remove();
  await site?.close();
  await server?.close();
});

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus) console.log(`App server output:\n${server?.output()}`);
});

type ApiRequest = { method: string; path: string; origin: string | undefined; status: number | undefined; allowOrigin: string | undefined };

/** Every request the page sends to the API, with its Origin header and the answer's status and CORS header. */
function recordApiRequests(page: Page, apiUrl: string): () => Promise<ApiRequest[]> {
  const seen: Promise<ApiRequest>[] = [];
  const describe = async (request: Request): Promise<ApiRequest> => {
    // allHeaders() adds what the network stack sent, but a request the browser failed has only the
    // headers the page's fetch asked for, Origin among them.
    const headers = { ...request.headers(), ...(await request.allHeaders()) };
    const response = await request.response().catch(() => null);
    return {
      method: request.method(),
      path: new URL(request.url()).pathname,
      origin: headers["origin"],
      status: response?.status(),
      allowOrigin: response ? (await response.allHeaders())["access-control-allow-origin"] : undefined,
    };
  };
  page.on("request", (request) => {
    if (request.url().startsWith(`${apiUrl}/`)) seen.push(describe(request));
  });
  return () => Promise.all(seen);
}

/** The page's `window.templateFrontend` (e2e/fixtures/template-frontend/main.ts). */
type TemplateWindow = {
  templateFrontend: {
    flow(input: unknown): Promise<unknown>;
    editUserDialog(input: unknown): Promise<unknown>;
    probe(token: string): Promise<unknown>;
    loginWithCode(input: unknown): Promise<unknown>;
  };
};

async function openFrontend(page: Page, origin: string) {
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => "templateFrontend" in window);
}

test("the template's calls work from a listed origin, every one of them cross-origin", async ({ page }) => {
  const api = server!.url;
  const apiRequests = recordApiRequests(page, api);
  await openFrontend(page, listedOrigin());

  const email = uniqueEmail("template");
  const user = {
    email,
    password: "first secret phrase",
    newPassword: "second secret phrase",
    fullName: "Ada Template",
    newFullName: "Ada Renamed",
  };
  const result = await page.evaluate(
    (input) => (window as unknown as TemplateWindow).templateFrontend.flow(input),
    { admin: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, user },
  );

  const newId = (result as { registered: { id: string } }).registered.id;
  expect(result).toEqual({
    healthy: true,
    adminToken: { token_type: "bearer", hasToken: true },
    adminMe: { email: ADMIN_EMAIL, is_superuser: true },
    registered: { id: expect.any(String), email, full_name: "Ada Template" },
    // The server is this spec's own: the admin and the new user.
    users: { count: 2, ids: expect.arrayContaining([newId]) },
    renamed: { id: newId, full_name: "Ada Renamed" },
    userMe: { id: newId, full_name: "Ada Renamed", is_superuser: false },
    passwordChanged: { message: expect.any(String) },
    oldPassword: { kind: "api", status: 400, detail: "Incorrect email or password" },
    newPasswordLogin: true,
    afterChange: { id: newId },
  });
  expect((result as { users: { ids: string[] } }).users.ids).toHaveLength(2);

  const requests = await apiRequests();
  // health-check, 4 logins, 3 readUserMe, registerUser, readUsers, updateUser, updatePasswordMe.
  expect(requests.map((r) => `${r.method} ${r.path}`).sort()).toEqual(
    [
      "GET /api/v1/utils/health-check/",
      ...Array(4).fill("POST /api/v1/login/access-token"),
      ...Array(3).fill("GET /api/v1/users/me"),
      "POST /api/v1/users/signup",
      "GET /api/v1/users/",
      `PATCH /api/v1/users/${newId}`,
      "PATCH /api/v1/users/me/password",
    ].sort(),
  );
  for (const request of requests) {
    expect(request, `${request.method} ${request.path}`).toMatchObject({
      origin: listedOrigin(),
      allowOrigin: listedOrigin(),
    });
  }
  // Every call answered in place (a redirect, say for a trailing slash, would fail a preflighted call);
  // the only refusal is the old password's.
  expect(requests.filter((r) => r.status !== 200 && r.status !== 201).map((r) => `${r.status} ${r.method} ${r.path}`)).toEqual([
    "400 POST /api/v1/login/access-token",
  ]);
});

test("the template's Edit User dialog, which sends the listed user back with confirm_password, renames the user", async ({
  page,
}) => {
  const email = uniqueEmail("edit-dialog");
  const signup = await fetch(`${server!.url}/api/v1/users/signup`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, password: "a third secret phrase", full_name: "Before Edit" }),
  });
  expect(signup.status).toBe(201);
  const { id } = (await signup.json()) as { id: string };

  await openFrontend(page, listedOrigin());
  const result = await page.evaluate(
    (input) => (window as unknown as TemplateWindow).templateFrontend.editUserDialog(input),
    { admin: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, userId: id, fullName: "After Edit" },
  );
  // FastAPI ignores the fields a model does not declare; the dialog relies on it.
  expect(result).toEqual({ full_name: "After Edit" });
});

test("a user with an authenticator app signs in at the template's login form: the password followed by the code", async ({ page, request }) => {
  const { email, password, secret } = await newTotpAccount(request, "template-totp", server!.url);
  await openFrontend(page, listedOrigin());
  await awayFromStepEnd();
  const result = await page.evaluate(
    (input) => (window as unknown as TemplateWindow).templateFrontend.loginWithCode(input),
    { email, password, code: codeAt(secret) },
  );
  expect(result).toEqual({
    // What the template's handleError shows the user in its toast: what to type.
    passwordAlone: { kind: "api", status: 401, detail: expect.stringMatching(/^Second factor required: sign in with your password followed by the 6-digit code/) },
    signedIn: true,
    me: { email },
  });
});

test("the same page on an origin the API does not list gets no answer", async ({ page }) => {
  const api = server!.url;
  // A live token, so that only the origin stands between the page and the answer.
  const login = await fetch(`${api}/api/v1/login/access-token`, {
    method: "POST",
    body: new URLSearchParams({ username: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
  });
  expect(login.status).toBe(200);
  const { access_token: token } = (await login.json()) as { access_token: string };
  const me = await fetch(`${api}/api/v1/users/me`, { headers: { Authorization: `Bearer ${token}` } });
  expect(me.status).toBe(200);

  const apiRequests = recordApiRequests(page, api);
  await openFrontend(page, unlistedOrigin());
  const result = await page.evaluate((t) => (window as unknown as TemplateWindow).templateFrontend.probe(t), token);

  // Both calls fail in the browser, with no status for the page to read (axios: "Network Error").
  expect(result).toEqual({
    simple: { kind: "network", message: expect.any(String) },
    preflighted: { kind: "network", message: expect.any(String) },
  });
  // The page did try both, and got no answer it may read.
  const requests = await apiRequests();
  expect(requests.map((r) => `${r.method} ${r.path} ${r.status ?? "no answer"}`).sort()).toEqual([
    "GET /api/v1/users/me no answer",
    "GET /api/v1/utils/health-check/ no answer",
  ]);

  // Why: what the API tells the browser for that origin (and, for contrast, for the listed one).
  const preflight = (origin: string) =>
    fetch(`${api}/api/v1/users/me`, {
      method: "OPTIONS",
      headers: { Origin: origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization" },
    });
  const refused = await preflight(unlistedOrigin());
  expect(refused.status).toBe(403);
  expect(refused.headers.get("access-control-allow-origin")).toBeNull();
  const allowed = await preflight(listedOrigin());
  expect(allowed.status).toBe(204);
  expect(allowed.headers.get("access-control-allow-origin")).toBe(listedOrigin());
  const simple = await fetch(`${api}/api/v1/utils/health-check/`, { headers: { Origin: unlistedOrigin() } });
  expect(simple.status).toBe(200);
  expect(simple.headers.get("access-control-allow-origin")).toBeNull();
});
