/**
 * Two-factor authentication (issue 28, slice 1): TOTP with recovery codes, over real HTTP against a
 * production server, with codes computed from the enrolled secret by the same library an authenticator
 * app would use (otpauth). Enrolment, replay, clock skew, the token endpoint's challenge step, throttling,
 * recovery codes, re-authentication by code, the superuser's reset, and races on one challenge or one
 * recovery code.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { runSql } from "../helpers/database";
import { readOutbox } from "../helpers/mail";
import { adminToken, newUser, startServer, type ApiResponse, type Server } from "../helpers/server";
import { awayFromStepEnd, codeAt, enrolledUser, STEP_MS, wrongCode } from "../helpers/totp";

let server: Server;
before(async () => {
  server = await startServer();
});
after(() => server?.close());

const tokenRequest = (srv: Server, email: string, password: string) =>
  srv.api("/api/v1/login/access-token", { method: "POST", form: { username: email, password } });
const mfaLogin = (srv: Server, json: Record<string, string>) => srv.api("/api/v1/login/mfa", { method: "POST", json });

/** The password step of an account with a second factor: its 401 challenge, checked; returns the mfa_token. */
async function challenge(srv: Server, email: string, password: string): Promise<string> {
  const res = await tokenRequest(srv, email, password);
  assert.equal(res.status, 401, res.text);
  // The detail says how a client that knows only the password form finishes (the code after the password).
  assert.match(res.body.detail as string, /^Second factor required: sign in with your password followed by the 6-digit code/);
  assert.equal(res.body.reason, "mfa_required");
  assert.deepEqual(res.body.methods, ["totp", "recovery_code"]);
  assert.equal(typeof res.body.mfa_token, "string");
  assert.equal(res.headers.get("cache-control"), "no-store");
  return res.body.mfa_token as string;
}

function assertTokens(res: ApiResponse) {
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.token_type, "bearer");
  assert.equal(typeof res.body.access_token, "string");
  assert.equal(typeof res.body.refresh_token, "string");
}

const events = async (srv: Server, token: string) =>
  ((await srv.api("/api/v1/users/me/events", { token })).body.data as { type: string; method: string | null }[]);

describe("enrolment", () => {
  test("start needs a fresh proof; the secret works in an app; confirming turns it on with ten recovery codes", async () => {
    const { token, email, password } = await newUser(server, "enrol");
    const noProof = await server.api("/api/v1/users/me/mfa/totp", { method: "POST", token });
    assert.equal(noProof.status, 401, noProof.text);
    assert.equal(noProof.body.reason, "reauth_required");

    const started = await server.api("/api/v1/users/me/mfa/totp", { method: "POST", token, json: { password } });
    assert.equal(started.status, 200, started.text);
    const { secret, otpauth_uri: uri } = started.body as { secret: string; otpauth_uri: string };
    assert.match(secret, /^[A-Z2-7]{32}$/);
    const parsed = new URL(uri);
    assert.equal(parsed.protocol, "otpauth:");
    assert.equal(parsed.searchParams.get("secret"), secret);
    assert.ok(decodeURIComponent(parsed.pathname).endsWith(`:${email}`), uri);

    // Not on until confirmed: the password alone still signs in.
    assert.equal((await tokenRequest(server, email, password)).status, 200);
    assert.equal((await server.api("/api/v1/users/me/mfa", { token })).body.totp_enabled, false);

    const wrong = await server.api("/api/v1/users/me/mfa/totp/confirm", { method: "POST", token, json: { code: "000000" } });
    assert.equal(wrong.status, 400, wrong.text);
    assert.equal(wrong.body.detail, "Invalid code");

    await awayFromStepEnd();
    const confirmed = await server.api("/api/v1/users/me/mfa/totp/confirm", { method: "POST", token, json: { code: codeAt(secret) } });
    assert.equal(confirmed.status, 200, confirmed.text);
    const codes = confirmed.body.recovery_codes as string[];
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);

    const status = (await server.api("/api/v1/users/me/mfa", { token })).body;
    assert.equal(status.totp_enabled, true);
    assert.equal(status.recovery_codes_left, 10);
    assert.ok(!Number.isNaN(Date.parse(status.enabled_at)));

    const again = await server.api("/api/v1/users/me/mfa/totp", { method: "POST", token, json: { password } });
    assert.equal(again.status, 409, again.text);
    assert.ok((await events(server, token)).some((e) => e.type === "mfa_enrolled"));
  });

  test("the secret and the recovery codes are not stored in clear", async () => {
    const { user, secret, recoveryCodes } = await enrolledUser(server, "at-rest");
    const [factor] = await runSql<{ secret_encrypted: string }>(server, `SELECT "secret_encrypted" FROM "totp_factors" WHERE "user_id" = ?`, [user.id]);
    assert.ok(factor && !factor.secret_encrypted.includes(secret), "the secret is encrypted");
    const hashes = await runSql<{ code_hash: string }>(server, `SELECT "code_hash" FROM "recovery_codes" WHERE "user_id" = ?`, [user.id]);
    assert.equal(hashes.length, 10);
    for (const code of recoveryCodes) {
      assert.ok(!hashes.some((h) => h.code_hash.includes(code.replace(/-/g, ""))), "codes are hashed");
    }
  });
});

