import { test } from "node:test";
import assert from "node:assert/strict";
import { SignJWT, UnsecuredJWT } from "jose";
import {
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
  createAccessToken,
  keyringFromSecrets,
  verifyAccessToken,
} from "../../lib/auth/tokens";

const SECRET = "a".repeat(40);
const OTHER = "b".repeat(40);
const keyring = keyringFromSecrets(SECRET);

function times(offsetSeconds = 0, ttlSeconds = 60) {
  const issuedAt = new Date((Math.floor(Date.now() / 1000) + offsetSeconds) * 1000);
  return { issuedAt, expiresAt: new Date(issuedAt.getTime() + ttlSeconds * 1000) };
}

async function issue(ring = keyring, offsetSeconds = 0, ttlSeconds = 60) {
  return createAccessToken({ userId: "user-1", jti: "jti-1", ...times(offsetSeconds, ttlSeconds) }, ring);
}

test("a token it signs verifies, with its claims", async () => {
  const token = await issue();
  const result = await verifyAccessToken(token, keyring);
  assert.equal(result.ok, true);
  if (result.ok) {
    assert.equal(result.claims.sub, "user-1");
    assert.equal(result.claims.jti, "jti-1");
    assert.ok(result.claims.exp > result.claims.iat);
  }
});

test("the header pins HS256 and names the key", async () => {
  const [header] = (await issue()).split(".");
  const decoded = JSON.parse(Buffer.from(header!, "base64url").toString());
  assert.equal(decoded.alg, "HS256");
  assert.equal(decoded.kid, keyring.current.kid);
  assert.notEqual(decoded.kid, SECRET);
});

test("an expired token is refused as expired", async () => {
  const token = await issue(keyring, -120, 60);
  assert.deepEqual(await verifyAccessToken(token, keyring), { ok: false, reason: "expired" });
});

test("a token signed with another secret is invalid", async () => {
  const token = await issue(keyringFromSecrets(OTHER));
  assert.deepEqual(await verifyAccessToken(token, keyring), { ok: false, reason: "invalid" });
});

test("a tampered signature or payload is invalid", async () => {
  const token = await issue();
  const [h, p, s] = token.split(".");
  const flipped = s!.slice(0, -2) + (s!.endsWith("AA") ? "BB" : "AA");
  assert.equal((await verifyAccessToken(`${h}.${p}.${flipped}`, keyring)).ok, false);
  const payload = JSON.parse(Buffer.from(p!, "base64url").toString());
  payload.sub = "admin";
  const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.${s}`;
  assert.deepEqual(await verifyAccessToken(forged, keyring), { ok: false, reason: "invalid" });
});

test("alg none is refused", async () => {
  const unsecured = new UnsecuredJWT({ jti: "x" })
    .setSubject("user-1")
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime("5m")
    .encode();
  assert.deepEqual(await verifyAccessToken(unsecured, keyring), { ok: false, reason: "invalid" });
});

async function signed(
  claims: { iss?: string; aud?: string; exp?: boolean },
  header: Record<string, unknown> = {},
  alg = "HS256",
) {
  let jwt = new SignJWT({})
    .setProtectedHeader({ alg, kid: keyring.current.kid, ...header })
    .setSubject("user-1")
    .setJti("jti-1")
    .setIssuedAt()
    .setIssuer(claims.iss ?? TOKEN_ISSUER)
    .setAudience(claims.aud ?? TOKEN_AUDIENCE);
  if (claims.exp !== false) jwt = jwt.setExpirationTime("5m");
  return jwt.sign(new TextEncoder().encode(SECRET));
}

test("a token without exp is refused", async () => {
  assert.equal((await verifyAccessToken(await signed({ exp: false }), keyring)).ok, false);
});

test("a wrong issuer or audience is refused", async () => {
  assert.equal((await verifyAccessToken(await signed({ iss: "someone-else" }), keyring)).ok, false);
  assert.equal((await verifyAccessToken(await signed({ aud: "another-api" }), keyring)).ok, false);
});

test("another HMAC algorithm with the right secret is refused", async () => {
  assert.equal((await verifyAccessToken(await signed({}, {}, "HS512"), keyring)).ok, false);
});

test("headers that point at other keys are refused", async () => {
  assert.equal((await verifyAccessToken(await signed({}, { jku: "http://127.0.0.1/keys" }), keyring)).ok, false);
  assert.equal((await verifyAccessToken(await signed({}, { kid: "../../etc/passwd" }), keyring)).ok, false);
});

test("malformed and oversized tokens are invalid, not errors", async () => {
  for (const junk of ["", "abc", "a.b.c", "....", "x".repeat(10_000)]) {
    assert.deepEqual(await verifyAccessToken(junk, keyring), { ok: false, reason: "invalid" });
  }
});

test("rotation: a token signed with a previous secret still verifies, a forgotten one does not", async () => {
  const old = await issue(keyringFromSecrets(OTHER));
  assert.equal((await verifyAccessToken(old, keyringFromSecrets(SECRET, [OTHER]))).ok, true);
  assert.equal((await verifyAccessToken(old, keyringFromSecrets(SECRET))).ok, false);
  // New tokens are signed with the current secret, not the previous one.
  const fresh = await issue(keyringFromSecrets(SECRET, [OTHER]));
  assert.equal((await verifyAccessToken(fresh, keyringFromSecrets(SECRET))).ok, true);
});
