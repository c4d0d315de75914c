/**
 * A passkey as the fresh proof of sudo mode, and the last way in (issue 28), over real HTTP against a
 * production server with a software authenticator (tests/helpers/authenticator.ts).
 *
 * Sudo mode: `POST /login/reauthenticate/passkey/options` gives options limited to the caller's passkeys;
 * the assertion confirms through `POST /login/reauthenticate` or in a sensitive body (`passkey`). A replayed,
 * foreign or other-purpose assertion is refused with a clear 400; refusals count in the throttle; of two
 * uses of one challenge exactly one wins.
 *
 * The last way in (lib/accounts/ways-in.ts): an account without a password cannot remove its last passkey
 * or unlink its last provider (409), even racing; turning TOTP off never counts as removing a way in.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Secret, TOTP } from "otpauth";
import { SoftAuthenticator } from "../helpers/authenticator";
import { runSql, sqlTimestamp } from "../helpers/database";
import { newUser, startServer, type Server } from "../helpers/server";

let server: Server;
let origin: string;
before(async () => {
  // Three failures lock an account: the throttle test reaches it, the others stay under it.
  server = await startServer({ LOGIN_THROTTLE_ACCOUNT_FAILURES: "3", LOGIN_THROTTLE_BASE_DELAY_SECONDS: "60" });
  origin = `http://localhost:${server.port}`;
});
after(() => server?.close());

type Options = { challenge: string; rpId: string; allowCredentials: { id: string }[] };

/** A new user with a passkey, and a token that made no proof yet (signed in through the passkey second step). */
async function userWithPasskey(label: string) {
  const user = await newUser(server, label);
  const authenticator = new SoftAuthenticator(origin);
  const options = await server.api("/api/v1/users/me/passkeys/registration-options", { method: "POST", token: user.token, json: { password: user.password } });
  assert.equal(options.status, 200, options.text);
  const registered = await server.api("/api/v1/users/me/passkeys", { method: "POST", token: user.token, json: { name: "Laptop", response: authenticator.create(options.body) } });
  assert.equal(registered.status, 201, registered.text);
  const step1 = await server.api("/api/v1/login/access-token", { method: "POST", form: { username: user.email, password: user.password } });
  const second = await server.api("/api/v1/login/mfa/passkey-options", { method: "POST", json: { mfa_token: step1.body.mfa_token } });
  const tokens = await server.api("/api/v1/login/mfa", { method: "POST", json: { mfa_token: step1.body.mfa_token, passkey: authenticator.get(second.body) } });
  assert.equal(tokens.status, 200, tokens.text);
  return { ...user, authenticator, passkeyId: registered.body.id as string, token: tokens.body.access_token as string };
}

/** Another passkey for the user, registered with a passkey proof. */
async function addPasskey(user: Awaited<ReturnType<typeof userWithPasskey>>, name: string) {
  const options = await server.api("/api/v1/users/me/passkeys/registration-options", { method: "POST", token: user.token, json: { passkey: await proof(user) } });
  assert.equal(options.status, 200, options.text);
  const registered = await server.api("/api/v1/users/me/passkeys", { method: "POST", token: user.token, json: { name, response: user.authenticator.create(options.body) } });
  assert.equal(registered.status, 201, registered.text);
  return registered.body.id as string;
}

const reauthOptions = async (token: string) => {
  const res = await server.api("/api/v1/login/reauthenticate/passkey/options", { method: "POST", token });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get("cache-control"), "no-store");
  return res.body as Options;
};

/** A passkey assertion for fresh re-authentication options of `user`. */
async function proof(user: { token: string; authenticator: SoftAuthenticator }) {
  return user.authenticator.get(await reauthOptions(user.token), {}, user.authenticator.credentials[0]);
}

const reauthenticate = (token: string, json: unknown) => server.api("/api/v1/login/reauthenticate", { method: "POST", token, json });
/** A sensitive request with no proof in it: 401 reauth_required unless the token was confirmed lately. */
const needsProof = (token: string) => server.api("/api/v1/users/me/passkeys/registration-options", { method: "POST", token });
const events = async (token: string) => (await server.api("/api/v1/users/me/events", { token })).body.data as { type: string; method: string | null }[];

/** Makes the account passwordless (as one that signed up through its provider), optionally with a linked provider account. */
async function withoutPassword(email: string, provider?: string) {
  await runSql(server, `UPDATE "users" SET "hashed_password" = NULL WHERE "email" = ?`, [email]);
  if (provider) {
    const id = (await runSql<{ id: string }>(server, `SELECT "id" FROM "users" WHERE "email" = ?`, [email]))[0]!.id;
    const now = sqlTimestamp(new Date());
    await runSql(server, `INSERT INTO "accounts" ("user_id", "type", "provider", "provider_account_id", "created_at", "updated_at") VALUES (?, 'oidc', 'oidc', ?, ?, ?)`, [
      id,
      provider,
      now,
      now,
    ]);
  }
}

