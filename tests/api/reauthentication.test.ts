/**
 * "Sudo mode" (security round 4): a stolen access token alone cannot change the email, delete the
 * account or change a superuser's own credentials. A fresh proof of the password is needed: in the
 * request's body, or through POST /login/reauthenticate for this token, for REAUTH_MAX_AGE_MINUTES.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { decodeJwt } from "jose";
import { runSql, sqlTimestamp } from "../helpers/database";
import { adminToken, ADMIN_PASSWORD, login, newUser, startServer, uniqueEmail, type ApiResponse, type Server } from "../helpers/server";

const REAUTH = "/api/v1/login/reauthenticate";
/** Two minutes (the default is ten): a proof outlives any slow test, and expires when made old. */
const MAX_AGE_SECONDS = 120;

let server: Server;
before(async () => {
  server = await startServer({ REAUTH_MAX_AGE_MINUTES: String(MAX_AGE_SECONDS / 60) });
});
after(() => server?.close());

function assertReauthRequired(res: ApiResponse, what: string) {
  assert.equal(res.status, 401, `${what}: ${res.text}`);
  assert.equal(res.body.detail, "Confirm your password to continue", what);
  assert.equal(res.body.reason, "reauth_required", what);
  assert.equal(res.body.max_age, MAX_AGE_SECONDS, what);
  const challenge = res.headers.get("www-authenticate") ?? "";
  assert.match(challenge, /^Bearer error="insufficient_user_authentication"/, what);
  assert.match(challenge, new RegExp(`max_age=${MAX_AGE_SECONDS}\\b`), what);
}

const me = async (token: string) => (await server.api("/api/v1/users/me", { token })).body;
const reauthenticate = (token: string, password: string) => server.api(REAUTH, { method: "POST", token, json: { password } });

