/** The superuser's CRUD on /users and /users/{id}, and what a normal user gets there. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  ADMIN_EMAIL,
  adminToken,
  browserSignIn,
  errorLocations,
  login,
  mintFromCookie,
  newUser,
  startServer,
  uniqueEmail,
  type Server,
} from "../helpers/server";

let server: Server;
let admin: string;
before(async () => {
  server = await startServer();
  admin = await adminToken(server);
});
after(() => server?.close());

const TOKEN_URL = "/api/v1/login/access-token";
const UNKNOWN_ID = "cunknownuserid000000000000";

describe("GET /users", () => {
  test("lists {data, count}, with skip and limit", async () => {
    for (let i = 0; i < 3; i++) await newUser(server, `listed${i}`);
    const all = await server.api("/api/v1/users", { token: admin });
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(Object.keys(all.body).sort(), ["count", "data"]);
    assert.ok(all.body.count >= 4);
    assert.equal(all.body.data.length, all.body.count);
    assert.ok(all.body.data.some((u: { email: string }) => u.email === ADMIN_EMAIL));
    assert.ok(!/password|hash/i.test(all.text));

    const page = await server.api("/api/v1/users?skip=1&limit=2", { token: admin });
    assert.equal(page.status, 200, page.text);
    assert.equal(page.body.count, all.body.count, "count is the total, not the page size");
    assert.deepEqual(page.body.data, all.body.data.slice(1, 3));
  });

  test("a bad skip or limit is 422 naming the parameter", async () => {
    for (const [query, field] of [["limit=0", "limit"], ["skip=-1", "skip"], ["limit=abc", "limit"]]) {
      const res = await server.api(`/api/v1/users?${query}`, { token: admin });
      assert.ok(errorLocations(res).includes(`query.${field}`), `${query}: ${res.text}`);
    }
  });
});

describe("POST /users", () => {
  test("201 creates a user (optionally a superuser) who can log in", async () => {
    const email = uniqueEmail("created");
    const res = await server.api("/api/v1/users", {
      method: "POST",
      token: admin,
      json: { email, password: "password-1234", full_name: "Made By Admin", is_superuser: true },
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.email, email);
    assert.equal(res.body.is_superuser, true);
    assert.equal(res.body.is_active, true);
    assert.ok(!/password|hash/i.test(Object.keys(res.body).join(" ")));
    const token = await login(server, email, "password-1234");
    assert.equal((await server.api("/api/v1/users", { token })).status, 200, "the new superuser can list users");
  });

  test("409 for a taken email (any case)", async () => {
    const { email } = await newUser(server, "taken");
    const res = await server.api("/api/v1/users", {
      method: "POST",
      token: admin,
      json: { email: email.toUpperCase(), password: "password-1234" },
    });
    assert.equal(res.status, 409, res.text);
    assert.equal(typeof res.body.detail, "string");
  });

  test("422 for an invalid body", async () => {
    // (`password` may be left out: the user is then invited to choose one; a given one must pass the policy.)
    const res = await server.api("/api/v1/users", { method: "POST", token: admin, json: { email: "x", password: "short" } });
    const fields = errorLocations(res);
    assert.ok(fields.includes("body.email") && fields.includes("body.password"), res.text);
  });
});

describe("GET /users/{id}", () => {
  test("reads a user", async () => {
    const { user } = await newUser(server, "readme");
    const res = await server.api(`/api/v1/users/${user.id}`, { token: admin });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, user);
  });

  test("404 for an unknown id", async () => {
    const res = await server.api(`/api/v1/users/${UNKNOWN_ID}`, { token: admin });
    assert.equal(res.status, 404, res.text);
    assert.equal(typeof res.body.detail, "string");
  });
});

describe("PATCH /users/{id}", () => {
  test("updates name, email and superuser flag", async () => {
    const { user } = await newUser(server, "edited");
    const email = uniqueEmail("edited-new");
    const res = await server.api(`/api/v1/users/${user.id}`, {
      method: "PATCH",
      token: admin,
      json: { full_name: "Edited", email, is_superuser: true },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { ...user, full_name: "Edited", email, is_superuser: true });
  });

  test("setting a password revokes that user's tokens; the new password logs in", async () => {
    const { user, token, email, password } = await newUser(server, "resetpw");
    const res = await server.api(`/api/v1/users/${user.id}`, {
      method: "PATCH",
      token: admin,
      json: { password: "reset-by-admin" },
    });
    assert.equal(res.status, 200, res.text);
    const me = await server.api("/api/v1/users/me", { token });
    assert.equal(me.status, 401, me.text);
    assert.deepEqual(me.body, { detail: "Could not validate credentials", reason: "revoked" });
    assert.equal((await server.api(TOKEN_URL, { method: "POST", form: { username: email, password } })).status, 400);
    await login(server, email, "reset-by-admin");
    assert.equal((await server.api("/api/v1/users/me", { token: admin })).status, 200, "the admin's token is untouched");
  });

  test("is_active false: the user cannot sign in, and every token and browser sign-in of theirs is revoked", async () => {
    const { user, token, email, password } = await newUser(server, "deactivated");
    const cookie = await browserSignIn(server, email, password);
    const res = await server.api(`/api/v1/users/${user.id}`, { method: "PATCH", token: admin, json: { is_active: false } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.is_active, false);
    const requests = [
      ["GET", "/api/v1/users/me"],
      ["GET", "/api/v1/sessions"],
      ["POST", "/api/v1/login/test-token"],
    ] as const;
    for (const [method, path] of requests) {
      const r = await server.api(path, { method, token });
      // Revoked, and said why: an open page can tell its user the account was deactivated.
      assert.equal(r.status, 403, `${method} ${path}: ${r.text}`);
      assert.deepEqual(r.body, { detail: "Inactive user" });
    }
    assert.equal((await server.api(TOKEN_URL, { method: "POST", form: { username: email, password } })).status, 400);
    assert.equal((await mintFromCookie(server, cookie)).body.reason, "revoked");
  });

  test("reactivating brings back no token or browser sign-in from before the deactivation", async () => {
    const { user, token, email, password } = await newUser(server, "reactivated");
    const cookie = await browserSignIn(server, email, password);
    const path = `/api/v1/users/${user.id}`;
    assert.equal((await server.api(path, { method: "PATCH", token: admin, json: { is_active: false } })).status, 200);
    assert.equal((await server.api(path, { method: "PATCH", token: admin, json: { is_active: true } })).status, 200);

    const old = await server.api("/api/v1/users/me", { token });
    assert.equal(old.status, 401, old.text);
    assert.deepEqual(old.body, { detail: "Could not validate credentials", reason: "revoked" });
    const minted = await mintFromCookie(server, cookie);
    assert.equal(minted.status, 401, minted.text);
    assert.equal(minted.body.reason, "revoked");
    // Signing in again works, and that is the only live session.
    const fresh = await login(server, email, password);
    const sessions = await server.api("/api/v1/sessions", { token: fresh });
    assert.equal(sessions.body.count, 1, sessions.text);
  });

  test("409 for a taken email, 404 for an unknown id; unknown fields and null for unchanged are accepted, as FastAPI does", async () => {
    const a = await newUser(server, "emailowner");
    const b = await newUser(server, "emailwanter");
    const taken = await server.api(`/api/v1/users/${b.user.id}`, { method: "PATCH", token: admin, json: { email: a.email } });
    assert.equal(taken.status, 409, taken.text);
    const unknown = await server.api(`/api/v1/users/${UNKNOWN_ID}`, {
      method: "PATCH",
      token: admin,
      json: { full_name: "x" },
    });
    assert.equal(unknown.status, 404, unknown.text);
    // The FastAPI template's Edit User dialog sends the listed user back (id, created_at) with confirm_password.
    const form = { ...b.user, full_name: "Edited", confirm_password: "", role: "admin", email: null, password: null };
    const field = await server.api(`/api/v1/users/${b.user.id}`, { method: "PATCH", token: admin, json: form });
    assert.equal(field.status, 200, field.text);
    assert.deepEqual(field.body, { ...b.user, full_name: "Edited" });
    await login(server, b.email, b.password);
  });
});

describe("DELETE /users/{id}", () => {
  test("deletes a user: gone from reads, its token refused, its email free", async () => {
    const { user, token, email } = await newUser(server, "deleted");
    const res = await server.api(`/api/v1/users/${user.id}`, { method: "DELETE", token: admin });
    assert.equal(res.status, 200, res.text);
    assert.equal((await server.api(`/api/v1/users/${user.id}`, { token: admin })).status, 404);
    const me = await server.api("/api/v1/users/me", { token });
    assert.equal(me.status, 401, me.text);
    assert.equal(me.body.detail, "Could not validate credentials");
    const again = await server.api(`/api/v1/users/${user.id}`, { method: "DELETE", token: admin });
    assert.equal(again.status, 404, again.text);
    await newUser(server, email.split("@")[0]);
  });

  test("a superuser deleting itself is 403 (as the template), deactivating itself 409 (tests/api/admin-rules.test.ts has the rest)", async () => {
    const self = await server.api("/api/v1/users/me", { token: admin });
    const res = await server.api(`/api/v1/users/${self.body.id}`, { method: "DELETE", token: admin });
    assert.equal(res.status, 403, res.text);
    assert.equal(typeof res.body.detail, "string");
    const deactivate = await server.api(`/api/v1/users/${self.body.id}`, {
      method: "PATCH",
      token: admin,
      json: { is_active: false },
    });
    assert.equal(deactivate.status, 409, deactivate.text);
    assert.equal((await server.api("/api/v1/users/me", { token: admin })).status, 200);
  });
});

describe("a normal user on the superuser endpoints", () => {
  test("gets 403 The user doesn't have enough privileges, and changes nothing", async () => {
    const { token } = await newUser(server, "normal");
    const victim = await newUser(server, "victim");
    const requests: [string, string, unknown?][] = [
      ["GET", "/api/v1/users"],
      ["POST", "/api/v1/users", { email: uniqueEmail("nope"), password: "password-1234" }],
      ["GET", `/api/v1/users/${victim.user.id}`],
      ["PATCH", `/api/v1/users/${victim.user.id}`, { is_superuser: true }],
      ["DELETE", `/api/v1/users/${victim.user.id}`],
    ];
    for (const [method, path, json] of requests) {
      const res = await server.api(path, { method, token, json });
      assert.equal(res.status, 403, `${method} ${path}: ${res.text}`);
      assert.deepEqual(res.body, { detail: "The user doesn't have enough privileges" });
    }
    const still = await server.api(`/api/v1/users/${victim.user.id}`, { token: admin });
    assert.deepEqual(still.body, victim.user);
  });
});