describe("a passkey as the fresh proof", () => {
  test("options: only the caller's passkeys, for a signed-in caller with a passkey", async () => {
    const user = await userWithPasskey("reauth-pk-options");
    const options = await reauthOptions(user.token);
    assert.equal(options.rpId, "localhost");
    assert.deepEqual(options.allowCredentials.map((c) => c.id), [user.authenticator.credentials[0]!.id.toString("base64url")]);

    assert.equal((await server.api("/api/v1/login/reauthenticate/passkey/options", { method: "POST" })).status, 401);
    const plain = await newUser(server, "reauth-pk-none");
    const none = await server.api("/api/v1/login/reauthenticate/passkey/options", { method: "POST", token: plain.token });
    assert.equal(none.status, 400, none.text);
    assert.match(none.body.detail, /no passkey/);
  });

  test("POST /login/reauthenticate with a passkey lets this token make sensitive changes; audited", async () => {
    const user = await userWithPasskey("reauth-pk-ok");
    assert.equal((await needsProof(user.token)).status, 401);
    const res = await reauthenticate(user.token, { passkey: await proof(user) });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.message, "Passkey confirmed");
    assert.ok(Date.parse(res.body.reauthenticated_until) > Date.now());
    assert.equal((await needsProof(user.token)).status, 200);
    assert.ok((await events(user.token)).some((e) => e.type === "reauthenticated" && e.method === "passkey"));
  });

  test("a passkey in the sensitive request's own body: deleting the account", async () => {
    const user = await userWithPasskey("reauth-pk-body");
    const res = await server.api("/api/v1/users/me", { method: "DELETE", token: user.token, json: { passkey: await proof(user) } });
    assert.equal(res.status, 200, res.text);
    assert.equal((await server.api("/api/v1/users/me", { token: user.token })).status, 401);
  });

  test("replayed, foreign or other-purpose assertions: 400 with a clear detail, and the token stays unconfirmed", async () => {
    const user = await userWithPasskey("reauth-pk-refused");
    const other = await userWithPasskey("reauth-pk-other");

    const first = await proof(user);
    assert.equal((await reauthenticate(user.token, { passkey: first })).status, 200);
    const replay = await reauthenticate(user.token, { passkey: first });
    assert.equal(replay.status, 400, replay.text);
    assert.match(replay.body.detail, /^Passkey not recognized: ask for new options/);

    // Another user's passkey answering my challenge; my passkey answering a sign-in challenge.
    const foreign = other.authenticator.get(await reauthOptions(user.token));
    const mine = await server.api("/api/v1/login/reauthenticate", { method: "POST", token: user.token, json: { passkey: foreign } });
    assert.equal(mine.status, 400, mine.text);
    const signInOptions = (await server.api("/api/v1/login/passkey/options", { method: "POST" })).body as Options;
    const wrongPurpose = await reauthenticate(other.token, { passkey: other.authenticator.get(signInOptions) });
    assert.equal(wrongPurpose.status, 400, wrongPurpose.text);
    assert.equal((await needsProof(other.token)).status, 401, "the refused proofs confirmed nothing");
    assert.ok((await events(other.token)).some((e) => e.type === "mfa_challenge_failed" && e.method === "reauthentication"));

    // A counter that went back (a cloned authenticator).
    const stale = user.authenticator.get(await reauthOptions(user.token), { counter: 1 });
    const cloned = await reauthenticate(user.token, { passkey: stale });
    assert.equal(cloned.status, 400, cloned.text);
  });

  test("bad input: a malformed passkey, or a passkey with a password → 422", async () => {
    const user = await userWithPasskey("reauth-pk-422");
    for (const json of [{ passkey: { id: "x" } }, { passkey: await proof(user), password: user.password }, { passkey: "not an object" }]) {
      const res = await reauthenticate(user.token, json);
      assert.equal(res.status, 422, `${JSON.stringify(json).slice(0, 80)}: ${res.text}`);
    }
    const body = await server.api("/api/v1/users/me", { method: "DELETE", token: user.token, json: { passkey: { id: "x" } } });
    assert.equal(body.status, 422, body.text);
  });

  test("refused assertions count towards the account's throttle", async () => {
    const user = await userWithPasskey("reauth-pk-throttle");
    const other = new SoftAuthenticator(origin);
    other.create({ challenge: "x", rp: { id: "localhost" }, user: { id: "someone" } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await reauthenticate(user.token, { passkey: other.get(await reauthOptions(user.token)) })).status);
    assert.deepEqual(statuses, [400, 400, 400, 429]);
    const locked = await reauthenticate(user.token, { passkey: await proof(user) });
    assert.equal(locked.status, 429, "a right passkey is not even checked while locked");
  });

  test("two concurrent uses of one challenge: exactly one confirms", async () => {
    const user = await userWithPasskey("reauth-pk-race");
    const options = await reauthOptions(user.token);
    const credential = user.authenticator.credentials[0]!;
    const assertions = [user.authenticator.get(options, {}, credential), user.authenticator.get(options, {}, credential)];
    const results = await Promise.all(assertions.map((passkey) => reauthenticate(user.token, { passkey })));
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 400], results.map((r) => r.text).join(" | "));
  });
});