describe("the token endpoint's second step", () => {
  test("an account without a second factor gets tokens from its password, as before", async () => {
    const { email, password } = await newUser(server, "plain");
    assertTokens(await tokenRequest(server, email, password));
  });

  test("password → 401 mfa_required → POST /login/mfa with a code → the same tokens; the code is accepted once", async () => {
    const { email, password, secret } = await enrolledUser(server, "challenge");
    const wrongPassword = await tokenRequest(server, email, "not-the-password");
    assert.equal(wrongPassword.status, 400, "a wrong password is still the plain 400");
    assert.equal(wrongPassword.body.mfa_token, undefined);

    await awayFromStepEnd();
    const code = codeAt(secret);
    const done = await mfaLogin(server, { mfa_token: await challenge(server, email, password), code });
    assertTokens(done);
    const me = await server.api("/api/v1/users/me", { token: done.body.access_token });
    assert.equal(me.body.email, email);

    // The challenge is spent, and the same code is refused on a new one (replay within its window).
    const spent = await mfaLogin(server, { mfa_token: (await tokenRequest(server, email, password)).body.mfa_token ?? "", code });
    assert.equal(spent.status, 400, spent.text);
    assert.equal(spent.body.detail, "Invalid code");
    const reused = await mfaLogin(server, { mfa_token: "not-a-challenge", code });
    assert.equal(reused.status, 400);
    assert.equal(reused.body.error, "invalid_grant");
  });

  test("clock skew: a code one step early or late is accepted, two steps away refused", async () => {
    const { email, password, secret, user } = await enrolledUser(server, "skew");
    // Enrolled with the previous step's code, now the last step used. The database is told enrolment came
    // a step earlier, so "one step early" is a code not used yet, without waiting up to 30 s for the next step.
    await runSql(server, `UPDATE "totp_factors" SET "last_used_step" = "last_used_step" - 1 WHERE "user_id" = ?`, [user.id]);
    await awayFromStepEnd();
    const now = Date.now();
    for (const offset of [-2, 2]) {
      const res = await mfaLogin(server, { mfa_token: await challenge(server, email, password), code: codeAt(secret, now + offset * STEP_MS) });
      assert.equal(res.status, 400, `${offset} steps: ${res.text}`);
    }
    assertTokens(await mfaLogin(server, { mfa_token: await challenge(server, email, password), code: codeAt(secret, now - STEP_MS) }));
    assertTokens(await mfaLogin(server, { mfa_token: await challenge(server, email, password), code: codeAt(secret, now + STEP_MS) }));
    // A code of a step before the last one accepted is a replay too.
    const older = await mfaLogin(server, { mfa_token: await challenge(server, email, password), code: codeAt(secret, now) });
    assert.equal(older.status, 400, older.text);
  });

  test("a challenge allows five codes, then it is spent: sign in with the password again", async () => {
    const { email, password, secret } = await enrolledUser(server, "tries");
    const mfaToken = await challenge(server, email, password);
    for (let i = 0; i < 5; i++) {
      const res = await mfaLogin(server, { mfa_token: mfaToken, code: wrongCode(secret) });
      assert.equal(res.body.detail, "Invalid code", `try ${i + 1}: ${res.text}`);
    }
    await awayFromStepEnd();
    const sixth = await mfaLogin(server, { mfa_token: mfaToken, code: codeAt(secret) });
    assert.equal(sixth.status, 400, sixth.text);
    assert.equal(sixth.body.error, "invalid_grant");
    assertTokens(await mfaLogin(server, { mfa_token: await challenge(server, email, password), code: codeAt(secret) }));
  });

  test("an expired challenge is refused", async () => {
    const { email, password, secret } = await enrolledUser(server, "expired");
    const mfaToken = await challenge(server, email, password);
    await runSql(server, `UPDATE "mfa_challenges" SET "expires_at" = "created_at" WHERE "user_id" = (SELECT "id" FROM "users" WHERE "email" = ?)`, [email]);
    await awayFromStepEnd();
    const res = await mfaLogin(server, { mfa_token: mfaToken, code: codeAt(secret) });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.error, "invalid_grant");
  });

  test("bad input: both or neither of code and recovery_code, no mfa_token → 422", async () => {
    const bodies: Record<string, string>[] = [{ mfa_token: "x" }, { mfa_token: "x", code: "123456", recovery_code: "abcd-efgh-jkmn" }, { code: "123456" }];
    for (const json of bodies) {
      const res = await mfaLogin(server, json);
      assert.equal(res.status, 422, `${JSON.stringify(json)}: ${res.text}`);
    }
  });

  test("wrong codes count towards the password throttle of the account", async () => {
    const throttled = await startServer({ LOGIN_THROTTLE_ACCOUNT_FAILURES: "3", LOGIN_THROTTLE_BASE_DELAY_SECONDS: "60" });
    try {
      const { email, password, secret } = await enrolledUser(throttled, "mfa-throttle");
      const mfaToken = await challenge(throttled, email, password);
      const wrong = wrongCode(secret);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await mfaLogin(throttled, { mfa_token: mfaToken, code: wrong })).status);
      assert.deepEqual(statuses, [400, 400, 400, 429]);
      const locked = await mfaLogin(throttled, { mfa_token: mfaToken, code: codeAt(secret) });
      assert.equal(locked.status, 429, "a right code is not even checked while locked");
      assert.ok(locked.headers.get("retry-after"));
    } finally {
      await throttled.close();
    }
  });
});

