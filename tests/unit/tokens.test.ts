/**
 * lib/auth/tokens.ts: access tokens signed with an asymmetric key (EdDSA by default, ES256), verified
 * with the key their `kid` names and its one algorithm; HS256 tokens from before the upgrade still verify
 * with AUTH_SECRET (and AUTH_SECRET_PREVIOUS) until they expire.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { SignJWT, UnsecuredJWT, createLocalJWKSet, jwtVerify } from "jose";
import {
  ACCESS_TOKEN_TYPE,
  LEGACY_TOKEN_ISSUER,
  TOKEN_AUDIENCE,
  createAccessToken,
  keyringFromSecrets,
  legacyKeyId,
  verifyAccessToken,
  type Verifiers,
} from "../../lib/auth/tokens";
import {
  parsePrivateKey,
  toSigningKey,
  verificationKeyOf,
  type SigningAlg,
  type SigningKey,
} from "../../lib/auth/signing-keys";

const SECRET = "a".repeat(40);
const OTHER = "b".repeat(40);
const ISSUER = "http://127.0.0.1:3000";

async function newKey(alg: SigningAlg = "EdDSA"): Promise<SigningKey> {
  const key =
    alg === "EdDSA"
      ? crypto.generateKeyPairSync("ed25519").privateKey
      : crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
  return toSigningKey({ key, alg });
}

function verifiersFor(keys: SigningKey[], secrets: { current: string; previous?: string[] } = { current: SECRET }): Verifiers {
  const byKid = new Map(keys.map((k) => [k.kid, verificationKeyOf(k.publicJwk)]));
  return {
    asymmetric: async (kid) => byKid.get(kid),
    legacy: keyringFromSecrets(secrets.current, secrets.previous),
  };
}

function times(offsetSeconds = 0, ttlSeconds = 60) {
  const issuedAt = new Date((Math.floor(Date.now() / 1000) + offsetSeconds) * 1000);
  return { issuedAt, expiresAt: new Date(issuedAt.getTime() + ttlSeconds * 1000) };
}

const issue = (key: SigningKey, offsetSeconds = 0, ttlSeconds = 60) =>
  createAccessToken(
    { userId: "user-1", jti: "jti-1", issuer: ISSUER, clientId: "cli", ...times(offsetSeconds, ttlSeconds) },
    key,
  );

/** An HS256 token exactly as this app signed them before asymmetric signing. */
function legacyToken(secret = SECRET, changes: { exp?: number; iat?: number } = {}) {
  const iat = changes.iat ?? Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: legacyKeyId(secret) })
    .setSubject("user-1")
    .setJti("jti-old")
    .setIssuer(LEGACY_TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(changes.exp ?? iat + 60)
    .sign(new TextEncoder().encode(secret));
}

for (const alg of ["EdDSA", "ES256"] as const) {
  test(`${alg}: a token it signs verifies, with RFC 9068 header and claims`, async () => {
    const key = await newKey(alg);
    const token = await issue(key);
    const result = await verifyAccessToken(token, verifiersFor([key]));
    assert.deepEqual(result.ok && { sub: result.claims.sub, jti: result.claims.jti, kid: result.claims.kid }, {
      sub: "user-1",
      jti: "jti-1",
      kid: key.kid,
    });
    const header = JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString());
    assert.deepEqual(header, { alg, typ: ACCESS_TOKEN_TYPE, kid: key.kid });
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString());
    assert.deepEqual(Object.keys(claims).sort(), ["aud", "client_id", "exp", "iat", "iss", "jti", "sub"]);
    assert.equal(claims.iss, ISSUER);
    assert.equal(claims.client_id, "cli");
  });

  test(`${alg}: anyone verifies it with the published public key alone (jose, JWKS)`, async () => {
    const key = await newKey(alg);
    const jwks = createLocalJWKSet({ keys: [key.publicJwk] });
    const { payload, protectedHeader } = await jwtVerify(await issue(key), jwks, {
      issuer: ISSUER,
      audience: TOKEN_AUDIENCE,
      typ: "at+jwt",
      algorithms: [alg],
    });
    assert.equal(payload.sub, "user-1");
    assert.equal(protectedHeader.kid, key.kid);
    assert.equal("d" in key.publicJwk, false, "the published key has no private part");
  });
}

test("the kid is the key's JWK thumbprint: the same key gives the same kid anywhere", async () => {
  const pem = crypto.generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const fromPem = await toSigningKey(parsePrivateKey(pem, "test"));
  const jwk = JSON.stringify(crypto.createPrivateKey(pem).export({ format: "jwk" }));
  const fromJwk = await toSigningKey(parsePrivateKey(jwk, "test"));
  assert.equal(fromPem.kid, fromJwk.kid);
  assert.equal(fromPem.alg, "EdDSA");
});

