/**
 * Passkeys (issue 28, slice 2) over real HTTP against a production server, with a software authenticator
 * (tests/helpers/authenticator.ts: ES256 keys, "none" attestation, assertions signed byte by byte):
 * registration behind re-authentication, passkey sign-in, the passkey as a password login's second step,
 * and the refusals: a reused challenge, a counter that went back, another origin or RP ID, two racing
 * uses of one challenge (exactly one wins), removal without a fresh proof, an inactive account.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { SoftAuthenticator } from "../helpers/authenticator";
import { readOutbox } from "../helpers/mail";
import { adminToken, login, newUser, startServer, type ApiResponse, type Server } from "../helpers/server";

let server: Server;
/** The origin the app expects: its URL as the banner prints it (loopback shown as localhost). */
let origin: string;
before(async () => {
  server = await startServer();
  origin = `http://localhost:${server.port}`;
});
after(() => server?.close());

function assertTokens(res: ApiResponse) {
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.token_type, "bearer");
  assert.equal(typeof res.body.access_token, "string");
  assert.equal(typeof res.body.refresh_token, "string");
}

const signInOptions = async () => {
  const res = await server.api("/api/v1/login/passkey/options", { method: "POST" });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.rpId, "localhost");
  assert.equal(res.body.userVerification, "preferred");
  return res.body as { challenge: string; rpId: string };
};
const passkeyLogin = (response: unknown) => server.api("/api/v1/login/passkey", { method: "POST", json: { response } });

/** A new user with one passkey registered (through a token that made a password proof). */
async function userWithPasskey(label: string, name = "Test key") {
  const user = await newUser(server, label);
  const authenticator = new SoftAuthenticator(origin);
  const options = await server.api("/api/v1/users/me/passkeys/registration-options", { method: "POST", token: user.token, json: { password: user.password } });
  assert.equal(options.status, 200, options.text);
  const registered = await server.api("/api/v1/users/me/passkeys", {
    method: "POST",
    token: user.token,
    json: { name, response: authenticator.create(options.body) },
  });
  assert.equal(registered.status, 201, registered.text);
  return { ...user, authenticator, passkeyId: registered.body.id as string };
}

