/**
 * Publicly verifiable access tokens: the keys at /.well-known/jwks.json and the RFC 8414 metadata verify
 * our tokens with jose alone; the example resource server (examples/resource-server) accepts them; a key
 * rotation signs with the new key at once and keeps the old one published (and accepted) exactly while
 * a token it signed lives; HS256 tokens from before the upgrade keep working until they expire; two
 * instances with different keys accept each other's tokens. On the pass's database.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { calculateJwkThumbprint, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JWK } from "jose";
import { runSql, sqlTimestamp } from "../helpers/database";
import { freePort, stopGroup } from "../helpers/processes";
import { passwordLogin } from "../helpers/refresh";
import { bannerUrl, DATABASE, signup, startServer, uniqueEmail, type Server } from "../helpers/server";

const SECRET = "signing-keys-test-secret-0123456789-abcdefgh";
const OLD_SECRET = "an-older-secret-from-before-0123456789-abcdef";
const PASSWORD = "password-1234";

let server: Server;
before(async () => {
  server = await startServer({ AUTH_SECRET: SECRET });
});
after(() => server?.close());

async function newLogin(on = server) {
  const email = uniqueEmail("keys");
  const user = await signup(on, email, PASSWORD);
  return { user, email, ...(await passwordLogin(on, email, PASSWORD)) };
}
const me = (token: string, on = server) => on.api("/api/v1/users/me", { token });
const kidOf = (token: string) => decodeProtectedHeader(token).kid as string;
async function publishedKids(on = server): Promise<string[]> {
  const res = await on.api("/.well-known/jwks.json");
  assert.equal(res.status, 200, res.text);
  return res.body.keys.map((k: { kid: string }) => k.kid);
}
/** As another service does: the published keys, and the issuer (the app's URL as the banner printed it). */
const verifyRemotely = async (token: string, on = server) =>
  jwtVerify(token, createRemoteJWKSet(new URL("/.well-known/jwks.json", on.url)), {
    issuer: await bannerUrl(on),
    audience: "signin-system-api",
    typ: "at+jwt",
  });

describe("published keys and metadata", () => {
  test("GET /.well-known/jwks.json: the signing key's public half only, cacheable", async () => {
    const { access_token } = await newLogin();
    const res = await server.api("/.well-known/jwks.json");
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get("cache-control") ?? "", /^public, max-age=\d+/);
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
    const key = res.body.keys.find((k: JWK) => k.kid === kidOf(access_token));
    assert.ok(key, res.text);
    assert.deepEqual(
      { kty: key.kty, crv: key.crv, alg: key.alg, use: key.use },
      { kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" },
    );
    for (const k of res.body.keys) assert.equal("d" in k, false, "never a private part");
    // The kid is the key's RFC 7638 thumbprint.
    assert.equal(await calculateJwkThumbprint({ kty: key.kty, crv: key.crv, x: key.x }), key.kid);
  });

  test("GET /.well-known/oauth-authorization-server: RFC 8414 fields, cacheable", async () => {
    const res = await server.api("/.well-known/oauth-authorization-server");
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get("cache-control") ?? "", /^public, max-age=\d+/);
    // The issuer our tokens name (from the configuration); the endpoints where this request came.
    assert.equal(res.body.issuer, await bannerUrl(server));
    assert.equal(res.body.token_endpoint, `${server.url}/api/v1/login/access-token`);
    assert.equal(res.body.jwks_uri, `${server.url}/.well-known/jwks.json`);
    assert.equal(res.body.revocation_endpoint, `${server.url}/api/v1/login/revoke`);
    assert.deepEqual(res.body.grant_types_supported, ["password", "refresh_token"]);
    assert.deepEqual(res.body.token_endpoint_auth_methods_supported, ["none"]);
    // The metadata's own URLs work.
    assert.equal((await fetch(res.body.jwks_uri)).status, 200);
  });

  test("both answer 405 in the API's shape to other methods", async () => {
    for (const p of ["/.well-known/jwks.json", "/.well-known/oauth-authorization-server"]) {
      const res = await server.api(p, { method: "POST" });
      assert.equal(res.status, 405, res.text);
      assert.equal(res.headers.get("allow"), "GET");
    }
  });

  test("jose verifies our access token with the remote key set alone", async () => {
    const { access_token, user } = await newLogin();
    const { payload } = await verifyRemotely(access_token);
    assert.equal(payload.sub, user.id);
  });
});