test("keys other than Ed25519 and P-256, and junk, are refused with the source named", () => {
  const rsa = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  assert.throws(() => parsePrivateKey(rsa, "AUTH_SIGNING_KEY"), /AUTH_SIGNING_KEY: only Ed25519/);
  assert.throws(() => parsePrivateKey("not a key", "AUTH_SIGNING_KEY"), /AUTH_SIGNING_KEY: not a private key/);
  assert.throws(() => parsePrivateKey("{\"kty\":\"OKP\"}", "AUTH_SIGNING_KEY"), /AUTH_SIGNING_KEY: not a private key/);
});

test("an expired token is refused as expired", async () => {
  const key = await newKey();
  assert.deepEqual(await verifyAccessToken(await issue(key, -120, 60), verifiersFor([key])), { ok: false, reason: "expired" });
});

test("a token signed with another key, or naming a kid that is not ours, is invalid", async () => {
  const key = await newKey();
  const stranger = await newKey();
  assert.deepEqual(await verifyAccessToken(await issue(stranger), verifiersFor([key])), { ok: false, reason: "invalid" });
  // The stranger's token relabelled with our kid: the signature does not match our key.
  const [h, p, s] = (await issue(stranger)).split(".");
  const relabelled = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(h!, "base64url").toString()), kid: key.kid })).toString("base64url");
  assert.deepEqual(await verifyAccessToken(`${relabelled}.${p}.${s}`, verifiersFor([key])), { ok: false, reason: "invalid" });
});

