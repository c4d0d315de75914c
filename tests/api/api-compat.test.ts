/**
 * API_COMPAT=fastapi-template (docs/fastapi-template.md): each rule it relaxes, answered as the FastAPI
 * template's backend answers it, and the same request against a server with our defaults, which stay
 * as strict as before: 201/409, `reauth_required` for a token alone, the same-password check first, no
 * `/private/users/`. Recovery stays enumeration-safe either way.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { runSql, sqlTimestamp } from "../helpers/database";
import { passwordLogin, refreshed } from "../helpers/refresh";
import { adminToken, ADMIN_EMAIL, login, startServer, uniqueEmail, type ApiResponse, type Json, type Server } from "../helpers/server";

const PASSWORD = "password-1234";
const TAKEN = "The user with this email already exists in the system";
const SAME_PASSWORD = "New password cannot be the same as the current one";
const COMPAT = { API_COMPAT: "fastapi-template" };
/** Two minutes: a login outlives any slow test, and is made older than that by rewriting its time. */
const MAX_AGE_SECONDS = 120;

/** Signs up (whatever the status the mode answers) and logs in. */
async function account(server: Server, label: string) {
  const email = uniqueEmail(label);
  const res = await server.api("/api/v1/users/signup", { method: "POST", json: { email, password: PASSWORD } });
  assert.ok(res.status === 200 || res.status === 201, res.text);
  return { email, id: res.body.id as string, token: await login(server, email, PASSWORD) };
}

function assertReauthRequired(res: ApiResponse, what: string) {
  assert.equal(res.status, 401, `${what}: ${res.text}`);
  assert.equal(res.body.reason, "reauth_required", what);
}

const document = async (server: Server) => (await server.api("/api/openapi.json")).body as Json;
const operation = async (server: Server, path: string, method: string) =>
  (await document(server)).paths[path]?.[method] as { responses: Record<string, Json> } | undefined;

const privateUser = (server: Server, email: string) =>
  server.api("/api/v1/private/users/", { method: "POST", json: { email, password: "password123", full_name: "Pollo Listo" } });

const recovery = (server: Server, email: string) => server.api(`/api/v1/password-recovery/${encodeURIComponent(email)}`, { method: "POST" });

