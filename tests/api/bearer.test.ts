/** How every protected endpoint answers a missing, malformed, forged, expired or revoked bearer token. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { SignJWT, decodeJwt, decodeProtectedHeader, generateKeyPair } from "jose";
import { newUser, startServer, type ApiInit, type ApiResponse, type Server } from "../helpers/server";

let server: Server;
before(async () => {
  server = await startServer();
});
after(() => server?.close());

/** Every endpoint that needs a bearer token, with a request that would otherwise be valid enough. */
const PROTECTED: [string, string, ApiInit?][] = [
  ["POST", "/api/v1/login/test-token"],
  ["POST", "/api/v1/logout"],
  ["GET", "/api/v1/users/me"],
  ["PATCH", "/api/v1/users/me", { json: { full_name: "X" } }],
  ["DELETE", "/api/v1/users/me"],
  ["PATCH", "/api/v1/users/me/password", { json: { current_password: "password-1234", new_password: "password-5678" } }],
  ["GET", "/api/v1/sessions"],
  ["DELETE", "/api/v1/sessions/some-id"],
  ["GET", "/api/v1/users"],
  ["POST", "/api/v1/users", { json: { email: "new@example.com", password: "password-1234" } }],
  ["GET", "/api/v1/users/some-id"],
  ["PATCH", "/api/v1/users/some-id", { json: { full_name: "X" } }],
  ["DELETE", "/api/v1/users/some-id"],
];

function assertNotAuthenticated(res: ApiResponse, what: string) {
  assert.equal(res.status, 401, `${what}: ${res.text}`);
  assert.deepEqual(res.body, { detail: "Not authenticated" }, what);
  assert.equal(res.headers.get("www-authenticate"), "Bearer", what);
}

function assertInvalidToken(res: ApiResponse, reason: "invalid" | "expired" | "revoked", what = "") {
  assert.equal(res.status, 401, `${what}: ${res.text}`);
  assert.deepEqual(res.body, { detail: "Could not validate credentials", reason }, what);
  assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer error="invalid_token", error_description="[^"]+"$/, what);
}

const me = (token: string, init: ApiInit = {}) => server.api("/api/v1/users/me", { token, ...init });

describe("no usable Authorization header → 401 Not authenticated", () => {
  test("no header, on every protected endpoint", async () => {
    for (const [method, path, init] of PROTECTED) {
      assertNotAuthenticated(await server.api(path, { method, ...init }), `${method} ${path}`);
    }
  });

  test("another scheme, or Bearer without a token", async () => {
    const { token } = await newUser(server, "scheme");
    const basic = `Basic ${Buffer.from("a:b").toString("base64")}`;
    for (const authorization of [basic, `Token ${token}`, token, "Bearer", "Bearer "]) {
      const res = await server.api("/api/v1/users/me", { headers: { authorization } });
      assertNotAuthenticated(res, authorization);
    }
  });

  test("a token in the query string is not accepted", async () => {
    const { token } = await newUser(server, "query");
    for (const name of ["access_token", "token"]) {
      assertNotAuthenticated(await server.api(`/api/v1/users/me?${name}=${token}`), name);
    }
  });

  test("the scheme name is case-insensitive (RFC 7235)", async () => {
    const { token, email } = await newUser(server, "lower");
    const res = await server.api("/api/v1/users/me", { headers: { authorization: `bearer ${token}` } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.email, email);
  });
});

describe("a token that does not verify → 401 reason invalid", () => {
  test("garbage, on every protected endpoint", async () => {
    for (const [method, path, init] of PROTECTED) {
      assertInvalidToken(await server.api(path, { method, token: "not-a-jwt", ...init }), "invalid", `${method} ${path}`);
    }
  });

  test("one character of the signature changed", async () => {
    const { token } = await newUser(server, "tamper");
    assert.equal((await me(token)).status, 200);
    const [header, payload, signature] = token.split(".") as [string, string, string];
    // Not the last character: its low bits are padding and may decode to the same bytes.
    const tampered = `${header}.${payload}.${signature[0] === "A" ? "B" : "A"}${signature.slice(1)}`;
    assertInvalidToken(await me(tampered), "invalid");
  });

  test("claims changed to another user's id, signature kept", async () => {
    const a = await newUser(server, "victim");
    const b = await newUser(server, "attacker");
    const [header, , signature] = b.token.split(".") as [string, string, string];
    const claims = { ...decodeJwt(b.token), sub: a.user.id };
    const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
    assert.notEqual(forged, b.token);
    assertInvalidToken(await me(forged), "invalid");
  });

  test('alg "none" and a token signed with another key are refused', async () => {
    const { token } = await newUser(server, "forge");
    const header = decodeProtectedHeader(token);
    const claims = decodeJwt(token);
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const unsigned = `${b64({ ...header, alg: "none" })}.${b64(claims)}.`;
    assertInvalidToken(await me(unsigned), "invalid", "alg none");

    const { privateKey: otherKey } = await generateKeyPair("EdDSA");
    const signedElsewhere = await new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(otherKey);
    assertInvalidToken(await me(signedElsewhere), "invalid", "other key");
  });

  test("a ~12 KB Authorization header is 401, not 500", async () => {
    const res = await me("a".repeat(12 * 1024));
    assertInvalidToken(res, "invalid");
  });
});

describe("expired and revoked tokens", () => {
  test("a revoked token (after logout) → reason revoked", async () => {
    const { token } = await newUser(server, "revoked");
    const out = await server.api("/api/v1/logout", { method: "POST", token });
    assert.equal(out.status, 200, out.text);
    assertInvalidToken(await me(token), "revoked");
    assertInvalidToken(await server.api("/api/v1/sessions", { token }), "revoked");
  });

  test("an expired token → reason expired (server with 3-second tokens)", async () => {
    const short = await startServer({ ACCESS_TOKEN_EXPIRE_MINUTES: "0.05" });
    try {
      const { token } = await newUser(short, "expiring");
      const login = decodeJwt(token);
      assert.equal(login.exp! - login.iat!, 3);
      assert.equal((await short.api("/api/v1/users/me", { token })).status, 200);
      // JWT times are whole seconds: the token is expired from the second `exp` on.
      await new Promise((r) => setTimeout(r, Math.max(0, login.exp! * 1000 - Date.now()) + 250));
      const res = await short.api("/api/v1/users/me", { token });
      assertInvalidToken(res, "expired");
      assert.match(res.headers.get("www-authenticate") ?? "", /expired/);
    } finally {
      await short.close();
    }
  });
});
