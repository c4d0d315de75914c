/** POST /api/v1/login/access-token, /login/test-token, and /login/session-token without a browser sign-in. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  ADMIN_EMAIL,
  adminToken,
  errorLocations,
  login,
  newUser,
  signup,
  startServer,
  uniqueEmail,
  type ApiResponse,
  type Server,
} from "../helpers/server";

let server: Server;
before(async () => {
  server = await startServer();
});
after(() => server?.close());

const TOKEN_URL = "/api/v1/login/access-token";
const INVALID_GRANT = {
  detail: "Incorrect email or password",
  error: "invalid_grant",
  error_description: "Incorrect email or password",
};

function assertTokenResponse(res: ApiResponse) {
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(Object.keys(res.body).sort(), ["access_token", "expires_in", "refresh_expires_in", "refresh_token", "token_type"]);
  assert.equal(res.body.token_type, "bearer");
  assert.equal(res.body.expires_in, 30 * 60);
  assert.match(res.body.access_token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.match(res.headers.get("cache-control") ?? "", /no-store/);
}

describe("POST /login/access-token", () => {
  test("the OAuth2 password form gives a bearer token that /users/me accepts", async () => {
    const email = uniqueEmail("form");
    await signup(server, email, "password-1234");
    const res = await server.api(TOKEN_URL, {
      method: "POST",
      form: { username: email, password: "password-1234", grant_type: "password", scope: "" },
    });
    assertTokenResponse(res);
    const me = await server.api("/api/v1/users/me", { token: res.body.access_token });
    assert.equal(me.status, 200);
    assert.equal(me.body.email, email);
  });

  test("the same fields as JSON work too", async () => {
    const email = uniqueEmail("json");
    await signup(server, email, "password-1234");
    const res = await server.api(TOKEN_URL, { method: "POST", json: { username: email, password: "password-1234" } });
    assertTokenResponse(res);
  });

  test("multipart form data works (what Swagger UI and some clients send)", async () => {
    const email = uniqueEmail("multipart");
    await signup(server, email, "password-1234");
    const form = new FormData();
    form.set("username", email);
    form.set("password", "password-1234");
    const res = await server.api(TOKEN_URL, { method: "POST", body: form });
    assertTokenResponse(res);
  });

  test("the email is matched case-insensitively", async () => {
    const email = uniqueEmail("case");
    await signup(server, email, "password-1234");
    const res = await server.api(TOKEN_URL, {
      method: "POST",
      form: { username: `  ${email.toUpperCase()}`, password: "password-1234" },
    });
    assertTokenResponse(res);
  });

  test("each login issues a different token", async () => {
    const { email, password, token } = await newUser(server, "twice");
    assert.notEqual(await login(server, email, password), token);
  });

  test("a grant_type other than password and refresh_token is 400 unsupported_grant_type (RFC 6749 §5.2)", async () => {
    const { email, password } = await newUser(server, "grant");
    const res = await server.api(TOKEN_URL, {
      method: "POST",
      form: { username: email, password, grant_type: "client_credentials" },
    });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.error, "unsupported_grant_type");
    assert.equal(res.body.error_description, res.body.detail);
  });

  test("missing username or password is 422 naming the field", async () => {
    for (const [form, field] of [
      [{ password: "password-1234" }, "username"],
      [{ username: "x@example.com" }, "password"],
    ] as const) {
      const res = await server.api(TOKEN_URL, { method: "POST", form });
      assert.ok(errorLocations(res).includes(`body.${field}`), res.text);
    }
  });

  test("a wrong password and an unknown email give the identical 400 answer", async () => {
    const { email } = await newUser(server, "known");
    const wrong = await server.api(TOKEN_URL, { method: "POST", form: { username: email, password: "not-the-password" } });
    const unknown = await server.api(TOKEN_URL, {
      method: "POST",
      form: { username: uniqueEmail("nobody"), password: "not-the-password" },
    });
    assert.equal(wrong.status, 400);
    assert.equal(unknown.status, 400);
    assert.deepEqual(wrong.body, INVALID_GRANT);
    assert.equal(unknown.text, wrong.text);
    for (const header of ["content-type", "cache-control", "www-authenticate"]) {
      assert.equal(unknown.headers.get(header), wrong.headers.get(header), header);
    }
  });

  test("a user deactivated by the superuser cannot log in: 400 Inactive user", async () => {
    const { user, email, password } = await newUser(server, "inactive");
    const admin = await adminToken(server);
    const patch = await server.api(`/api/v1/users/${user.id}`, { method: "PATCH", token: admin, json: { is_active: false } });
    assert.equal(patch.status, 200, patch.text);
    const res = await server.api(TOKEN_URL, { method: "POST", form: { username: email, password } });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.detail, "Inactive user");
    assert.equal(res.body.access_token, undefined);
  });

  test("a password over 72 bytes whose first 72 bytes match is refused (no bcrypt truncation)", async () => {
    const password = "p".repeat(72);
    const email = uniqueEmail("long");
    await signup(server, email, password);
    await login(server, email, password); // exactly 72 bytes works
    for (const longer of [password + "x", password + "extra characters here"]) {
      const res = await server.api(TOKEN_URL, { method: "POST", form: { username: email, password: longer } });
      assert.equal(res.status, 400, res.text);
      assert.deepEqual(res.body, INVALID_GRANT);
    }
  });

  test("the superuser created at start-up can log in", async () => {
    const token = await adminToken(server);
    const me = await server.api("/api/v1/users/me", { token });
    assert.equal(me.body.email, ADMIN_EMAIL);
    assert.equal(me.body.is_superuser, true);
  });
});

describe("POST /login/test-token", () => {
  test("returns the token's user, without any password field", async () => {
    const { user, token } = await newUser(server, "testtoken");
    const res = await server.api("/api/v1/login/test-token", { method: "POST", token });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, user);
    assert.ok(!/password|hash/i.test(res.text), res.text);
  });

  test("without a token it is 401 Not authenticated", async () => {
    const res = await server.api("/api/v1/login/test-token", { method: "POST" });
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, { detail: "Not authenticated" });
    assert.equal(res.headers.get("www-authenticate"), "Bearer");
  });
});

describe("POST /login/session-token", () => {
  test("without a browser sign-in it is 401, and a bearer token is no substitute", async () => {
    const { token } = await newUser(server, "nosession");
    for (const init of [{}, { token }]) {
      const res = await server.api("/api/v1/login/session-token", { method: "POST", ...init });
      assert.equal(res.status, 401, res.text);
      assert.equal(res.body.detail, "Not authenticated");
      assert.equal(res.body.access_token, undefined);
    }
  });
});