test("a tampered signature or payload is invalid", async () => {
  const key = await newKey();
  const [h, p, s] = (await issue(key)).split(".");
  const flipped = s!.slice(0, 5) + (s![5] === "A" ? "B" : "A") + s!.slice(6);
  assert.equal((await verifyAccessToken(`${h}.${p}.${flipped}`, verifiersFor([key]))).ok, false);
  const payload = JSON.parse(Buffer.from(p!, "base64url").toString());
  payload.sub = "admin";
  const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.${s}`;
  assert.deepEqual(await verifyAccessToken(forged, verifiersFor([key])), { ok: false, reason: "invalid" });
});

test("alg none is refused", async () => {
  const key = await newKey();
  const unsecured = new UnsecuredJWT({ jti: "x", client_id: "cli" })
    .setSubject("user-1")
    .setIssuer(ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime("5m")
    .encode();
  assert.deepEqual(await verifyAccessToken(unsecured, verifiersFor([key])), { ok: false, reason: "invalid" });
});

async function signed(
  key: SigningKey,
  claims: { iss?: string; aud?: string; exp?: boolean; clientId?: boolean },
  header: Record<string, unknown> = {},
) {
  let jwt = new SignJWT(claims.clientId === false ? {} : { client_id: "cli" })
    .setProtectedHeader({ alg: key.alg, typ: "at+jwt", kid: key.kid, ...header })
    .setSubject("user-1")
    .setJti("jti-1")
    .setIssuedAt()
    .setIssuer(claims.iss ?? ISSUER)
    .setAudience(claims.aud ?? TOKEN_AUDIENCE);
  if (claims.exp !== false) jwt = jwt.setExpirationTime("5m");
  return jwt.sign(key.privateKey);
}

test("control: the hand-built token verifies", async () => {
  const key = await newKey();
  assert.equal((await verifyAccessToken(await signed(key, {}), verifiersFor([key]))).ok, true);
});

test("a token without exp, or without client_id, is refused", async () => {
  const key = await newKey();
  assert.equal((await verifyAccessToken(await signed(key, { exp: false }), verifiersFor([key]))).ok, false);
  assert.equal((await verifyAccessToken(await signed(key, { clientId: false }), verifiersFor([key]))).ok, false);
});

test("a wrong audience is refused; a wrong issuer too, unless the token was issued before the check began", async () => {
  const key = await newKey();
  assert.equal((await verifyAccessToken(await signed(key, { aud: "another-api" }), verifiersFor([key]))).ok, false);
  const now = Math.floor(Date.now() / 1000);
  const pinned = { ...verifiersFor([key]), issuer: { name: ISSUER, enforcedFrom: now - 60 } };
  assert.equal((await verifyAccessToken(await signed(key, {}), pinned)).ok, true);
  assert.equal((await verifyAccessToken(await signed(key, { iss: "https://evil.example" }), pinned)).ok, false);
  // Issued (iat: now) before the process that checks started (enforcedFrom: later): from before the rule.
  const later = { ...pinned, issuer: { name: ISSUER, enforcedFrom: now + 60 } };
  assert.equal((await verifyAccessToken(await signed(key, { iss: "http://127.0.0.1:3000" }), later)).ok, true);
});

test("typ other than at+jwt is refused (an ID token or another JWT is no access token)", async () => {
  const key = await newKey();
  assert.equal((await verifyAccessToken(await signed(key, {}, { typ: "JWT" }), verifiersFor([key]))).ok, false);
});

test("an algorithm other than the key's own is refused", async () => {
  const ed = await newKey("EdDSA");
  const es = await newKey("ES256");
  // An ES256 token claiming the EdDSA key's kid, and HS256 over our kid with the secret.
  assert.equal((await verifyAccessToken(await signed(es, {}, { kid: ed.kid }), verifiersFor([ed, es]))).ok, false);
  const hs = await new SignJWT({ client_id: "cli" })
    .setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid: ed.kid })
    .setSubject("user-1").setJti("jti-1").setIssuedAt().setIssuer(ISSUER).setAudience(TOKEN_AUDIENCE).setExpirationTime("5m")
    .sign(new TextEncoder().encode(SECRET));
  assert.equal((await verifyAccessToken(hs, verifiersFor([ed]))).ok, false);
});

test("headers that point at other keys are refused", async () => {
  const key = await newKey();
  assert.equal((await verifyAccessToken(await signed(key, {}, { jku: "http://127.0.0.1/keys" }), verifiersFor([key]))).ok, false);
  assert.equal((await verifyAccessToken(await signed(key, {}, { jwk: key.publicJwk }), verifiersFor([key]))).ok, false);
  assert.equal((await verifyAccessToken(await signed(key, {}, { kid: "../../etc/passwd" }), verifiersFor([key]))).ok, false);
});

test("malformed and oversized tokens are invalid, not errors", async () => {
  const key = await newKey();
  for (const junk of ["", "abc", "a.b.c", "....", "x".repeat(10_000)]) {
    assert.deepEqual(await verifyAccessToken(junk, verifiersFor([key])), { ok: false, reason: "invalid" });
  }
});

test("rotation: a token signed with a rotated-out key verifies while that key is known", async () => {
  const old = await newKey();
  const current = await newKey();
  const token = await issue(old);
  assert.equal((await verifyAccessToken(token, verifiersFor([current, old]))).ok, true);
  assert.equal((await verifyAccessToken(token, verifiersFor([current]))).ok, false);
});

test("upgrade: an HS256 token from before verifies (kid null), with AUTH_SECRET or a previous secret", async () => {
  const key = await newKey();
  const result = await verifyAccessToken(await legacyToken(), verifiersFor([key]));
  assert.deepEqual(result.ok && { sub: result.claims.sub, kid: result.claims.kid }, { sub: "user-1", kid: null });
  const rotated = verifiersFor([key], { current: SECRET, previous: [OTHER] });
  assert.equal((await verifyAccessToken(await legacyToken(OTHER), rotated)).ok, true);
  assert.equal((await verifyAccessToken(await legacyToken(OTHER), verifiersFor([key]))).ok, false);
  const now = Math.floor(Date.now() / 1000);
  assert.deepEqual(
    await verifyAccessToken(await legacyToken(SECRET, { iat: now - 120, exp: now - 60 }), verifiersFor([key])),
    { ok: false, reason: "expired" },
  );
});

test("verified-token cache: a hit answers the same claims; an expired entry is expired; failures are not kept", async () => {
  const { verifyAccessTokenCached } = await import("../../lib/auth/verified-tokens");
  const key = await newKey();
  let lookups = 0;
  const counting: Verifiers = { ...verifiersFor([key]), asymmetric: async (kid) => (lookups++, verifiersFor([key]).asymmetric(kid)) };
  const token = await issue(key, 0, 2);
  const first = await verifyAccessTokenCached(token, counting);
  const second = await verifyAccessTokenCached(token, counting);
  assert.deepEqual(second, first);
  assert.equal(lookups, 1, "the second check is answered from memory");
  const stranger = await issue(await newKey());
  for (let i = 0; i < 2; i++) assert.deepEqual(await verifyAccessTokenCached(stranger, counting), { ok: false, reason: "invalid" });
  assert.equal(lookups, 3, "a refused token is checked again each time");
  await new Promise((r) => setTimeout(r, 2100));
  assert.deepEqual(await verifyAccessTokenCached(token, counting), { ok: false, reason: "expired" });
});