describe("our defaults (API_COMPAT unset)", () => {
  let server: Server;
  let admin: string;
  before(async () => {
    server = await startServer({ REAUTH_MAX_AGE_MINUTES: String(MAX_AGE_SECONDS / 60) });
    admin = await adminToken(server);
  });
  after(() => server?.close());

  test("no start-up note about compatibility", () => {
    assert.doesNotMatch(server.output(), /API_COMPAT/);
  });

  test("sign-up and POST /users/: 201, and 409 for a taken email; so says the document", async () => {
    const email = uniqueEmail("default-signup");
    assert.equal((await server.api("/api/v1/users/signup", { method: "POST", json: { email, password: PASSWORD } })).status, 201);
    const again = await server.api("/api/v1/users/signup", { method: "POST", json: { email, password: PASSWORD } });
    assert.equal(again.status, 409);
    assert.deepEqual(again.body, { detail: TAKEN });
    const created = await server.api("/api/v1/users/", { method: "POST", token: admin, json: { email: uniqueEmail("default-create"), password: PASSWORD } });
    assert.equal(created.status, 201, created.text);
    const dup = await server.api("/api/v1/users/", { method: "POST", token: admin, json: { email, password: PASSWORD } });
    assert.equal(dup.status, 409);
    assert.deepEqual(dup.body, { detail: TAKEN });
    for (const path of ["/api/v1/users/signup", "/api/v1/users/"]) {
      const statuses = Object.keys((await operation(server, path, "post"))!.responses);
      assert.ok(statuses.includes("201") && statuses.includes("409") && !statuses.includes("200"), `${path}: ${statuses}`);
    }
  });

  test("a fresh login's token alone changes no email and deletes no account: 401 reauth_required", async () => {
    const { token, email } = await account(server, "default-sudo");
    assertReauthRequired(
      await server.api("/api/v1/users/me", { method: "PATCH", token, json: { email: uniqueEmail("default-new") } }),
      "email change",
    );
    assertReauthRequired(await server.api("/api/v1/users/me", { method: "DELETE", token }), "delete");
    assert.equal((await server.api("/api/v1/users/me", { token })).body.email, email);
  });

  test("the same password as both fields is refused before the current one is checked", async () => {
    const { token } = await account(server, "default-order");
    const res = await server.api("/api/v1/users/me/password", {
      method: "PATCH",
      token,
      json: { current_password: "wrong-guess-123", new_password: "wrong-guess-123" },
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.detail, SAME_PASSWORD);
  });

  test("POST /private/users/: 404, and not in the document", async () => {
    const res = await privateUser(server, uniqueEmail("default-private"));
    assert.equal(res.status, 404, res.text);
    assert.deepEqual(res.body, { detail: "Not Found" });
    assert.equal(await operation(server, "/api/v1/private/users/", "post"), undefined);
    const doc = await document(server);
    assert.equal(doc.components.schemas.PrivateUserCreate, undefined);
    assert.ok(!doc.tags.some((tag: { name: string }) => tag.name === "private"));
  });
});

describe("API_COMPAT=fastapi-template", () => {
  let server: Server;
  let admin: string;
  before(async () => {
    server = await startServer({ ...COMPAT, REAUTH_MAX_AGE_MINUTES: String(MAX_AGE_SECONDS / 60) });
    admin = await adminToken(server);
  });
  after(() => server?.close());

  test("start-up says what it relaxes", () => {
    const output = server.output();
    assert.match(output, /API_COMPAT=fastapi-template answers as the FastAPI template's backend, which relaxes:/);
    assert.match(output, /a sign-in counts as the fresh proof sensitive changes need \(sudo mode: .*\) for 2 minutes after it/);
    assert.match(output, /POST \/api\/v1\/private\/users\/ creates accounts without signing in/);
  });

  test("sign-up and POST /users/: 200, and 400 with the same detail for a taken email; so says the document", async () => {
    const email = uniqueEmail("compat-signup");
    const signup = await server.api("/api/v1/users/signup", { method: "POST", json: { email, password: PASSWORD, full_name: "Ada" } });
    assert.equal(signup.status, 200, signup.text);
    assert.equal(signup.body.email, email);
    assert.equal(signup.body.full_name, "Ada");
    const again = await server.api("/api/v1/users/signup", { method: "POST", json: { email, password: PASSWORD } });
    assert.equal(again.status, 400);
    assert.deepEqual(again.body, { detail: TAKEN });
    const created = await server.api("/api/v1/users/", { method: "POST", token: admin, json: { email: uniqueEmail("compat-create"), password: PASSWORD } });
    assert.equal(created.status, 200, created.text);
    const dup = await server.api("/api/v1/users/", { method: "POST", token: admin, json: { email, password: PASSWORD } });
    assert.equal(dup.status, 400);
    assert.deepEqual(dup.body, { detail: TAKEN });
    for (const path of ["/api/v1/users/signup", "/api/v1/users/"]) {
      const responses = (await operation(server, path, "post"))!.responses;
      const statuses = Object.keys(responses);
      assert.ok(statuses.includes("200") && statuses.includes("400"), `${path}: ${statuses}`);
      assert.ok(!statuses.includes("201") && !statuses.includes("409"), `${path}: ${statuses}`);
      assert.deepEqual(responses["400"].content["application/json"].example, { detail: TAKEN }, path);
    }
    // A body that is not JSON is still a 400 of its own, and validation a 422: only the two statuses move.
    const bad = await server.api("/api/v1/users/signup", { method: "POST", body: "{", headers: { "content-type": "application/json" } });
    assert.equal(bad.status, 400);
    assert.notEqual(bad.body.detail, TAKEN);
    assert.equal((await server.api("/api/v1/users/signup", { method: "POST", json: { email } })).status, 422);
  });

  test("a fresh login changes the email at once (200 with the user); the new address signs in, the old one no more", async () => {
    const { token, email } = await account(server, "compat-email");
    const newEmail = uniqueEmail("compat-email-new");
    const res = await server.api("/api/v1/users/me", { method: "PATCH", token, json: { email: newEmail, full_name: "Updated Name" } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.email, newEmail);
    assert.equal(res.body.full_name, "Updated Name");
    assert.equal(res.body.is_verified, false);
    await login(server, newEmail, PASSWORD);
    const old = await server.api("/api/v1/login/access-token", { method: "POST", form: { username: email, password: PASSWORD } });
    assert.equal(old.status, 400);
  });

  test("a taken email: 409 in the template's words, and nothing changes", async () => {
    const { token, email } = await account(server, "compat-taken");
    const res = await server.api("/api/v1/users/me", { method: "PATCH", token, json: { email: ADMIN_EMAIL, full_name: "Not Applied" } });
    assert.equal(res.status, 409, res.text);
    assert.deepEqual(res.body, { detail: "User with this email already exists" });
    const me = (await server.api("/api/v1/users/me", { token })).body;
    assert.equal(me.email, email);
    assert.equal(me.full_name, null);
  });

  test("a fresh login deletes the account with its token alone", async () => {
    const { token, email } = await account(server, "compat-delete");
    const res = await server.api("/api/v1/users/me", { method: "DELETE", token });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { message: "User deleted successfully" });
    assert.equal((await server.api("/api/v1/users/me", { token })).status, 401);
    const gone = await server.api("/api/v1/login/access-token", { method: "POST", form: { username: email, password: PASSWORD } });
    assert.equal(gone.status, 400);
  });

  test("a login older than REAUTH_MAX_AGE_MINUTES counts no more, for its refreshed tokens either; a new login does", async () => {
    const email = uniqueEmail("compat-old-login");
    await server.api("/api/v1/users/signup", { method: "POST", json: { email, password: PASSWORD } });
    const tokens = await passwordLogin(server, email, PASSWORD);
    const loggedIn = sqlTimestamp(new Date(Date.now() - MAX_AGE_SECONDS * 1000 - 1000));
    const user = (await server.api("/api/v1/users/me", { token: tokens.access_token })).body;
    await runSql(server, `UPDATE "refresh_families" SET "created_at" = ? WHERE "user_id" = ?`, [loggedIn, user.id]);
    const change = (token: string) => server.api("/api/v1/users/me", { method: "PATCH", token, json: { email: uniqueEmail("compat-late") } });
    assertReauthRequired(await change(tokens.access_token), "the old login's token");
    assertReauthRequired(await change((await refreshed(server, tokens.refresh_token)).access_token), "a token refreshed from it");
    assertReauthRequired(await server.api("/api/v1/users/me", { method: "DELETE", token: tokens.access_token }), "delete");
    assert.equal((await change(await login(server, email, PASSWORD))).status, 200);
  });

  test("PATCH /users/me/password checks the current password first, as the template", async () => {
    const { token } = await account(server, "compat-order");
    const wrong = await server.api("/api/v1/users/me/password", {
      method: "PATCH",
      token,
      json: { current_password: "wrong-guess-123", new_password: "wrong-guess-123" },
    });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.detail, "Incorrect password");
    const same = await server.api("/api/v1/users/me/password", {
      method: "PATCH",
      token,
      json: { current_password: PASSWORD, new_password: PASSWORD },
    });
    assert.equal(same.status, 400);
    assert.equal(same.body.detail, SAME_PASSWORD);
  });

  test("password recovery answers alike for a known and an unknown address", async () => {
    const { email } = await account(server, "compat-recovery");
    const known = await recovery(server, email);
    const unknown = await recovery(server, uniqueEmail("compat-nobody"));
    assert.equal(known.status, 200);
    assert.deepEqual(known.body, unknown.body);
    assert.deepEqual(known.body, { message: "If that email is registered, we sent a password recovery link" });
  });

  test("ENVIRONMENT=local (the default): POST /private/users/ creates an active account that signs in, in the document", async () => {
    const email = uniqueEmail("compat-private");
    const res = await privateUser(server, email);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.email, email);
    assert.equal(res.body.full_name, "Pollo Listo");
    assert.equal(res.body.is_active, true);
    assert.equal(res.body.is_superuser, false);
    await login(server, email, "password123");
    const declared = await operation(server, "/api/v1/private/users/", "post");
    assert.ok(declared?.responses["200"], "documented");
    assert.ok((await document(server)).components.schemas.PrivateUserCreate, "its body's schema too");
    assert.equal((await privateUser(server, email)).status, 409);
  });

  test("ENVIRONMENT=production: no POST /private/users/ (404, not in the document); the rest stays", async () => {
    await server.restart({ ...COMPAT, ENVIRONMENT: "production" });
    const res = await privateUser(server, uniqueEmail("compat-prod-private"));
    assert.equal(res.status, 404, res.text);
    assert.equal(await operation(server, "/api/v1/private/users/", "post"), undefined);
    assert.equal((await document(server)).components.schemas.PrivateUserCreate, undefined);
    assert.match(server.output(), /ENVIRONMENT=production: no POST \/api\/v1\/private\/users\//);
    const signup = await server.api("/api/v1/users/signup", { method: "POST", json: { email: uniqueEmail("compat-prod"), password: PASSWORD } });
    assert.equal(signup.status, 200, signup.text);
  });
});