describe("the last way in", () => {
  test("an account without a password keeps its last passkey: 409, before and after a proof", async () => {
    const user = await userWithPasskey("ways-in-passkey");
    const second = await addPasskey(user, "Phone");
    await withoutPassword(user.email);

    const removed = await server.api(`/api/v1/users/me/passkeys/${second}`, { method: "DELETE", token: user.token, json: { passkey: await proof(user) } });
    assert.equal(removed.status, 200, removed.text);
    const last = await server.api(`/api/v1/users/me/passkeys/${user.passkeyId}`, { method: "DELETE", token: user.token, json: { passkey: await proof(user) } });
    assert.equal(last.status, 409, last.text);
    assert.match(last.body.detail, /only way to sign in to this account/);
    const listed = await server.api("/api/v1/users/me/passkeys", { token: user.token });
    assert.equal(listed.body.count, 1);
    // And it still signs in.
    const signIn = (await server.api("/api/v1/login/passkey/options", { method: "POST" })).body as Options;
    assert.equal((await server.api("/api/v1/login/passkey", { method: "POST", json: { response: user.authenticator.get(signIn, {}, user.authenticator.credentials[0]) } })).status, 200);
  });

  test("a passkey lets a passwordless account unlink its provider; then the passkey is the last way in", async () => {
    const user = await userWithPasskey("ways-in-provider");
    const sub = `sub-${Date.now()}`;
    await withoutPassword(user.email, sub);
    const unlinked = await server.api(`/api/v1/users/me/accounts/oidc:${sub}`, { method: "DELETE", token: user.token, json: { passkey: await proof(user) } });
    assert.equal(unlinked.status, 200, unlinked.text);
    const last = await server.api(`/api/v1/users/me/passkeys/${user.passkeyId}`, { method: "DELETE", token: user.token, json: { passkey: await proof(user) } });
    assert.equal(last.status, 409, last.text);
  });

  test("a passwordless account's only provider cannot be unlinked", async () => {
    const user = await newUser(server, "ways-in-only-provider");
    const sub = `only-${Date.now()}`;
    await withoutPassword(user.email, sub);
    const res = await server.api(`/api/v1/users/me/accounts/oidc:${sub}`, { method: "DELETE", token: user.token });
    assert.equal(res.status, 409, res.text);
    assert.equal(res.body.detail, "This is the only way to sign in to this account; it cannot be removed");
  });

  test("turning TOTP off is never refused: it signs in no one by itself", async () => {
    const user = await newUser(server, "ways-in-totp");
    const started = await server.api("/api/v1/users/me/mfa/totp", { method: "POST", token: user.token, json: { password: user.password } });
    const totp = new TOTP({ secret: Secret.fromBase32(started.body.secret as string), digits: 6, period: 30, algorithm: "SHA1" });
    const confirmed = await server.api("/api/v1/users/me/mfa/totp/confirm", { method: "POST", token: user.token, json: { code: totp.generate({ timestamp: Date.now() - 30_000 }) } });
    assert.equal(confirmed.status, 200, confirmed.text);
    await withoutPassword(user.email, `totp-${Date.now()}`);
    const status = await server.api("/api/v1/users/me/mfa", { token: user.token });
    assert.deepEqual(status.body.reauthentication_proofs, ["code", "recovery_code"]);
    const off = await server.api("/api/v1/users/me/mfa", { method: "DELETE", token: user.token, json: { recovery_code: confirmed.body.recovery_codes[0] } });
    assert.equal(off.status, 200, off.text);
  });

  test("two concurrent removals of the last two passkeys: exactly one goes", async () => {
    const user = await userWithPasskey("ways-in-race");
    const second = await addPasskey(user, "Phone");
    await withoutPassword(user.email);
    assert.equal((await reauthenticate(user.token, { passkey: await proof(user) })).status, 200);
    const results = await Promise.all(
      [user.passkeyId, second].map((id) => server.api(`/api/v1/users/me/passkeys/${id}`, { method: "DELETE", token: user.token })),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409], results.map((r) => r.text).join(" | "));
    assert.equal((await server.api("/api/v1/users/me/passkeys", { token: user.token })).body.count, 1);
  });

  test("GET /users/me/mfa lists the proofs the account can give", async () => {
    const user = await userWithPasskey("ways-in-proofs");
    assert.deepEqual((await server.api("/api/v1/users/me/mfa", { token: user.token })).body.reauthentication_proofs, ["password", "passkey"]);
    await withoutPassword(user.email);
    assert.deepEqual((await server.api("/api/v1/users/me/mfa", { token: user.token })).body.reauthentication_proofs, ["passkey"]);
  });
});
