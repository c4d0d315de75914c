/**
 * Refresh tokens for API clients: a password login starts a family; the refresh grant rotates it; a
 * spent token presented again revokes the family; concurrent exchanges of one token have exactly one
 * winner (on one instance and on two sharing the database); every sign-out path ends families; RFC 7009
 * revocation; lifetimes (absolute and idle); refresh after a restart. On the pass's database.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { adminToken, bannerUrl, DATABASE, signup, startServer, uniqueEmail, type Server } from "../helpers/server";
import { runSql, sqlTimestamp } from "../helpers/database";
import { assertInvalidGrant, jti, passwordLogin, refresh, refreshed, type Tokens } from "../helpers/refresh";

const IP_FAILURES = 5;
let server: Server;
before(async () => {
  // Tests speak for distinct clients through X-Forwarded-For (the loopback peer is a trusted proxy), so
  // the refresh throttle's per-address counters of one test never reach another's.
  server = await startServer({ TRUST_PROXY: "127.0.0.1", LOGIN_THROTTLE_IP_FAILURES: String(IP_FAILURES) });
});
after(() => server?.close());

const me = (token: string) => server.api("/api/v1/users/me", { token });
let ipCounter = 1;
const freshIp = () => `198.51.100.${ipCounter++}`;
const sessions = async (token: string) => (await server.api("/api/v1/sessions", { token })).body;

/** A new user with one password login (one family). */
async function userWithTokens(label: string, on = server) {
  const email = uniqueEmail(label);
  const password = "password-1234";
  const user = await signup(on, email, password);
  return { user, email, password, tokens: await passwordLogin(on, email, password) };
}

