/**
 * `npx tsx bench/verify-tokens.ts`: the bearer check's signature step in one process, no server: HS256
 * (tokens before asymmetric signing), EdDSA and ES256 verification, and a hit in the verified-token
 * cache (lib/auth/verified-tokens.ts). Seven interleaved rounds of 5,000 each; medians. Measures what
 * changed per request when access tokens moved to asymmetric keys, which the whole-server bench cannot
 * resolve on a busy machine.
 */
import crypto from "node:crypto";
import { SignJWT } from "jose";
import { createAccessToken, keyringFromSecrets, legacyKeyId, verifyAccessToken, type Verifiers } from "../lib/auth/tokens";
import { toSigningKey, verificationKeyOf } from "../lib/auth/signing-keys";
import { verifyAccessTokenCached } from "../lib/auth/verified-tokens";
const SECRET = "s".repeat(48);
async function main() {
  const key = await toSigningKey({ alg: "EdDSA", key: crypto.generateKeyPairSync("ed25519").privateKey });
  const es = await toSigningKey({ alg: "ES256", key: crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey });
  const keys = new Map([[key.kid, await verificationKeyOf(key.publicJwk)], [es.kid, await verificationKeyOf(es.publicJwk)]]);
  const v: Verifiers = { asymmetric: async (kid) => keys.get(kid), legacy: keyringFromSecrets(SECRET) };
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const claims = { userId: "u", jti: crypto.randomUUID(), issuedAt: now, expiresAt: new Date(now.getTime() + 1800e3), issuer: "http://localhost:3000", clientId: "c" };
  const ed = await createAccessToken(claims, key);
  const esToken = await createAccessToken(claims, es);
  const hs = await new SignJWT({}).setProtectedHeader({ alg: "HS256", typ: "JWT", kid: legacyKeyId(SECRET) }).setSubject("u").setJti("j").setIssuer("signin-system").setAudience("signin-system-api").setIssuedAt().setExpirationTime("30m").sign(new TextEncoder().encode(SECRET));
  const cases: [string, () => Promise<unknown>][] = [
    ["HS256 verify (before)", () => verifyAccessToken(hs, v)],
    ["EdDSA verify (uncached)", () => verifyAccessToken(ed, v)],
    ["ES256 verify (uncached)", () => verifyAccessToken(esToken, v)],
    ["EdDSA, cached (a hit)", () => verifyAccessTokenCached(ed, v)],
  ];
  const results = new Map<string, number[]>();
  for (let round = 0; round < 7; round++) {
    for (const [name, fn] of cases) {
      for (let i = 0; i < 500; i++) await fn();
      const n = 5000; const start = process.hrtime.bigint();
      for (let i = 0; i < n; i++) await fn();
      const us = Number(process.hrtime.bigint() - start) / 1e3 / n;
      results.set(name, [...(results.get(name) ?? []), us]);
    }
  }
  for (const [name, xs] of results) {
    xs.sort((a, b) => a - b);
    console.log(`${name.padEnd(26)} median ${xs[3]!.toFixed(1)} µs  (min ${xs[0]!.toFixed(1)}, max ${xs[6]!.toFixed(1)})`);
  }
}
void main();