describe("the example resource server (examples/resource-server)", () => {
  test("accepts our tokens offline, refuses others; a revoked token passes there until it expires", async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [path.join("examples", "resource-server", "server.mjs")], {
      cwd: path.resolve(import.meta.dirname, "..", ".."),
      env: { ...process.env, ISSUER: await bannerUrl(server), PORT: String(port) },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on("data", (d) => String(d).includes("Resource server on") && resolve());
        child.once("exit", (code) => reject(new Error(`resource server exited ${code}`)));
      });
      const call = async (token?: string) => {
        const res = await fetch(`http://127.0.0.1:${port}/`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };
      const { access_token, user } = await newLogin();
      assert.deepEqual((await call(access_token)).body.sub, user.id);
      assert.equal((await call()).status, 401);
      const [h, , s] = access_token.split(".");
      const forged = `${h}.${Buffer.from(JSON.stringify({ ...decodeJwt(access_token), sub: "admin" })).toString("base64url")}.${s}`;
      assert.equal((await call(forged)).status, 401);
      // The trade-off of offline verification, as docs/api.md says: revoked here, still valid there.
      await server.api("/api/v1/logout", { method: "POST", token: access_token });
      assert.equal((await me(access_token)).status, 401);
      assert.equal((await call(access_token)).status, 200);
    } finally {
      await stopGroup(child);
    }
  });
});

/** An HS256 token exactly as the app signed them before asymmetric signing. */
function legacyToken(secret: string, claims: { sub: string; jti: string; iat: number; exp: number }) {
  const kid = crypto.createHash("sha256").update(secret).digest("base64url").slice(0, 12);
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const input = `${b64({ alg: "HS256", typ: "JWT", kid })}.${b64({ ...claims, iss: "signin-system", aud: "signin-system-api" })}`;
  return `${input}.${crypto.createHmac("sha256", secret).update(input).digest("base64url")}`;
}

/** A token row as the upgrade's migration leaves those of HS256 tokens: no kid, no family. */
async function preUpgradeRow(userId: string, ttlSeconds = 1800) {
  const id = crypto.randomUUID();
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + ttlSeconds;
  await runSql(
    server,
    `INSERT INTO "access_tokens" ("id", "user_id", "created_at", "expires_at", "method") VALUES (?, ?, ?, ?, ?)`,
    [id, userId, sqlTimestamp(new Date(iat * 1000)), sqlTimestamp(new Date(exp * 1000)), "password"],
  );
  return { sub: userId, jti: id, iat, exp };
}

describe("upgrade without sign-out: HS256 tokens from before", () => {
  test("an HS256 token issued before the upgrade keeps working, and is revocable", async () => {
    const { user } = await newLogin();
    const old = legacyToken(SECRET, await preUpgradeRow(user.id));
    const res = await me(old);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.id, user.id);
    assert.equal((await server.api("/api/v1/logout", { method: "POST", token: old })).status, 200);
    assert.equal((await me(old)).body.reason, "revoked");
  });

  test("AUTH_SECRET can no longer mint: an HS256 token for a row issued since is refused", async () => {
    const { user, access_token } = await newLogin();
    const claims = decodeJwt(access_token);
    const forged = legacyToken(SECRET, { sub: user.id, jti: claims.jti!, iat: claims.iat!, exp: claims.exp! });
    const res = await me(forged);
    assert.equal(res.status, 401, res.text);
    assert.equal(res.body.reason, "invalid");
  });

  test("after rotating AUTH_SECRET, HS256 tokens signed with AUTH_SECRET_PREVIOUS still work", async () => {
    const { user } = await newLogin();
    const claims = await preUpgradeRow(user.id);
    const signedWithOld = legacyToken(OLD_SECRET, claims);
    assert.equal((await me(signedWithOld)).status, 401, "OLD_SECRET is not configured yet");
    await server.restart({ AUTH_SECRET: SECRET, AUTH_SECRET_PREVIOUS: OLD_SECRET });
    assert.equal((await me(signedWithOld)).status, 200);
    assert.equal((await me(legacyToken(SECRET, claims))).status, 200);
  });
});