describe("recovery codes", () => {
  test("each signs in once, is audited and mailed; regenerating needs a proof and replaces the set", async () => {
    const { email, password, token, recoveryCodes } = await enrolledUser(server, "recovery");
    const [first, second] = recoveryCodes as [string, string];
    assertTokens(await mfaLogin(server, { mfa_token: await challenge(server, email, password), recovery_code: first.toUpperCase() }));
    const again = await mfaLogin(server, { mfa_token: await challenge(server, email, password), recovery_code: first });
    assert.equal(again.status, 400, again.text);
    assert.equal((await server.api("/api/v1/users/me/mfa", { token })).body.recovery_codes_left, 9);
    assert.ok((await events(server, token)).some((e) => e.type === "recovery_code_used"));
    await waitForMail(server, email, /A recovery code was used/);

    const noProof = await server.api("/api/v1/users/me/mfa/recovery-codes", { method: "POST", token });
    assert.equal(noProof.status, 401, noProof.text);
    const made = await server.api("/api/v1/users/me/mfa/recovery-codes", { method: "POST", token, json: { password } });
    assert.equal(made.status, 200, made.text);
    const fresh = made.body.recovery_codes as string[];
    assert.equal(fresh.length, 10);
    const old = await mfaLogin(server, { mfa_token: await challenge(server, email, password), recovery_code: second });
    assert.equal(old.status, 400, "the old set no longer works");
    assertTokens(await mfaLogin(server, { mfa_token: await challenge(server, email, password), recovery_code: fresh[0]! }));
  });
});

