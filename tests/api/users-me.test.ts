/** Sign-up and the current user's own account: /users/signup, /users/me, /users/me/password. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  adminToken,
  errorLocations,
  login,
  newUser,
  signup,
  startServer,
  uniqueEmail,
  type ApiResponse,
  type Json,
  type Server,
} from "../helpers/server";

let server: Server;
before(async () => {
  server = await startServer();
});
after(() => server?.close());

const SIGNUP = "/api/v1/users/signup";
const TOKEN_URL = "/api/v1/login/access-token";

/** Every key of a JSON value, at any depth. */
function allKeys(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(allKeys);
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => [k, ...allKeys(v)]);
  }
  return [];
}

function assertPublicUser(user: Json) {
  assert.deepEqual(Object.keys(user).sort(), ["created_at", "email", "full_name", "id", "is_active", "is_superuser", "is_verified"]);
  assert.ok(!allKeys(user).some((k) => /password|hash/i.test(k)), JSON.stringify(user));
  assert.ok(!Number.isNaN(Date.parse(user.created_at)));
}

function assertFieldError(res: ApiResponse, field: string) {
  assert.ok(errorLocations(res).includes(`body.${field}`), `${field} not named in ${res.text}`);
}

describe("POST /users/signup", () => {
  test("201 with the public user, never a hash; the account can log in", async () => {
    const email = uniqueEmail("signup");
    const res = await server.api(SIGNUP, {
      method: "POST",
      json: { email, password: "password-1234", full_name: "Ada Lovelace" },
    });
    assert.equal(res.status, 201, res.text);
    assertPublicUser(res.body);
    assert.equal(res.body.email, email);
    assert.equal(res.body.full_name, "Ada Lovelace");
    assert.equal(res.body.is_active, true);
    assert.equal(res.body.is_superuser, false);
    assert.ok(!res.text.includes("$2"), "looks like a bcrypt hash in the body");
    await login(server, email, "password-1234");
  });

  test("is_superuser in the body is ignored: sign-up never makes a superuser", async () => {
    const res = await server.api(SIGNUP, {
      method: "POST",
      json: { email: uniqueEmail("sneaky"), password: "password-1234", is_superuser: true },
    });
    if (res.status === 201) assert.equal(res.body.is_superuser, false);
    else assert.equal(res.status, 422, res.text);
  });

  test("409 when the email is taken, whatever its case", async () => {
    const local = `case-${Date.now().toString(36)}`;
    await signup(server, `${local.toUpperCase()}@B.co`, "password-1234");
    const res = await server.api(SIGNUP, { method: "POST", json: { email: `${local}@b.co`, password: "password-5678" } });
    assert.equal(res.status, 409, res.text);
    assert.equal(typeof res.body.detail, "string");
    // The first account keeps its password.
    await login(server, `${local}@b.co`, "password-1234");
  });

  test("422 for a bad email, naming the field", async () => {
    for (const email of ["not-an-email", "a@", "@b.co", ""]) {
      assertFieldError(await server.api(SIGNUP, { method: "POST", json: { email, password: "password-1234" } }), "email");
    }
  });

  test("password length: 7 characters → 422, exactly 8 → 201", async () => {
    assertFieldError(
      await server.api(SIGNUP, { method: "POST", json: { email: uniqueEmail("short"), password: "1234567" } }),
      "password",
    );
    // Characters, not bytes: seven 2-byte characters are still too short.
    assertFieldError(
      await server.api(SIGNUP, { method: "POST", json: { email: uniqueEmail("short"), password: "ééééééé" } }),
      "password",
    );
    const email = uniqueEmail("eight");
    await signup(server, email, "k7#pQ2vz");
    await login(server, email, "k7#pQ2vz");
  });

  test("password bytes: exactly 72 bytes → 201, over 72 bytes of multi-byte characters → 422", async () => {
    const seventyTwo = "€".repeat(24); // 24 × 3 bytes
    assert.equal(Buffer.byteLength(seventyTwo), 72);
    const email = uniqueEmail("bytes72");
    await signup(server, email, seventyTwo);
    await login(server, email, seventyTwo);

    const tooLong = "€".repeat(25); // 25 characters, 75 bytes
    const res = await server.api(SIGNUP, { method: "POST", json: { email: uniqueEmail("bytes75"), password: tooLong } });
    assertFieldError(res, "password");
  });
});

describe("GET /users/me", () => {
  test("returns the caller's public user", async () => {
    const { user, token } = await newUser(server, "me");
    const res = await server.api("/api/v1/users/me", { token });
    assert.equal(res.status, 200, res.text);
    assertPublicUser(res.body);
    assert.deepEqual(res.body, user);
  });
});

