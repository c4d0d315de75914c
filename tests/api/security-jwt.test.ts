/**
 * The JWT attack catalogue against GET /api/v1/users/me: each forged or tampered token is refused with
 * 401 and `reason: "invalid"` ("expired" for an expired one), and a valid token still works afterwards.
 * Forged tokens reuse the claims of a real, live token (its `sub` and `jti` have a database row), so the
 * only thing wrong with each is the attack itself. The server signs with a known Ed25519 key
 * (AUTH_SIGNING_KEY), so the forging helper can also sign correctly: the control shows that only the
 * attack is refused. The HS256 secret (AUTH_SECRET) signed tokens before asymmetric signing; it can no
 * longer mint one.
 */
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, before, describe, test } from "node:test";
import { calculateJwkThumbprint } from "jose";
import { bannerUrl, newUser, startServer, type Server } from "../helpers/server";

const SECRET = "security-test-secret-0123456789-abcdefghijklmnop";
const HS_KID = crypto.createHash("sha256").update(SECRET).digest("base64url").slice(0, 12);
const SIGNING_KEY = crypto.generateKeyPairSync("ed25519").privateKey;
const PUBLIC_JWK = crypto.createPublicKey(SIGNING_KEY).export({ format: "jwk" });
const ME = "/api/v1/users/me";

let server: Server;
let valid: string;
let claims: Record<string, unknown>;
let KID: string;

before(async () => {
  KID = await calculateJwkThumbprint({ kty: PUBLIC_JWK.kty!, crv: PUBLIC_JWK.crv!, x: PUBLIC_JWK.x! });
  const env = { AUTH_SECRET: SECRET, AUTH_SIGNING_KEY: JSON.stringify(SIGNING_KEY.export({ format: "jwk" })) };
  server = await startServer(env);
  // AUTH_URL pins the issuer our API accepts (without it, any `iss` on a token our key signed is ours).
  await server.restart({ ...env, AUTH_URL: server.url });
  valid = (await newUser(server, "jwt")).token;
  claims = JSON.parse(Buffer.from(valid.split(".")[1]!, "base64url").toString());
});
after(() => server?.close());

const b64 = (value: unknown) =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

type Header = Record<string, unknown>;
const baseHeader = (): Header => ({ alg: "EdDSA", typ: "at+jwt", kid: KID });

/** header.payload signed with Ed25519 (`key`, the server's own by default). */
function edToken(header: Header, payload: Record<string, unknown>, key: crypto.KeyObject = SIGNING_KEY) {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${crypto.sign(null, Buffer.from(input), key).toString("base64url")}`;
}

/** header.payload signed with HMAC (`hash` sha256 for HS256, sha512 for HS512) and the given key. */
function hmacToken(header: Header, payload: Record<string, unknown>, key: string | Buffer = SECRET, hash = "sha256") {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${crypto.createHmac(hash, key).update(input).digest("base64url")}`;
}
const hsHeader = (): Header => ({ alg: "HS256", typ: "JWT", kid: HS_KID });

const now = () => Math.floor(Date.now() / 1000);
const withClaims = (changes: Record<string, unknown>) => {
  const out: Record<string, unknown> = { ...claims, ...changes };
  for (const [k, v] of Object.entries(changes)) if (v === undefined) delete out[k];
  return out;
};

async function assertRefused(token: string, reason: "invalid" | "expired" = "invalid") {
  const res = await server.api(ME, { token });
  assert.equal(res.status, 401, `${token.slice(0, 80)}…: ${res.text}`);
  assert.equal(res.body.detail, "Could not validate credentials", res.text);
  assert.equal(res.body.reason, reason, res.text);
  assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer error="invalid_token"/);
}

