/**
 * Two production servers on one database with the same AUTH_SECRET and AUTH_URL, as behind a load balancer: they
 * agree on users, tokens, revocations, account state and throttling, because all of it lives in the
 * database. Runs on the pass's database: one PostgreSQL database (TEST_DATABASE_URL), or on SQLite
 * one data folder shared by two processes.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  adminToken,
  DATABASE,
  login,
  newUser,
  signup,
  startServer,
  uniqueEmail,
  type Server,
  keepProductionBcryptCost,
} from "../helpers/server";

// bcrypt at cost 10, not the suite's 4 (tests/helpers/server.ts): its throttle bursts across two instances
// must overlap as long as real password checks do.
keepProductionBcryptCost();

const SECRET = "shared-secret-of-both-instances-0123456789";
const ACCOUNT_FAILURES = 4;
const env = {
  AUTH_SECRET: SECRET,
  // The load balancer's URL: instances of one app name one issuer, and refuse tokens naming another.
  AUTH_URL: "https://signin.example",
  LOGIN_THROTTLE_ACCOUNT_FAILURES: String(ACCOUNT_FAILURES),
  // Long enough that the lock is still on when the test looks.
  LOGIN_THROTTLE_BASE_DELAY_SECONDS: "60",
};

let a: Server;
let b: Server;
before(async () => {
  a = await startServer(env);
  b = await startServer(env, { sameDatabaseAs: a });
});
after(async () => {
  await b?.close(); // the sharer first: `a` owns the database
  await a?.close();
});

const me = (server: Server, token: string) => server.api("/api/v1/users/me", { token });

describe(`two instances on one ${DATABASE} database`, () => {
  test("they really are two processes on two ports", () => {
    assert.notEqual(a.port, b.port);
    if (DATABASE === "postgresql") assert.equal(a.databaseUrl, b.databaseUrl);
  });

  test("a user who signs up on one signs in on the other, and each accepts the other's tokens", async () => {
    const email = uniqueEmail("across");
    const user = await signup(a, email, "password-across-1");
    const tokenFromB = await login(b, email, "password-across-1");
    const tokenFromA = await login(a, email, "password-across-1");

    for (const [server, token] of [[a, tokenFromB], [b, tokenFromA]] as const) {
      const res = await me(server, token);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, user);
    }
    // Both sign-ins are listed by either instance.
    const sessions = await a.api("/api/v1/sessions", { token: tokenFromB });
    assert.equal(sessions.status, 200, sessions.text);
    assert.equal(sessions.body.count, 2, sessions.text);
  });

  test("a token revoked on one instance is refused by the other at once", async () => {
    const { token, email, password } = await newUser(a, "revoke");
    const other = await login(a, email, password);
    assert.equal((await me(b, token)).status, 200);

    assert.equal((await a.api("/api/v1/logout", { method: "POST", token })).status, 200);
    const res = await me(b, token);
    assert.equal(res.status, 401, res.text);
    assert.deepEqual(res.body, { detail: "Could not validate credentials", reason: "revoked" });
    assert.equal((await me(b, other)).status, 200, "only the revoked token is refused");

    // "Sign out everywhere" on B ends the sessions A issued.
    const everywhere = await b.api("/api/v1/logout", { method: "POST", token: other, json: { everywhere: true } });
    assert.equal(everywhere.status, 200, everywhere.text);
    assert.equal((await me(a, other)).status, 401);
  });

  test("a user deactivated by an admin on one instance is refused by the other", async () => {
    const { token, user } = await newUser(b, "deactivated");
    assert.equal((await me(b, token)).status, 200, "B has used the token before");
    const admin = await adminToken(a);
    const patch = await a.api(`/api/v1/users/${user.id}`, { method: "PATCH", token: admin, json: { is_active: false } });
    assert.equal(patch.status, 200, patch.text);
    // Deactivation revokes the user's tokens: the other instance refuses them at once, saying why.
    const res = await me(b, token);
    assert.equal(res.status, 403, res.text);
    assert.deepEqual(res.body, { detail: "Inactive user" });
  });

  test("a change made on one instance shows on the other's next answer", async () => {
    const { token } = await newUser(a, "renamed");
    assert.equal((await me(b, token)).body.full_name, null);
    const patch = await a.api("/api/v1/users/me", { method: "PATCH", token, json: { full_name: "Renamed On A" } });
    assert.equal(patch.status, 200, patch.text);
    assert.equal((await me(b, token)).body.full_name, "Renamed On A");
  });

  test("throttling counts failures from both instances", async () => {
    const email = uniqueEmail("throttled");
    await signup(a, email, "right-password-123");
    const attempt = (server: Server, password: string) =>
      server.api("/api/v1/login/access-token", { method: "POST", form: { username: email, password } });

    // Half the failures on each: neither instance alone reaches the limit.
    for (let i = 0; i < ACCOUNT_FAILURES; i++) {
      const res = await attempt(i % 2 === 0 ? a : b, "wrong-password-123");
      assert.equal(res.status, 400, `failure ${i + 1}: ${res.text}`);
    }
    for (const server of [a, b]) {
      const res = await attempt(server, "right-password-123");
      assert.equal(res.status, 429, `${server.url}: ${res.text}`);
      assert.ok(Number(res.headers.get("retry-after")) > 0);
    }
  });

  test("failures made at the same moment on both instances are all counted", async () => {
    const email = uniqueEmail("concurrent");
    await signup(b, email, "right-password-123");
    const attempt = (server: Server, password: string) =>
      server.api("/api/v1/login/access-token", { method: "POST", form: { username: email, password } });

    // The account has no throttle row yet: these race to create it.
    const failures = await Promise.all(
      Array.from({ length: ACCOUNT_FAILURES }, (_, i) => attempt(i % 2 === 0 ? a : b, "wrong-password-123")),
    );
    assert.deepEqual(
      failures.map((r) => r.status),
      Array(ACCOUNT_FAILURES).fill(400),
      failures.map((r) => r.text).join("\n"),
    );
    const res = await attempt(a, "right-password-123");
    assert.equal(res.status, 429, `every concurrent failure counts: ${res.text}`);
  });

  test("a burst of guesses spread over both instances runs at most the limit's password checks", async () => {
    const email = uniqueEmail("burst");
    await signup(a, email, "right-password-123");
    const attempt = (server: Server, password: string, i: number) =>
      server.api("/api/v1/login/access-token", {
        method: "POST",
        form: { username: email, password },
        headers: { "x-forwarded-for": `203.0.113.${i + 1}` },
      });
    const burst = await Promise.all(Array.from({ length: 24 }, (_, i) => attempt(i % 2 ? a : b, "wrong-password-123", i)));
    const checked = burst.filter((r) => r.status === 400).length;
    assert.equal(checked, ACCOUNT_FAILURES, burst.map((r) => r.status).join(" "));
    assert.equal(burst.filter((r) => r.status === 429).length, 24 - ACCOUNT_FAILURES);
    assert.equal((await attempt(b, "right-password-123", 99)).status, 429);
  });
});