describe("PATCH /users/me", () => {
  test("changes the name at once; a new email (normalized) is only asked for: 202, the old one still logs in", async () => {
    const { token, email, password } = await newUser(server, "patch");
    const renamed = await server.api("/api/v1/users/me", { method: "PATCH", token, json: { full_name: "Grace Hopper" } });
    assert.equal(renamed.status, 200, renamed.text);
    assertPublicUser(renamed.body);
    assert.equal(renamed.body.full_name, "Grace Hopper");
    assert.deepEqual((await server.api("/api/v1/users/me", { token })).body, renamed.body);

    const newEmail = uniqueEmail("renamed");
    const res = await server.api("/api/v1/users/me", {
      method: "PATCH",
      token,
      json: { email: newEmail.toUpperCase(), current_password: password },
    });
    assert.equal(res.status, 202, res.text);
    assert.match(res.body.message, new RegExp(`^Check ${newEmail.replace(/[.+]/g, "\\$&")} to confirm the change`));
    assert.equal((await server.api("/api/v1/users/me", { token })).body.email, email);
    await login(server, email, password);
  });

  test("an email another account has: the same 202, and nothing changes", async () => {
    const a = await newUser(server, "owner");
    const b = await newUser(server, "grabber");
    const res = await server.api("/api/v1/users/me", {
      method: "PATCH",
      token: b.token,
      json: { email: a.email, current_password: b.password },
    });
    assert.equal(res.status, 202, res.text);
    assert.equal((await server.api("/api/v1/users/me", { token: b.token })).body.email, b.email);
    assert.equal((await server.api("/api/v1/users/me", { token: a.token })).body.email, a.email);
  });

  test("422 for an unknown field (is_superuser cannot be set here)", async () => {
    const { token } = await newUser(server, "unknownfield");
    for (const json of [{ is_superuser: true }, { nickname: "x" }]) {
      const res = await server.api("/api/v1/users/me", { method: "PATCH", token, json });
      assert.equal(res.status, 422, res.text);
      assert.ok(Array.isArray(res.body.detail));
    }
    assert.equal((await server.api("/api/v1/users/me", { token })).body.is_superuser, false);
  });

  test("422 for an invalid email", async () => {
    const { token } = await newUser(server, "bademail");
    assertFieldError(await server.api("/api/v1/users/me", { method: "PATCH", token, json: { email: "nope" } }), "email");
  });
});

describe("DELETE /users/me", () => {
  test("deletes the account: its token then gets 401 and its password no longer logs in", async () => {
    const { token, email, password } = await newUser(server, "deleteme");
    const res = await server.api("/api/v1/users/me", { method: "DELETE", token, json: { password } });
    assert.equal(res.status, 200, res.text);
    assert.equal(typeof res.body.message, "string");
    const after = await server.api("/api/v1/users/me", { token });
    assert.equal(after.status, 401, after.text);
    assert.equal(after.body.detail, "Could not validate credentials");
    const again = await server.api(TOKEN_URL, { method: "POST", form: { username: email, password } });
    assert.equal(again.status, 400);
    // The email is free again.
    await signup(server, email, password);
  });

  test("a superuser cannot delete itself: 403", async () => {
    const token = await adminToken(server);
    const res = await server.api("/api/v1/users/me", { method: "DELETE", token });
    assert.equal(res.status, 403, res.text);
    assert.equal(typeof res.body.detail, "string");
    assert.equal((await server.api("/api/v1/users/me", { token })).status, 200);
  });
});

describe("PATCH /users/me/password", () => {
  const PASSWORD = "/api/v1/users/me/password";

  test("a wrong current password is 400 and changes nothing", async () => {
    const { token, email, password } = await newUser(server, "wrongcurrent");
    const res = await server.api(PASSWORD, {
      method: "PATCH",
      token,
      json: { current_password: "not-my-password", new_password: "brand-new-pass" },
    });
    assert.equal(res.status, 400, res.text);
    assert.equal(typeof res.body.detail, "string");
    await login(server, email, password);
  });

  test("a too-short new password is 422", async () => {
    const { token, password } = await newUser(server, "shortnew");
    assertFieldError(
      await server.api(PASSWORD, { method: "PATCH", token, json: { current_password: password, new_password: "short" } }),
      "new_password",
    );
  });

  test("success revokes the user's other tokens, keeps the calling one, and swaps the passwords", async () => {
    const { token, email, password } = await newUser(server, "changer");
    const other1 = await login(server, email, password);
    const other2 = await login(server, email, password);
    const stranger = await newUser(server, "bystander");

    const res = await server.api(PASSWORD, {
      method: "PATCH",
      token,
      json: { current_password: password, new_password: "brand-new-pass" },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.revoked, 2);

    assert.equal((await server.api("/api/v1/users/me", { token })).status, 200);
    for (const other of [other1, other2]) {
      const r = await server.api("/api/v1/users/me", { token: other });
      assert.equal(r.status, 401, r.text);
      assert.deepEqual(r.body, { detail: "Could not validate credentials", reason: "revoked" });
    }
    // Another user's tokens are untouched.
    assert.equal((await server.api("/api/v1/users/me", { token: stranger.token })).status, 200);

    const old = await server.api(TOKEN_URL, { method: "POST", form: { username: email, password } });
    assert.equal(old.status, 400, old.text);
    assert.equal(old.body.error, "invalid_grant");
    await login(server, email, "brand-new-pass");
  });
});