describe("the password grant starts a family", () => {
  test("form and JSON logins answer a refresh token (256 bits) and its lifetime, never cached", async () => {
    const { email, password } = await userWithTokens("rt-login");
    const form = await server.api("/api/v1/login/access-token", { method: "POST", form: { username: email, password } });
    const json = await server.api("/api/v1/login/access-token", { method: "POST", json: { username: email, password } });
    for (const res of [form, json]) {
      assert.equal(res.status, 200, res.text);
      assert.match(res.body.refresh_token, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(res.body.refresh_expires_in, 7 * 86400); // the idle limit's default
      assert.equal(res.body.token_type, "bearer");
      assert.equal(res.headers.get("cache-control"), "no-store");
    }
    assert.notEqual(form.body.refresh_token, json.body.refresh_token);
  });

  test("the access token is an RFC 9068 token: typ at+jwt, EdDSA, iss the app's URL, client_id", async () => {
    const { email, password } = await userWithTokens("rt-claims");
    const plain = await passwordLogin(server, email, password);
    const named = await passwordLogin(server, email, password, { client_id: "my-cli" });
    const header = decodeProtectedHeader(plain.access_token);
    assert.equal(header.alg, "EdDSA");
    assert.equal(header.typ, "at+jwt");
    assert.equal(typeof header.kid, "string");
    const claims = decodeJwt(plain.access_token);
    assert.equal(claims.iss, await bannerUrl(server), "the app's URL as the start banner prints it");
    assert.equal(claims.aud, "signin-system-api");
    assert.equal(claims.client_id, "signin-system-api-client");
    for (const c of ["sub", "iat", "exp", "jti"]) assert.ok(c in claims, c);
    assert.equal(decodeJwt(named.access_token).client_id, "my-cli");
    // The refresh grant keeps the family's client_id.
    assert.equal(decodeJwt((await refreshed(server, named.refresh_token)).access_token).client_id, "my-cli");
  });
});

describe("rotation", () => {
  test("a refresh answers new access and refresh tokens; the new access token works", async () => {
    const { tokens } = await userWithTokens("rt-rotate");
    const next = await refreshed(server, tokens.refresh_token);
    assert.notEqual(next.refresh_token, tokens.refresh_token);
    assert.notEqual(next.access_token, tokens.access_token);
    assert.equal((await me(next.access_token)).status, 200);
    // The access token it replaced keeps working until it expires (revoke it at /login/revoke if wanted).
    assert.equal((await me(tokens.access_token)).status, 200);
    // JSON works as well as the form, and the chain goes on.
    const res = await refresh(server, next.refresh_token, { json: true });
    assert.equal(res.status, 200, res.text);
    assert.equal((await me(res.body.access_token)).status, 200);
  });

  test("the family is one entry in GET /sessions, by its newest access token", async () => {
    const { tokens } = await userWithTokens("rt-sessions");
    const a = await refreshed(server, tokens.refresh_token);
    const b = await refreshed(server, a.refresh_token);
    const list = await sessions(b.access_token);
    assert.equal(list.count, 1, JSON.stringify(list));
    assert.equal(list.data[0].id, jti(b.access_token));
    assert.equal(list.data[0].current, true);
  });
});

describe("reuse detection", () => {
  test("a spent refresh token presented again revokes the whole family, and the audit trail says so", async () => {
    const { email, password, tokens } = await userWithTokens("rt-reuse");
    const next = await refreshed(server, tokens.refresh_token);
    const other = await userWithTokens("rt-reuse-bystander");

    assertInvalidGrant(await refresh(server, tokens.refresh_token, { ip: freshIp() }));
    // Every token of the family: the refresh token that replaced the spent one, and every access token.
    assertInvalidGrant(await refresh(server, next.refresh_token, { ip: freshIp() }));
    for (const access of [tokens.access_token, next.access_token]) {
      const res = await me(access);
      assert.equal(res.status, 401, res.text);
      assert.equal(res.body.reason, "revoked");
    }
    // Another user's family is untouched.
    assert.equal((await refresh(server, other.tokens.refresh_token)).status, 200);

    const again = await passwordLogin(server, email, password);
    const events = await server.api("/api/v1/users/me/events", { token: again.access_token });
    assert.ok(events.body.data.some((e: { type: string }) => e.type === "refresh_token_reused"), events.text);
  });

  test("a refresh token of a revoked family stays refused (no second event needed)", async () => {
    const { tokens } = await userWithTokens("rt-reuse-twice");
    await refreshed(server, tokens.refresh_token);
    assertInvalidGrant(await refresh(server, tokens.refresh_token, { ip: freshIp() }));
    assertInvalidGrant(await refresh(server, tokens.refresh_token, { ip: freshIp() }));
  });
});

/**
 * Exchanges one refresh token `n` times at once (spread over `servers`): exactly one exchange wins, the
 * others answer invalid_grant. The losers presented a spent token, so the family is revoked, the
 * winner's new tokens included: there is never a second chain.
 */
async function race(servers: Server[], n = 8) {
  const { email, password, tokens } = await userWithTokens("rt-race", servers[0]);
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) => refresh(servers[i % servers.length]!, tokens.refresh_token, { ip: freshIp() })),
  );
  const winners = results.filter((r) => r.status === 200);
  assert.equal(winners.length, 1, results.map((r) => `${r.status} ${r.text}`).join("\n"));
  for (const r of results.filter((x) => x.status !== 200)) assertInvalidGrant(r);
  const winner = winners[0]!.body as Tokens;
  for (const s of servers) {
    assertInvalidGrant(await refresh(s, winner.refresh_token, { ip: freshIp() }));
    assert.equal((await s.api("/api/v1/users/me", { token: winner.access_token })).body.reason, "revoked");
  }
  // Neither chain lives on: the user's sessions list no family.
  const again = await passwordLogin(servers[0]!, email, password);
  assert.equal((await servers[0]!.api("/api/v1/sessions", { token: again.access_token })).body.count, 1);
}

