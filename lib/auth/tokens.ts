/**
 * Access tokens: HS256 JWTs signed and verified with jose. The algorithm is pinned, `exp` is required,
 * `iss` and `aud` are checked, and the key is chosen by `kid` among the current and previous secrets.
 */
import crypto from "node:crypto";
import { SignJWT, decodeProtectedHeader, errors as joseErrors, jwtVerify } from "jose";

export const TOKEN_ISSUER = "signin-system";
export const TOKEN_AUDIENCE = "signin-system-api";
const ALGORITHM = "HS256";
/** Far above any token we issue; refuses to spend work on junk. */
const MAX_TOKEN_LENGTH = 4096;

/**
 * A secret as an HMAC-SHA-256 CryptoKey, imported once: handed raw bytes, jose imports the key again on
 * every sign and verify, a cost paid on each request's bearer check.
 */
type Key = { kid: string; key: Promise<CryptoKey> };
export type Keyring = { current: Key; all: Map<string, Key> };

/** A key id that names a secret without revealing it. */
function keyId(secret: string): string {
  return crypto.createHash("sha256").update(secret).digest("base64url").slice(0, 12);
}

export function keyringFromSecrets(current: string, previous: string[] = []): Keyring {
  const toKey = (s: string): Key => ({
    kid: keyId(s),
    key: crypto.subtle.importKey("raw", new TextEncoder().encode(s), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]),
  });
  const currentKey = toKey(current);
  const all = new Map<string, Key>([[currentKey.kid, currentKey]]);
  for (const s of previous) {
    const k = toKey(s);
    if (!all.has(k.kid)) all.set(k.kid, k);
  }
  return { current: currentKey, all };
}

export type AccessTokenClaims = { sub: string; jti: string; iat: number; exp: number };

export async function createAccessToken(
  input: { userId: string; jti: string; issuedAt: Date; expiresAt: Date },
  keyring: Keyring,
): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: ALGORITHM, typ: "JWT", kid: keyring.current.kid })
    .setSubject(input.userId)
    .setJti(input.jti)
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt(Math.floor(input.issuedAt.getTime() / 1000))
    .setExpirationTime(Math.floor(input.expiresAt.getTime() / 1000))
    .sign(await keyring.current.key);
}

export type VerifyResult =
  | { ok: true; claims: AccessTokenClaims }
  | { ok: false; reason: "invalid" | "expired" };

/** Headers that would let a token pick its own key; never honoured, so refused outright. */
const FORBIDDEN_HEADERS = ["jku", "jwk", "x5u", "x5c"] as const;

export async function verifyAccessToken(token: string, keyring: Keyring): Promise<VerifyResult> {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: "invalid" };
  try {
    const header = decodeProtectedHeader(token);
    if (FORBIDDEN_HEADERS.some((h) => h in header)) return { ok: false, reason: "invalid" };
    const key = typeof header.kid === "string" ? keyring.all.get(header.kid) : undefined;
    if (!key) return { ok: false, reason: "invalid" };
    const { payload } = await jwtVerify(token, await key.key, {
      algorithms: [ALGORITHM],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      requiredClaims: ["exp", "iat", "sub", "jti"],
    });
    if (typeof payload.sub !== "string" || typeof payload.jti !== "string") {
      return { ok: false, reason: "invalid" };
    }
    return {
      ok: true,
      claims: { sub: payload.sub, jti: payload.jti, iat: payload.iat!, exp: payload.exp! },
    };
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) return { ok: false, reason: "expired" };
    return { ok: false, reason: "invalid" };
  }
}