describe("re-authentication and turning it off", () => {
  test("a proof is exactly one of password, code, recovery_code; a code counts as one", async () => {
    const { token, password, secret } = await enrolledUser(server, "reauth-code");
    const both = await server.api("/api/v1/login/reauthenticate", { method: "POST", token, json: { password, code: "123456" } });
    assert.equal(both.status, 422, both.text);
    const none = await server.api("/api/v1/login/reauthenticate", { method: "POST", token, json: {} });
    assert.equal(none.status, 422, none.text);
    const wrong = await server.api("/api/v1/login/reauthenticate", { method: "POST", token, json: { code: "12345" } });
    assert.equal(wrong.status, 400, wrong.text);
    await awayFromStepEnd();
    const right = await server.api("/api/v1/login/reauthenticate", { method: "POST", token, json: { code: codeAt(secret) } });
    assert.equal(right.status, 200, right.text);
    assert.equal(right.body.message, "Code confirmed");
  });

  test("turning it off needs a proof; then the password alone signs in, and the user is mailed", async () => {
    const { token, email, password, secret } = await enrolledUser(server, "disable");
    const noProof = await server.api("/api/v1/users/me/mfa", { method: "DELETE", token });
    assert.equal(noProof.status, 401, noProof.text);
    assert.equal(noProof.body.reason, "reauth_required");
    const wrong = await server.api("/api/v1/users/me/mfa", { method: "DELETE", token, json: { password: "not-it" } });
    assert.equal(wrong.status, 400, wrong.text);
    assert.equal((await server.api("/api/v1/users/me/mfa", { token })).body.totp_enabled, true);

    await awayFromStepEnd();
    const off = await server.api("/api/v1/users/me/mfa", { method: "DELETE", token, json: { code: codeAt(secret) } });
    assert.equal(off.status, 200, off.text);
    assertTokens(await tokenRequest(server, email, password));
    assert.ok((await events(server, token)).some((e) => e.type === "mfa_disabled"));
    await waitForMail(server, email, /turned off/);
  });

  test("deleting the account takes a code or a recovery code as its proof, like every sensitive change", async () => {
    const first = await enrolledUser(server, "delete-code");
    const wrong = await server.api("/api/v1/users/me", { method: "DELETE", token: first.token, json: { code: wrongCode(first.secret) } });
    assert.equal(wrong.status, 400, wrong.text);
    assert.equal(wrong.body.detail, "Invalid code");
    const both = await server.api("/api/v1/users/me", { method: "DELETE", token: first.token, json: { password: first.password, code: "123456" } });
    assert.equal(both.status, 422, both.text);
    await awayFromStepEnd();
    const deleted = await server.api("/api/v1/users/me", { method: "DELETE", token: first.token, json: { code: codeAt(first.secret) } });
    assert.equal(deleted.status, 200, deleted.text);
    assert.equal((await tokenRequest(server, first.email, first.password)).status, 400);

    const second = await enrolledUser(server, "delete-recovery");
    const byRecovery = await server.api("/api/v1/users/me", {
      method: "DELETE",
      token: second.token,
      json: { recovery_code: second.recoveryCodes[0] },
    });
    assert.equal(byRecovery.status, 200, byRecovery.text);
  });

  test("a superuser resets a user's second factors: audited, mailed, password alone again", async () => {
    const { user, token, email, password } = await enrolledUser(server, "reset");
    const notAdmin = await server.api(`/api/v1/users/${user.id}/mfa`, { method: "DELETE", token });
    assert.equal(notAdmin.status, 403, notAdmin.text);
    const admin = await adminToken(server);
    const unknown = await server.api("/api/v1/users/no-such-user/mfa", { method: "DELETE", token: admin });
    assert.equal(unknown.status, 404, unknown.text);
    const reset = await server.api(`/api/v1/users/${user.id}/mfa`, { method: "DELETE", token: admin });
    assert.equal(reset.status, 200, reset.text);
    assertTokens(await tokenRequest(server, email, password));
    const resetEvent = (await events(server, token)).find((e) => e.type === "mfa_reset");
    assert.equal(resetEvent?.method, "admin");
    await waitForMail(server, email, /two-factor authentication was reset/i);
  });
});