describe("who may hold tokens (the password grant's rule)", () => {
  test("an account inactive with its family still live refreshes no more: 400 Inactive user, as password sign-in says", async () => {
    const { user, email, password, tokens } = await userWithTokens("rt-inactive");
    // Deactivation through the API revokes every family first; done behind the app's back it does not,
    // and the rule alone must refuse.
    await runSql(server, `UPDATE "users" SET "is_active" = false WHERE "id" = ?`, [user.id]);
    const viaPassword = await server.api("/api/v1/login/access-token", { method: "POST", form: { username: email, password } });
    assert.equal(viaPassword.status, 400, viaPassword.text);
    const viaRefresh = await refresh(server, tokens.refresh_token, { ip: freshIp() });
    assert.equal(viaRefresh.status, 400, viaRefresh.text);
    assert.deepEqual(viaRefresh.body, viaPassword.body);
    assert.deepEqual(viaRefresh.body, { detail: "Inactive user" });
    // Refused before anything was spent: reactivated, the same refresh token works.
    await runSql(server, `UPDATE "users" SET "is_active" = true WHERE "id" = ?`, [user.id]);
    assert.equal((await refresh(server, tokens.refresh_token, { ip: freshIp() })).status, 200);
  });
});

describe("concurrent refreshes of one token", () => {
  test("one instance: exactly one wins, and the family is not forked", async () => {
    for (let round = 0; round < 3; round++) await race([server]);
  });

  test(`two instances on one ${DATABASE} database: exactly one wins, and the family is not forked`, async () => {
    // Two instances of one app name one issuer (AUTH_URL): here the first one's URL.
    const second = await startServer(
      { TRUST_PROXY: "127.0.0.1", LOGIN_THROTTLE_IP_FAILURES: String(IP_FAILURES), AUTH_URL: await bannerUrl(server) },
      { sameDatabaseAs: server },
    );
    try {
      for (let round = 0; round < 3; round++) await race([server, second], 10);
    } finally {
      await second.close();
    }
  });
});

describe("every sign-out path ends the family", () => {
  test("logout with the family's access token", async () => {
    const { tokens } = await userWithTokens("rt-logout");
    const next = await refreshed(server, tokens.refresh_token);
    assert.equal((await server.api("/api/v1/logout", { method: "POST", token: tokens.access_token })).status, 200);
    assertInvalidGrant(await refresh(server, next.refresh_token, { ip: freshIp() }));
    assert.equal((await me(next.access_token)).body.reason, "revoked");
  });

  test("logout everywhere", async () => {
    const { email, password, tokens } = await userWithTokens("rt-everywhere");
    const second = await passwordLogin(server, email, password);
    await server.api("/api/v1/logout", { method: "POST", token: second.access_token, json: { everywhere: true } });
    assertInvalidGrant(await refresh(server, tokens.refresh_token, { ip: freshIp() }));
    assertInvalidGrant(await refresh(server, second.refresh_token, { ip: freshIp() }));
  });

  test("a password change ends the other families; the changing one's goes on", async () => {
    const { email, password, tokens } = await userWithTokens("rt-password");
    const changer = await passwordLogin(server, email, password);
    const res = await server.api("/api/v1/users/me/password", {
      method: "PATCH",
      token: changer.access_token,
      json: { current_password: password, new_password: "another-password-5678" },
    });
    assert.equal(res.status, 200, res.text);
    assertInvalidGrant(await refresh(server, tokens.refresh_token, { ip: freshIp() }));
    assert.equal((await refresh(server, changer.refresh_token)).status, 200);
  });

  test("deactivation by a superuser (and reactivation brings nothing back)", async () => {
    const { user, tokens } = await userWithTokens("rt-deactivate");
    const admin = await adminToken(server);
    await server.api(`/api/v1/users/${user.id}`, { method: "PATCH", token: admin, json: { is_active: false } });
    assertInvalidGrant(await refresh(server, tokens.refresh_token, { ip: freshIp() }));
    await server.api(`/api/v1/users/${user.id}`, { method: "PATCH", token: admin, json: { is_active: true } });
    assertInvalidGrant(await refresh(server, tokens.refresh_token, { ip: freshIp() }));
  });

  test("a password set by a superuser", async () => {
    const { user, tokens } = await userWithTokens("rt-adminpw");
    const admin = await adminToken(server);
    await server.api(`/api/v1/users/${user.id}`, { method: "PATCH", token: admin, json: { password: "set-by-admin-9876" } });
    assertInvalidGrant(await refresh(server, tokens.refresh_token, { ip: freshIp() }));
  });

  test("deleting the account", async () => {
    const { tokens, password } = await userWithTokens("rt-delete");
    const next = await refreshed(server, tokens.refresh_token);
    const deleted = await server.api("/api/v1/users/me", { method: "DELETE", token: next.access_token, json: { password } });
    assert.equal(deleted.status, 200, deleted.text);
    assertInvalidGrant(await refresh(server, next.refresh_token, { ip: freshIp() }));
  });

  test("DELETE /sessions/{id} of the family's entry", async () => {
    const { email, password, tokens } = await userWithTokens("rt-session-delete");
    const next = await refreshed(server, tokens.refresh_token);
    const other = await passwordLogin(server, email, password);
    const res = await server.api(`/api/v1/sessions/${jti(next.access_token)}`, { method: "DELETE", token: other.access_token });
    assert.equal(res.status, 200, res.text);
    assertInvalidGrant(await refresh(server, next.refresh_token, { ip: freshIp() }));
    assert.equal((await sessions(other.access_token)).count, 1);
  });
});

