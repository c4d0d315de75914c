/**
 * The browser sign-in (Auth.js cookie) is only as alive as its Session row: once the row is gone
 * (signed out everywhere, revoked, password changed), Auth.js itself must treat the cookie as signed
 * out — no user from GET /api/auth/session and no refreshed cookie — and linked sign-in methods are
 * listed and removable through GET/DELETE /users/me/accounts.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { decodeJwt } from "jose";
import {
  browserSignIn as signInAt,
  login,
  mintFromCookie,
  newUser,
  SESSION_COOKIE,
  startServer,
  type Server,
} from "../helpers/server";

let server: Server;
before(async () => {
  server = await startServer();
});
after(() => server?.close());

/** GET /api/auth/session with that cookie: the body and any session cookie it sets. */
async function authjsSession(cookie: string) {
  const res = await fetch(`${server.url}/api/auth/session`, { headers: { cookie: `${SESSION_COOKIE}=${cookie}` } });
  assert.ok(res.status < 500, `status ${res.status}`);
  const set = res.headers
    .getSetCookie()
    .filter((c) => c.startsWith(`${SESSION_COOKIE}=`))
    .map((c) => c.split(";")[0]!.slice(SESSION_COOKIE.length + 1));
  return { status: res.status, body: (await res.json()) as { user?: { email?: string } } | null, set };
}

const browserSignIn = (email: string, password: string) => signInAt(server, email, password);
const mint = (cookie: string) => mintFromCookie(server, cookie);

describe("an Auth.js cookie whose Session row is gone", () => {
  test("signed out everywhere: GET /api/auth/session says no user and re-issues no cookie", async () => {
    const { email, password } = await newUser(server, "victim");
    const cookie = await browserSignIn(email, password);
    const live = await authjsSession(cookie);
    assert.equal(live.body?.user?.email, email, "a live sign-in is a session");
    assert.equal(live.set.filter((v) => v !== "").length, 1, "a live sign-in keeps its cookie");

    const token = await login(server, email, password);
    const out = await server.api("/api/v1/logout", { method: "POST", token, json: { everywhere: true } });
    assert.equal(out.status, 200, out.text);

    assert.equal((await mint(cookie)).body.reason, "revoked");
    const dead = await authjsSession(cookie);
    assert.equal(dead.body?.user, undefined, `still signed in: ${JSON.stringify(dead.body)}`);
    // No refreshed cookie: anything set for the session cookie only clears it.
    assert.deepEqual(dead.set.filter((v) => v !== ""), []);
  });

  test("one browser sign-in revoked on the sessions page: its cookie is signed out, another one is not", async () => {
    const { email, password, token } = await newUser(server, "revoked");
    const first = await browserSignIn(email, password);
    const second = await browserSignIn(email, password);
    const minted = await mint(first);
    assert.equal(minted.status, 200, minted.text);
    const revoke = await server.api(`/api/v1/sessions/${decodeJwt(minted.body.access_token).jti}`, {
      method: "DELETE",
      token,
    });
    assert.equal(revoke.status, 200, revoke.text);
    assert.equal((await authjsSession(first)).body?.user, undefined);
    assert.equal((await authjsSession(second)).body?.user?.email, email);
  });
});

describe("GET /users/me/accounts, DELETE /users/me/accounts/{id}", () => {
  test("a password account has no linked sign-in methods", async () => {
    const { token } = await newUser(server, "nolinks");
    const res = await server.api("/api/v1/users/me/accounts", { token });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { data: [], count: 0 });
  });

  test("removing an account that is not mine is 404; without a token 401", async () => {
    const { token } = await newUser(server, "nolinks2");
    const res = await server.api("/api/v1/users/me/accounts/oidc:someone", { method: "DELETE", token });
    assert.equal(res.status, 404, res.text);
    assert.equal(typeof res.body.detail, "string");
    assert.equal((await server.api("/api/v1/users/me/accounts")).status, 401);
  });

  test("signing out everywhere and changing the password list the linked accounts in the answer", async () => {
    const { token, email, password } = await newUser(server, "listing");
    const changed = await server.api("/api/v1/users/me/password", {
      method: "PATCH",
      token,
      json: { current_password: password, new_password: "another-password-5678" },
    });
    assert.equal(changed.status, 200, changed.text);
    assert.deepEqual(changed.body.linked_accounts, []);
    const other = await login(server, email, "another-password-5678");
    const out = await server.api("/api/v1/logout", { method: "POST", token: other, json: { everywhere: true } });
    assert.equal(out.status, 200, out.text);
    assert.deepEqual(out.body.linked_accounts, []);
  });
});