async function mailTo(to: string, subject: RegExp) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = (await readOutbox(server.dataDir)).find((m) => m.to.includes(to.toLowerCase()) && subject.test(m.subject));
    if (found) return found;
    if (Date.now() > deadline) assert.fail(`no mail to ${to} matching ${subject}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const events = async (token: string) => ((await server.api("/api/v1/users/me/events", { token })).body.data as { type: string; method: string | null }[]);

describe("registration", () => {
  test("options need a fresh proof; the passkey is listed, audited and mailed", async () => {
    const { token, email, password } = await newUser(server, "pk-reg");
    const noProof = await server.api("/api/v1/users/me/passkeys/registration-options", { method: "POST", token });
    assert.equal(noProof.status, 401, noProof.text);
    assert.equal(noProof.body.reason, "reauth_required");

    const options = await server.api("/api/v1/users/me/passkeys/registration-options", { method: "POST", token, json: { password } });
    assert.equal(options.status, 200, options.text);
    assert.equal(options.body.rp.id, "localhost");
    assert.equal(options.body.user.name, email);
    assert.equal(options.body.authenticatorSelection.residentKey, "required");
    assert.equal(options.body.authenticatorSelection.userVerification, "preferred");

    const authenticator = new SoftAuthenticator(origin);
    const response = authenticator.create(options.body);
    const created = await server.api("/api/v1/users/me/passkeys", { method: "POST", token, json: { name: "Laptop", response } });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.name, "Laptop");
    assert.equal(created.body.last_used_at, null);

    // The same response again: its challenge is spent.
    const again = await server.api("/api/v1/users/me/passkeys", { method: "POST", token, json: { name: "Laptop", response } });
    assert.equal(again.status, 400, again.text);

    const list = await server.api("/api/v1/users/me/passkeys", { token });
    assert.equal(list.status, 200);
    assert.equal(list.body.count, 1);
    assert.deepEqual(list.body.data.map((p: { name: string }) => p.name), ["Laptop"]);

    const renamed = await server.api(`/api/v1/users/me/passkeys/${created.body.id}`, { method: "PATCH", token, json: { name: "Work laptop" } });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.body.name, "Work laptop");

    assert.ok((await events(token)).some((e) => e.type === "passkey_registered"));
    await mailTo(email, /passkey was added/i);
  });

  test("a response for another origin or RP ID is refused, and its challenge is spent", async () => {
    const { token, password } = await newUser(server, "pk-origin");
    for (const bend of [{ origin: "https://evil.example" }, { rpId: "evil.example" }]) {
      const options = await server.api("/api/v1/users/me/passkeys/registration-options", { method: "POST", token, json: { password } });
      const response = new SoftAuthenticator(origin).create(options.body, bend);
      const res = await server.api("/api/v1/users/me/passkeys", { method: "POST", token, json: { name: "x", response } });
      assert.equal(res.status, 400, `${JSON.stringify(bend)}: ${res.text}`);
      assert.match(res.body.detail, /could not be verified/);
    }
    assert.equal((await server.api("/api/v1/users/me/passkeys", { token })).body.count, 0);
  });

  test("malformed responses are 422, never 500", async () => {
    const { token } = await newUser(server, "pk-bad");
    for (const response of [{}, { id: "x" }, "nope", { id: "!!", rawId: "x", type: "public-key", response: {} }]) {
      const res = await server.api("/api/v1/users/me/passkeys", { method: "POST", token, json: { name: "x", response } });
      assert.equal(res.status, 422, res.text);
    }
    const login = await server.api("/api/v1/login/passkey", { method: "POST", json: { response: { id: 1 } } });
    assert.equal(login.status, 422, login.text);
  });
});

describe("passkey sign-in", () => {
  test("answers what a password login answers; the challenge works once; last use is shown", async () => {
    const { email, authenticator } = await userWithPasskey("pk-login");
    const response = authenticator.get(await signInOptions());
    const res = await passkeyLogin(response);
    assertTokens(res);
    assert.equal(res.headers.get("cache-control"), "no-store");
    const me = await server.api("/api/v1/users/me", { token: res.body.access_token });
    assert.equal(me.body.email, email);

    const replay = await passkeyLogin(response);
    assert.equal(replay.status, 400, replay.text);
    assert.equal(replay.body.error, "invalid_grant");

    const list = await server.api("/api/v1/users/me/passkeys", { token: res.body.access_token });
    assert.notEqual(list.body.data[0].last_used_at, null);
    assert.ok((await events(res.body.access_token)).some((e) => e.type === "login_success" && e.method === "passkey"));

    // The refresh token works like a password login's.
    const refreshed = await server.api("/api/v1/login/access-token", { method: "POST", form: { grant_type: "refresh_token", refresh_token: res.body.refresh_token } });
    assertTokens(refreshed);
  });

  test("a signature counter that did not move forward is refused", async () => {
    const { authenticator } = await userWithPasskey("pk-counter");
    assertTokens(await passkeyLogin(authenticator.get(await signInOptions(), { counter: 5 })));
    const same = await passkeyLogin(authenticator.get(await signInOptions(), { counter: 5 }));
    assert.equal(same.status, 400, same.text);
    const back = await passkeyLogin(authenticator.get(await signInOptions(), { counter: 3 }));
    assert.equal(back.status, 400, back.text);
    assertTokens(await passkeyLogin(authenticator.get(await signInOptions(), { counter: 6 })));
  });

  test("another origin, another RP ID, an unknown passkey: 400 invalid_grant", async () => {
    const { authenticator } = await userWithPasskey("pk-wrong");
    for (const bend of [{ origin: "https://evil.example" }, { rpId: "evil.example" }]) {
      const res = await passkeyLogin(authenticator.get(await signInOptions(), bend));
      assert.equal(res.status, 400, `${JSON.stringify(bend)}: ${res.text}`);
      assert.equal(res.body.error, "invalid_grant");
    }
    const stranger = new SoftAuthenticator(origin);
    stranger.create({ challenge: "x", rp: { id: "localhost" }, user: { id: "dXNlcg" } });
    const unknown = await passkeyLogin(stranger.get(await signInOptions()));
    assert.equal(unknown.status, 400, unknown.text);
  });

  test("two concurrent uses of one challenge: exactly one signs in", async () => {
    const { authenticator } = await userWithPasskey("pk-race");
    const options = await signInOptions();
    const first = authenticator.get(options, { counter: 10 });
    const second = authenticator.get(options, { counter: 11 });
    const results = await Promise.all([passkeyLogin(first), passkeyLogin(second)]);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 400], results.map((r) => r.text).join("\n"));
  });

  test("an inactive account is refused as at the password login", async () => {
    const { user, authenticator } = await userWithPasskey("pk-inactive");
    const admin = await adminToken(server);
    const off = await server.api(`/api/v1/users/${user.id}`, { method: "PATCH", token: admin, json: { is_active: false } });
    assert.equal(off.status, 200, off.text);
    const res = await passkeyLogin(authenticator.get(await signInOptions()));
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.detail, "Inactive user");
  });
});

describe("second factor", () => {
  test("a password login of an account with a passkey asks for it, and the passkey completes it", async () => {
    const { email, password, authenticator } = await userWithPasskey("pk-mfa");
    const step1 = await server.api("/api/v1/login/access-token", { method: "POST", form: { username: email, password } });
    assert.equal(step1.status, 401, step1.text);
    assert.equal(step1.body.reason, "mfa_required");
    assert.deepEqual(step1.body.methods, ["passkey"]);
    const mfaToken = step1.body.mfa_token as string;

    const options = await server.api("/api/v1/login/mfa/passkey-options", { method: "POST", json: { mfa_token: mfaToken } });
    assert.equal(options.status, 200, options.text);
    assert.equal(options.body.allowCredentials.length, 1);
    assert.equal(options.body.allowCredentials[0].id, authenticator.credentials[0]!.id.toString("base64url"));

    // An assertion for a sign-in challenge does not pass as a second factor.
    const wrongPurpose = await server.api("/api/v1/login/mfa", { method: "POST", json: { mfa_token: mfaToken, passkey: authenticator.get(await signInOptions()) } });
    assert.equal(wrongPurpose.status, 400, wrongPurpose.text);
    assert.equal(wrongPurpose.body.detail, "Invalid code");

    const done = await server.api("/api/v1/login/mfa", { method: "POST", json: { mfa_token: mfaToken, passkey: authenticator.get(options.body) } });
    assertTokens(done);
    const spent = await server.api("/api/v1/login/mfa/passkey-options", { method: "POST", json: { mfa_token: mfaToken } });
    assert.equal(spent.status, 400, spent.text);
  });

  test("another user's passkey does not complete the challenge", async () => {
    const victim = await userWithPasskey("pk-victim");
    const attacker = await userWithPasskey("pk-attacker");
    const step1 = await server.api("/api/v1/login/access-token", { method: "POST", form: { username: victim.email, password: victim.password } });
    const mfaToken = step1.body.mfa_token as string;
    const options = await server.api("/api/v1/login/mfa/passkey-options", { method: "POST", json: { mfa_token: mfaToken } });
    const res = await server.api("/api/v1/login/mfa", { method: "POST", json: { mfa_token: mfaToken, passkey: attacker.authenticator.get(options.body) } });
    assert.equal(res.status, 400, res.text);
  });
});

describe("removal", () => {
  test("needs a fresh proof; then the passkey signs in no more and the password alone signs in", async () => {
    const { email, password, passkeyId, authenticator } = await userWithPasskey("pk-remove");
    // A new token: the registration's proof does not carry over.
    const step1 = await server.api("/api/v1/login/access-token", { method: "POST", form: { username: email, password } });
    const options = await server.api("/api/v1/login/mfa/passkey-options", { method: "POST", json: { mfa_token: step1.body.mfa_token } });
    const tokens = await server.api("/api/v1/login/mfa", { method: "POST", json: { mfa_token: step1.body.mfa_token, passkey: authenticator.get(options.body) } });
    const token = tokens.body.access_token as string;

    const noProof = await server.api(`/api/v1/users/me/passkeys/${passkeyId}`, { method: "DELETE", token });
    assert.equal(noProof.status, 401, noProof.text);
    assert.equal(noProof.body.reason, "reauth_required");
    const wrong = await server.api(`/api/v1/users/me/passkeys/${passkeyId}`, { method: "DELETE", token, json: { password: "not-it-at-all" } });
    assert.equal(wrong.status, 400, wrong.text);

    const removed = await server.api(`/api/v1/users/me/passkeys/${passkeyId}`, { method: "DELETE", token, json: { password } });
    assert.equal(removed.status, 200, removed.text);
    const gone = await server.api(`/api/v1/users/me/passkeys/${passkeyId}`, { method: "DELETE", token, json: { password } });
    assert.equal(gone.status, 404, gone.text);

    const res = await passkeyLogin(authenticator.get(await signInOptions()));
    assert.equal(res.status, 400, res.text);
    assert.ok(await login(server, email, password));
    assert.ok((await events(token)).some((e) => e.type === "passkey_removed"));
    await mailTo(email, /passkey was removed/i);
  });

  test("someone else's passkey is not found", async () => {
    const owner = await userWithPasskey("pk-owner");
    const other = await newUser(server, "pk-other");
    const res = await server.api(`/api/v1/users/me/passkeys/${owner.passkeyId}`, { method: "DELETE", token: other.token, json: { password: other.password } });
    assert.equal(res.status, 404, res.text);
    const rename = await server.api(`/api/v1/users/me/passkeys/${owner.passkeyId}`, { method: "PATCH", token: other.token, json: { name: "mine" } });
    assert.equal(rename.status, 404, rename.text);
  });
});