describe("POST /login/revoke (RFC 7009)", () => {
  const revoke = (body: Record<string, string>, json = false) =>
    server.api("/api/v1/login/revoke", { method: "POST", ...(json ? { json: body } : { form: body }) });

  test("a refresh token: its family ends", async () => {
    const { tokens } = await userWithTokens("rt-revoke");
    const res = await revoke({ token: tokens.refresh_token, token_type_hint: "refresh_token" });
    assert.equal(res.status, 200, res.text);
    assertInvalidGrant(await refresh(server, tokens.refresh_token, { ip: freshIp() }));
    assert.equal((await me(tokens.access_token)).body.reason, "revoked");
  });

  test("an access token (JSON, with or without a hint): that token ends, its family goes on", async () => {
    const { email, password, tokens } = await userWithTokens("rt-revoke-access");
    assert.equal((await revoke({ token: tokens.access_token }, true)).status, 200);
    assert.equal((await me(tokens.access_token)).body.reason, "revoked");
    assert.equal((await refresh(server, tokens.refresh_token)).status, 200);
    const second = await passwordLogin(server, email, password);
    assert.equal((await revoke({ token: second.access_token, token_type_hint: "access_token" })).status, 200);
    assert.equal((await me(second.access_token)).body.reason, "revoked");
  });

  test("unknown, junk and already revoked tokens: the same 200", async () => {
    const { tokens } = await userWithTokens("rt-revoke-unknown");
    await revoke({ token: tokens.refresh_token });
    for (const token of ["x".repeat(43), "not-a-token", tokens.refresh_token, "a.b.c"]) {
      const res = await revoke({ token, token_type_hint: "whatever" });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, {});
    }
  });

  test("a missing token is a 422 naming the field", async () => {
    const res = await revoke({});
    assert.equal(res.status, 422, res.text);
    assert.deepEqual(res.body.detail.map((e: { loc: string[] }) => e.loc.join(".")), ["body.token"]);
  });
});

describe("bad refresh requests", () => {
  test("an unknown grant_type is 400 unsupported_grant_type", async () => {
    for (const grant_type of ["client_credentials", "authorization_code", ""]) {
      const res = await server.api("/api/v1/login/access-token", { method: "POST", form: { grant_type, refresh_token: "x" } });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.error, "unsupported_grant_type");
      assert.equal(typeof res.body.error_description, "string");
      assert.equal(typeof res.body.detail, "string");
    }
  });

  test("unknown and malformed refresh tokens are invalid_grant; a missing one 422", async () => {
    for (const token of ["A".repeat(43), "short", "x".repeat(1000)]) assertInvalidGrant(await refresh(server, token, { ip: freshIp() }));
    const res = await server.api("/api/v1/login/access-token", { method: "POST", form: { grant_type: "refresh_token" } });
    assert.equal(res.status, 422, res.text);
  });

  test("throttling: an address that keeps sending bad refresh tokens gets 429, even for a good one", async () => {
    const { tokens } = await userWithTokens("rt-throttle");
    const ip = freshIp();
    for (let i = 0; i < IP_FAILURES; i++) assertInvalidGrant(await refresh(server, "B".repeat(43), { ip }));
    const locked = await refresh(server, tokens.refresh_token, { ip });
    assert.equal(locked.status, 429, locked.text);
    assert.ok(Number(locked.headers.get("retry-after")) > 0);
    // From another address the token still works: the lock counted nothing against it.
    assert.equal((await refresh(server, tokens.refresh_token, { ip: freshIp() })).status, 200);
  });
});