describe("key rotation", () => {
  test("a new key signs at once; an old one stays published and accepted exactly while its tokens live", async () => {
    const first = await newLogin();
    const firstKid = kidOf(first.access_token);

    // Rotation by configuration: ES256, tokens of 20 seconds.
    await server.restart({ AUTH_SECRET: SECRET, AUTH_SIGNING_ALG: "ES256", ACCESS_TOKEN_EXPIRE_MINUTES: String(20 / 60) });
    const second = await newLogin();
    assert.equal(decodeProtectedHeader(second.access_token).alg, "ES256");
    const secondKid = kidOf(second.access_token);
    assert.notEqual(secondKid, firstKid);
    for (const t of [first, second]) assert.equal((await me(t.access_token)).status, 200);
    assert.deepEqual(new Set(await publishedKids()), new Set([secondKid, firstKid]));
    await verifyRemotely(first.access_token);
    await verifyRemotely(second.access_token);
    // A token refreshed from a family started under the old key is signed with the new one.
    const refreshed = await server.api("/api/v1/login/access-token", {
      method: "POST",
      form: { grant_type: "refresh_token", refresh_token: first.refresh_token },
    });
    assert.equal(kidOf(refreshed.body.access_token), secondKid);

    // Rotation to a given key (AUTH_SIGNING_KEY, a JWK): its thumbprint is the kid.
    const jwk = crypto.generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" });
    await server.restart({ AUTH_SECRET: SECRET, AUTH_SIGNING_KEY: JSON.stringify(jwk), ACCESS_TOKEN_EXPIRE_MINUTES: "0.05" });
    const third = await newLogin();
    const thirdKid = kidOf(third.access_token);
    assert.equal(thirdKid, await calculateJwkThumbprint({ kty: jwk.kty!, crv: jwk.crv!, x: jwk.x! }));
    const secondExpires = Math.max(decodeJwt(second.access_token).exp!, decodeJwt(refreshed.body.access_token).exp!);
    const kids = await publishedKids();
    // (Asked only while they surely live: a slow restart could outlast them.)
    if (Date.now() / 1000 < secondExpires - 2) assert.ok(kids.includes(secondKid), "the ES256 key's tokens are still live");

    // Once the last ES256 token has expired, that key is no longer published; the first key still is
    // (its first token lives 30 minutes) and its token still works.
    await new Promise((r) => setTimeout(r, Math.max(0, secondExpires * 1000 - Date.now()) + 1500));
    assert.deepEqual(new Set(await publishedKids()), new Set([thirdKid, firstKid]));
    assert.equal((await me(first.access_token)).status, 200);
    assert.equal((await me(second.access_token)).body.reason, "expired");
  });
});

describe(`two instances with different signing keys on one ${DATABASE} database`, () => {
  test("each accepts the other's tokens and publishes the other's key once it has signed", async () => {
    const pem = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    // Two instances of one app name one issuer (AUTH_URL): here the first one's URL.
    const other = await startServer(
      { AUTH_SECRET: SECRET, AUTH_SIGNING_KEY: pem, AUTH_URL: await bannerUrl(server) },
      { sameDatabaseAs: server },
    );
    try {
      const fromOther = await newLogin(other);
      const fromServer = await newLogin(server);
      assert.equal(decodeProtectedHeader(fromOther.access_token).alg, "ES256");
      assert.notEqual(kidOf(fromOther.access_token), kidOf(fromServer.access_token));
      assert.equal((await me(fromOther.access_token, server)).status, 200);
      assert.equal((await me(fromServer.access_token, other)).status, 200);
      for (const on of [server, other]) {
        const kids = await publishedKids(on);
        assert.ok(kids.includes(kidOf(fromOther.access_token)) && kids.includes(kidOf(fromServer.access_token)), kids.join());
      }
    } finally {
      await other.close();
    }
  });
});