describe("forged and tampered tokens are refused", () => {
  test("the forging helper itself produces an accepted token (control)", async () => {
    const res = await server.api(ME, { token: edToken(baseHeader(), claims) });
    assert.equal(res.status, 200, res.text);
  });

  for (const alg of ["none", "None", "NONE", "nOnE"]) {
    test(`alg "${alg}" with an empty signature`, async () => {
      await assertRefused(`${b64({ ...baseHeader(), alg })}.${b64(claims)}.`);
    });
  }

  test(`alg "none" with the original signature kept`, async () => {
    await assertRefused(`${b64({ ...baseHeader(), alg: "none" })}.${b64(claims)}.${valid.split(".")[2]}`);
  });

  test("stripped signature (header.payload. and header.payload)", async () => {
    const [h, p] = valid.split(".");
    await assertRefused(`${h}.${p}.`);
    await assertRefused(`${h}.${p}`);
  });

  test("broken signature (one character changed)", async () => {
    const [h, p, s] = valid.split(".");
    const flipped = s!.slice(0, 5) + (s![5] === "A" ? "B" : "A") + s!.slice(6);
    await assertRefused(`${h}.${p}.${flipped}`);
  });

  test("payload changed under the original signature", async () => {
    const [h, , s] = valid.split(".");
    await assertRefused(`${h}.${b64(withClaims({ exp: now() + 10 * 365 * 86400 }))}.${s}`);
  });

  test("signed with an empty HMAC key", async () => {
    await assertRefused(hmacToken(hsHeader(), claims, Buffer.alloc(0)));
  });

  test("signed with a wrong HMAC key", async () => {
    await assertRefused(hmacToken(hsHeader(), claims, "another-secret-that-is-long-enough-0123456789"));
  });

  test("HS512 with the right secret", async () => {
    await assertRefused(hmacToken({ ...hsHeader(), alg: "HS512" }, claims, SECRET, "sha512"));
  });

  test("HS384 with the right secret", async () => {
    await assertRefused(hmacToken({ ...hsHeader(), alg: "HS384" }, claims, SECRET, "sha384"));
  });

  test("RS256 signed with an attacker's RSA key", async () => {
    const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    const input = `${b64({ ...baseHeader(), alg: "RS256" })}.${b64(claims)}`;
    const signature = crypto.sign("sha256", Buffer.from(input), privateKey).toString("base64url");
    await assertRefused(`${input}.${signature}`);
  });

  test("EdDSA → HS256 key confusion (our public key, PEM or raw, used as the HMAC secret)", async () => {
    const publicPem = crypto.createPublicKey(SIGNING_KEY).export({ type: "spki", format: "pem" });
    await assertRefused(hmacToken({ ...baseHeader(), alg: "HS256" }, claims, publicPem));
    await assertRefused(hmacToken({ ...baseHeader(), alg: "HS256" }, claims, Buffer.from(PUBLIC_JWK.x!, "base64url")));
  });

  test("HS256 with AUTH_SECRET, as tokens were signed before: refused for a token issued since", async () => {
    await assertRefused(hmacToken(hsHeader(), { ...claims, iss: "signin-system" }));
    await assertRefused(hmacToken(hsHeader(), claims));
  });

  test("signed with an attacker's Ed25519 key under our kid", async () => {
    await assertRefused(edToken(baseHeader(), claims, crypto.generateKeyPairSync("ed25519").privateKey));
  });

  test("ES256 signed with an attacker's P-256 key under our kid", async () => {
    const { privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    const input = `${b64({ ...baseHeader(), alg: "ES256" })}.${b64(claims)}`;
    const signature = crypto.sign("sha256", Buffer.from(input), { key: privateKey, dsaEncoding: "ieee-p1363" }).toString("base64url");
    await assertRefused(`${input}.${signature}`);
  });

  test("typ other than at+jwt, and no client_id", async () => {
    await assertRefused(edToken({ ...baseHeader(), typ: "JWT" }, claims));
    await assertRefused(edToken(baseHeader(), withClaims({ client_id: undefined })));
  });

  test("RS256 → HS256 key confusion (an RSA public key used as the HMAC secret)", async () => {
    const { publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = publicKey.export({ type: "spki", format: "pem" });
    await assertRefused(hmacToken({ ...baseHeader(), alg: "HS256" }, claims, pem));
  });

  test("expired (exp in the past) → reason expired", async () => {
    await assertRefused(edToken(baseHeader(), withClaims({ iat: now() - 3600, exp: now() - 600 })), "expired");
  });

  test("not yet valid (nbf in the future)", async () => {
    await assertRefused(edToken(baseHeader(), withClaims({ nbf: now() + 3600 })));
  });

  test("missing exp", async () => {
    await assertRefused(edToken(baseHeader(), withClaims({ exp: undefined })));
  });

  test("exp that is not a number", async () => {
    await assertRefused(edToken(baseHeader(), withClaims({ exp: "9999999999" })));
  });

  test("wrong iss (with AUTH_URL set), and missing iss", async () => {
    await assertRefused(edToken(baseHeader(), withClaims({ iss: "https://evil.example" })));
    await assertRefused(edToken(baseHeader(), withClaims({ iss: undefined })));
  });

  test("wrong aud, and missing aud", async () => {
    await assertRefused(edToken(baseHeader(), withClaims({ aud: "another-api" })));
    await assertRefused(edToken(baseHeader(), withClaims({ aud: undefined })));
  });

  test("an unknown critical header (crit)", async () => {
    await assertRefused(edToken({ ...baseHeader(), crit: ["x-evil"], "x-evil": true }, claims));
  });

  test("jku header (a key URL)", async () => {
    await assertRefused(edToken({ ...baseHeader(), jku: "https://evil.example/jwks.json" }, claims));
  });

  test("jwk header (an embedded key, with a token signed by it)", async () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    const header = { ...baseHeader(), alg: "RS256", jwk: publicKey.export({ format: "jwk" }) };
    const input = `${b64(header)}.${b64(claims)}`;
    const signature = crypto.sign("sha256", Buffer.from(input), privateKey).toString("base64url");
    await assertRefused(`${input}.${signature}`);
    // Even correctly HMAC-signed, a token naming its own key is refused.
    await assertRefused(hmacToken({ ...hsHeader(), jwk: { kty: "oct", k: b64(SECRET) } }, claims));
    // Nor does our own key, embedded and correctly signed.
    await assertRefused(edToken({ ...baseHeader(), jwk: PUBLIC_JWK }, claims));
  });

  test("x5u and x5c headers", async () => {
    await assertRefused(edToken({ ...baseHeader(), x5u: "https://evil.example/cert.pem" }, claims));
    await assertRefused(edToken({ ...baseHeader(), x5c: ["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"] }, claims));
  });

  const injectedKids: [string, unknown][] = [
    ["path traversal", "../../../../../../dev/null"],
    ["SQL injection", "' OR '1'='1"],
    ["command injection", "key1|/usr/bin/id"],
    ["empty", ""],
    ["a number", 0],
    ["an object", { $ne: null }],
    ["null", null],
    ["a NUL byte", `${KID}\u0000`],
  ];
  for (const [label, kid] of injectedKids) {
    test(`injected kid: ${label}`, async () => {
      // Signed with the real secret and, for the path traversal, also with the empty key /dev/null gives.
      await assertRefused(edToken({ ...baseHeader(), kid }, claims));
      await assertRefused(hmacToken({ ...hsHeader(), kid }, claims, Buffer.alloc(0)));
    });
  }

  test("missing kid", async () => {
    const { kid: _kid, ...header } = baseHeader();
    await assertRefused(edToken(header, claims));
  });

  // Built when the test runs: the valid token exists only then.
  const malformed: [string, () => string][] = [
    ["one segment", () => "abc"],
    ["garbage segments", () => "a.b.c"],
    ["empty segments", () => ".."],
    ["four segments", () => `${valid}.extra`],
    ["header not JSON", () => `${b64("not json")}.${valid.split(".")[1]}.${valid.split(".")[2]}`],
    ["payload not JSON", () => edToken(baseHeader(), {}).replace(/\.[^.]+\./, `.${b64("[1,2")}.`)],
    ["payload a JSON array", () => edToken(baseHeader(), {}).replace(/\.[^.]+\./, `.${b64("[1,2,3]")}.`)],
    ["not base64url", () => "@@@.###.$$$"],
    ["JWE-shaped (five segments)", () => "a.b.c.d.e"],
  ];
  for (const [label, token] of malformed) {
    test(`malformed: ${label}`, async () => {
      await assertRefused(token());
    });
  }

  test("oversized: a junk token over 4096 characters, and a correctly signed one", async () => {
    await assertRefused("a".repeat(5000) + "." + "b".repeat(5000) + ".c");
    await assertRefused(edToken(baseHeader(), withClaims({ pad: "x".repeat(5000) })));
  });

  test("a token in the query string is never accepted", async () => {
    for (const name of ["access_token", "token", "jwt", "authorization"]) {
      const res = await server.api(`${ME}?${name}=${encodeURIComponent(valid)}`);
      assert.equal(res.status, 401, res.text);
      assert.equal(res.body.detail, "Not authenticated");
    }
  });

  test("a token in a cookie is never accepted", async () => {
    const res = await server.api(ME, { headers: { cookie: `access_token=${valid}` } });
    assert.equal(res.status, 401, res.text);
    assert.equal(res.body.detail, "Not authenticated");
  });
});

describe("without AUTH_URL: the issuer comes from the configuration, never from the request", () => {
  let plain: Server;
  let startedBefore: number;
  before(async () => {
    // A token from before the server process started (as one from before this rule) may name another issuer.
    startedBefore = now();
    plain = await startServer({ AUTH_SECRET: SECRET, AUTH_SIGNING_KEY: JSON.stringify(SIGNING_KEY.export({ format: "jwk" })) });
  });
  after(() => plain?.close());

  const login = (headers: Record<string, string> = {}) =>
    plain.api("/api/v1/login/access-token", { method: "POST", form: { username: "admin@example.com", password: "admin-password-for-tests" }, headers });
  const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;

  test("iss is the app's URL as the start-up banner prints it, whatever the Host header says", async () => {
    const issuer = await bannerUrl(plain);
    for (const host of [undefined, "evil.example", "127.0.0.1:1"]) {
      const res = await login(host ? { host } : {});
      assert.equal(res.status, 200, res.text);
      assert.equal(payloadOf(res.body.access_token).iss, issuer, `Host: ${host}`);
    }
    const metadata = await plain.api("/.well-known/oauth-authorization-server", { headers: { host: "evil.example" } });
    assert.equal(metadata.body.issuer, issuer, metadata.text);
  });

  test("a token naming another issuer is refused; one issued before the server started keeps working", async () => {
    const real = (await login()).body.access_token as string;
    const own = payloadOf(real);
    const forged = (changes: Record<string, unknown>) => edToken(baseHeader(), { ...own, ...changes });
    const me = (token: string) => plain.api(ME, { token });
    assert.equal((await me(forged({}))).status, 200, "the control: our own claims, re-signed");
    for (const iss of ["https://evil.example", "http://127.0.0.1:1"]) {
      const res = await me(forged({ iss }));
      assert.equal(res.status, 401, res.text);
      assert.equal(res.body.reason, "invalid", res.text);
    }
    // Issued (iat) before this process started, as every token from before the issuer rule was: still ours.
    const old = await me(forged({ iss: `http://127.0.0.1:${plain.port}`, iat: startedBefore - 60 }));
    assert.equal(old.status, 200, old.text);
  });
});

describe("after all of that", () => {
  test("the valid token still works", async () => {
    const res = await server.api(ME, { token: valid });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.id, claims.sub);
  });
});