describe("across restarts and lifetimes", () => {
  test("a refresh token survives a server restart", async () => {
    const { tokens } = await userWithTokens("rt-restart");
    await server.restart();
    const next = await refreshed(server, tokens.refresh_token);
    assert.equal((await me(next.access_token)).status, 200);
    assert.equal((await me(tokens.access_token)).status, 200);
  });

  test("idle limit and absolute lifetime", async () => {
    // A family lives 2 days from its login, its refresh token 6 hours unused. Rather than wait them out,
    // the test moves the stored ends into the past, as time would: the server compares them with its clock.
    const IDLE_SECONDS = 6 * 3600;
    const ABSOLUTE_SECONDS = 2 * 86400;
    await server.restart({
      TRUST_PROXY: "127.0.0.1",
      REFRESH_TOKEN_EXPIRE_DAYS: String(ABSOLUTE_SECONDS / 86400),
      REFRESH_TOKEN_IDLE_DAYS: String(IDLE_SECONDS / 86400),
    });
    const fromNow = (seconds: number) => sqlTimestamp(new Date(Date.now() + seconds * 1000));
    const familyOf = async (accessToken: string) =>
      (await runSql<{ family_id: string }>(server, `SELECT "family_id" FROM "access_tokens" WHERE "id" = ?`, [jti(accessToken)]))[0]!
        .family_id;

    // Unused past the idle limit: refused as expired.
    const idle = await userWithTokens("rt-idle");
    assert.equal(idle.tokens.refresh_expires_in, IDLE_SECONDS, JSON.stringify(idle.tokens));
    const idleFamily = await familyOf(idle.tokens.access_token);
    await runSql(server, `UPDATE "refresh_families" SET "idle_expires_at" = ? WHERE "id" = ?`, [fromNow(-1), idleFamily]);
    await runSql(server, `UPDATE "refresh_tokens" SET "expires_at" = ? WHERE "family_id" = ?`, [fromNow(-1), idleFamily]);
    const expired = await refresh(server, idle.tokens.refresh_token, { ip: freshIp() });
    assertInvalidGrant(expired);
    assert.match(expired.body.error_description, /expired/);

    // Used often enough, it still ends ABSOLUTE_SECONDS after the login: a rotation near the end gets only
    // what is left of the family's life, and past the end the refresh token is refused though fresh.
    let { tokens } = await userWithTokens("rt-absolute");
    const family = await familyOf(tokens.access_token);
    const [row] = await runSql<{ created_at: string | Date; expires_at: string | Date }>(
      server,
      `SELECT "created_at", "expires_at" FROM "refresh_families" WHERE "id" = ?`,
      [family],
    );
    const lifetime = (new Date(row!.expires_at).getTime() - new Date(row!.created_at).getTime()) / 1000;
    assert.ok(Math.abs(lifetime - ABSOLUTE_SECONDS) <= 2, `the family lives ${lifetime} s`);
    tokens = await refreshed(server, tokens.refresh_token);
    assert.equal(tokens.refresh_expires_in, IDLE_SECONDS);
    await runSql(server, `UPDATE "refresh_families" SET "expires_at" = ? WHERE "id" = ?`, [fromNow(60), family]);
    tokens = await refreshed(server, tokens.refresh_token);
    assert.ok(tokens.refresh_expires_in > 0 && tokens.refresh_expires_in <= 60, JSON.stringify(tokens));
    await runSql(server, `UPDATE "refresh_families" SET "expires_at" = ? WHERE "id" = ?`, [fromNow(-1), family]);
    const ended = await refresh(server, tokens.refresh_token, { ip: freshIp() });
    assertInvalidGrant(ended);
    assert.match(ended.body.error_description, /expired/);
  });
});