describe("MFA_REQUIRED", () => {
  test("all: an account without a second factor signs in, may only enrol until it has one, then everything is open", async () => {
    const srv = await startServer({ MFA_REQUIRED: "all" });
    try {
      const { token, email, password } = await newUser(srv, "required");
      const refused = await srv.api("/api/v1/sessions", { token });
      assert.equal(refused.status, 403, refused.text);
      assert.deepEqual(refused.body, { detail: "Set up two-factor authentication first", reason: "mfa_enrolment_required" });
      const rename = await srv.api("/api/v1/users/me", { method: "PATCH", token, json: { full_name: "x", current_password: password } });
      assert.equal(rename.status, 403, rename.text);
      // What an enrolment needs stays open: who am I, the status, re-authentication, enrolling, signing out.
      assert.equal((await srv.api("/api/v1/users/me", { token })).status, 200);
      assert.equal((await srv.api("/api/v1/users/me/mfa", { token })).body.totp_enabled, false);
      const reauth = await srv.api("/api/v1/login/reauthenticate", { method: "POST", token, json: { password } });
      assert.equal(reauth.status, 200, reauth.text);
      const started = await srv.api("/api/v1/users/me/mfa/totp", { method: "POST", token });
      assert.equal(started.status, 200, started.text);
      await awayFromStepEnd();
      const confirmed = await srv.api("/api/v1/users/me/mfa/totp/confirm", {
        method: "POST",
        token,
        json: { code: codeAt(started.body.secret as string) },
      });
      assert.equal(confirmed.status, 200, confirmed.text);
      assert.equal((await srv.api("/api/v1/sessions", { token })).status, 200);
      // From now on its sign-ins ask for the second factor, as for anyone who has one.
      assert.equal((await tokenRequest(srv, email, password)).status, 401);
    } finally {
      await srv.close();
    }
  });

  test("superusers: only superusers are held to it; the default (off) holds nobody", async () => {
    const srv = await startServer({ MFA_REQUIRED: "superusers" });
    try {
      const admin = await adminToken(srv);
      const users = await srv.api("/api/v1/users/", { token: admin });
      assert.equal(users.status, 403, users.text);
      assert.equal(users.body.reason, "mfa_enrolment_required");
      const { token } = await newUser(srv, "not-admin");
      assert.equal((await srv.api("/api/v1/sessions", { token })).status, 200);
    } finally {
      await srv.close();
    }
    const { token: adminDefault } = { token: await adminToken(server) };
    assert.equal((await server.api("/api/v1/users/", { token: adminDefault })).status, 200);
  });
});

describe("races: exactly one wins", () => {
  test("two concurrent completions of one challenge", async () => {
    const { email, password, recoveryCodes } = await enrolledUser(server, "race-challenge");
    const mfaToken = await challenge(server, email, password);
    const results = await Promise.all([
      mfaLogin(server, { mfa_token: mfaToken, recovery_code: recoveryCodes[0]! }),
      mfaLogin(server, { mfa_token: mfaToken, recovery_code: recoveryCodes[1]! }),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 400], results.map((r) => r.text).join(" | "));
  });

  test("one recovery code on two challenges at once", async () => {
    const { email, password, recoveryCodes } = await enrolledUser(server, "race-code");
    const [a, b] = [await challenge(server, email, password), await challenge(server, email, password)];
    const results = await Promise.all([a, b].map((mfaToken) => mfaLogin(server, { mfa_token: mfaToken, recovery_code: recoveryCodes[0]! })));
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 400], results.map((r) => r.text).join(" | "));
  });

  test("one TOTP code on two challenges at once", async () => {
    const { email, password, secret } = await enrolledUser(server, "race-totp");
    const [a, b] = [await challenge(server, email, password), await challenge(server, email, password)];
    await awayFromStepEnd();
    const code = codeAt(secret);
    const results = await Promise.all([a, b].map((mfaToken) => mfaLogin(server, { mfa_token: mfaToken, code })));
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 400], results.map((r) => r.text).join(" | "));
  });
});

/** The outbox's mail to `to` whose subject matches (mail is sent after the answer: waits for it). */
async function waitForMail(srv: Server, to: string, subject: RegExp) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const found = (await readOutbox(srv.dataDir)).find((m) => m.to.includes(to.toLowerCase()) && subject.test(m.subject));
    if (found) return found;
    if (Date.now() > deadline) assert.fail(`no mail to ${to} matching ${subject}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