describe("a token alone is never enough for a sensitive change", () => {
  test("PATCH /users/me with a new email: 401 reauth_required, the address stays", async () => {
    const { token, email } = await newUser(server, "steal-email");
    const res = await server.api("/api/v1/users/me", { method: "PATCH", token, json: { email: "attacker@evil.example" } });
    assertReauthRequired(res, "email change");
    assert.equal((await me(token)).email, email);
    // The token itself is still good: the page asks for the password rather than signing out.
    assert.equal((await server.api("/api/v1/users/me", { token })).status, 200);
  });

  test("a name change needs no proof", async () => {
    const { token } = await newUser(server, "rename");
    const res = await server.api("/api/v1/users/me", { method: "PATCH", token, json: { full_name: "Just A Name" } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.full_name, "Just A Name");
  });

  test("DELETE /users/me without a password: 401 reauth_required, the account stays", async () => {
    const { token, email, password } = await newUser(server, "steal-delete");
    assertReauthRequired(await server.api("/api/v1/users/me", { method: "DELETE", token }), "delete");
    assert.equal((await me(token)).email, email);
    await login(server, email, password);
  });

  test("a superuser's own email or password through PATCH /users/{id}: 401 reauth_required", async () => {
    const admin = await adminToken(server);
    const self = await me(admin);
    for (const json of [{ email: uniqueEmail("admin-moved") }, { password: "a-brand-new-admin-pass" }]) {
      assertReauthRequired(
        await server.api(`/api/v1/users/${self.id}`, { method: "PATCH", token: admin, json }),
        `admin self ${Object.keys(json)[0]}`,
      );
    }
    assert.equal((await me(admin)).email, self.email);
    await login(server, self.email, ADMIN_PASSWORD);
  });
});

describe("the proofs", () => {
  test("POST /login/reauthenticate: 400 for a wrong password; with the right one, this token may delete", async () => {
    const { token, email, password } = await newUser(server, "reauth");
    const wrong = await reauthenticate(token, "not-my-password");
    assert.equal(wrong.status, 400, wrong.text);
    assert.deepEqual(wrong.body, { detail: "Incorrect password" });
    assertReauthRequired(await server.api("/api/v1/users/me", { method: "DELETE", token }), "after a wrong password");

    const before = Date.now();
    const right = await reauthenticate(token, password);
    assert.equal(right.status, 200, right.text);
    assert.equal(right.body.message, "Password confirmed");
    const until = Date.parse(right.body.reauthenticated_until);
    assert.ok(until >= before + MAX_AGE_SECONDS * 1000 - 1000 && until <= Date.now() + MAX_AGE_SECONDS * 1000 + 1000, right.text);

    const events = (await server.api("/api/v1/users/me/events", { token })).body.data as { type: string }[];
    assert.ok(events.some((e) => e.type === "reauthenticated"), JSON.stringify(events));
    assert.ok(events.some((e) => e.type === "password_check_failure"), JSON.stringify(events));

    const deleted = await server.api("/api/v1/users/me", { method: "DELETE", token });
    assert.equal(deleted.status, 200, deleted.text);
    assert.equal((await server.api("/api/v1/login/access-token", { method: "POST", form: { username: email, password } })).status, 400);
  });

  test("the proof belongs to the token that gave it, not to the user's other tokens", async () => {
    const { token, email, password } = await newUser(server, "per-token");
    const other = await login(server, email, password);
    assert.equal((await reauthenticate(token, password)).status, 200);
    assertReauthRequired(await server.api("/api/v1/users/me", { method: "DELETE", token: other }), "the other token");
  });

  test("the proof expires after REAUTH_MAX_AGE_MINUTES", async () => {
    const { token, password } = await newUser(server, "expiring");
    assert.equal((await reauthenticate(token, password)).status, 200);
    // Rather than wait the two minutes out, the proof is made that old in the database, as time would
    // make it: the server compares it with its own clock.
    const provedAt = sqlTimestamp(new Date(Date.now() - MAX_AGE_SECONDS * 1000 - 1000));
    await runSql(server, `UPDATE "access_tokens" SET "reauthenticated_at" = ? WHERE "id" = ?`, [provedAt, decodeJwt(token).jti]);
    assertReauthRequired(
      await server.api("/api/v1/users/me", { method: "PATCH", token, json: { email: uniqueEmail("late") } }),
      "after the proof expired",
    );
  });

  test("the password in the request's own body is the proof: DELETE with {password}", async () => {
    const { token, password } = await newUser(server, "inline");
    const wrong = await server.api("/api/v1/users/me", { method: "DELETE", token, json: { password: "not-my-password" } });
    assert.equal(wrong.status, 400, wrong.text);
    const right = await server.api("/api/v1/users/me", { method: "DELETE", token, json: { password } });
    assert.equal(right.status, 200, right.text);
  });

  test("a password change carries its own proof (current_password), whatever the token", async () => {
    const { token, email } = await newUser(server, "pwchange");
    const res = await server.api("/api/v1/users/me/password", {
      method: "PATCH",
      token,
      json: { current_password: "password-1234", new_password: "another-password-5678" },
    });
    assert.equal(res.status, 200, res.text);
    await login(server, email, "another-password-5678");
  });

  test("wrong passwords given as proof count toward the sign-in throttle of the account", async () => {
    const throttled = await startServer({ LOGIN_THROTTLE_ACCOUNT_FAILURES: "3", LOGIN_THROTTLE_BASE_DELAY_SECONDS: "60" });
    try {
      const { token } = await newUser(throttled, "reauth-throttle");
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        statuses.push((await throttled.api(REAUTH, { method: "POST", token, json: { password: `wrong-${i}` } })).status);
      }
      assert.deepEqual(statuses, [400, 400, 400, 429]);
    } finally {
      await throttled.close();
    }
  });
});

describe("a superuser changing another user", () => {
  test("another user's email changes at once, audited as email_changed_by_admin", async () => {
    const admin = await adminToken(server);
    const { user, token, password } = await newUser(server, "managed");
    const newEmail = uniqueEmail("managed-moved");
    const res = await server.api(`/api/v1/users/${user.id}`, { method: "PATCH", token: admin, json: { email: newEmail } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.email, newEmail);
    await login(server, newEmail, password);
    const events = (await server.api("/api/v1/users/me/events", { token })).body.data as { type: string; method: string | null }[];
    const event = events.find((e) => e.type === "email_changed_by_admin");
    assert.ok(event, JSON.stringify(events));
    assert.equal(event.method, "admin");
  });
});
