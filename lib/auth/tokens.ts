/**
 * Access tokens: JWTs signed and verified with jose, and the one module that names their algorithms.
 *
 * New tokens are RFC 9068 access tokens (`typ: at+jwt`) signed with the asymmetric key of
 * lib/auth/signing-keys.ts (EdDSA or ES256), so any service can verify them with the published public
 * keys. HS256 tokens signed with AUTH_SECRET (or AUTH_SECRET_PREVIOUS) before the upgrade still verify
 * until they expire; nothing signs HS256 any more. Each key is pinned to its own algorithm, `exp` is
 * required, `aud` is checked, and the key is chosen by `kid` among ours only.
 */
import crypto from "node:crypto";
import { SignJWT, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from "jose";
import type { SigningAlg, SigningKey } from "./signing-keys";

/** The audience of every access token: this app's API. Resource servers check it. */
export const TOKEN_AUDIENCE = "signin-system-api";
/** The issuer HS256 tokens from before asymmetric signing name. */
export const LEGACY_TOKEN_ISSUER = "signin-system";
/** RFC 9068's media type for JWT access tokens, in the `typ` header. */
export const ACCESS_TOKEN_TYPE = "at+jwt";
const LEGACY_ALGORITHM = "HS256";
/** Far above any token we issue; refuses to spend work on junk. */
const MAX_TOKEN_LENGTH = 4096;

/**
 * An HS256 secret as an HMAC-SHA-256 CryptoKey, imported once: handed raw bytes, jose imports the key
 * again on every verify, a cost paid on each request's bearer check.
 */
type Key = { kid: string; key: Promise<CryptoKey> };
export type Keyring = { current: Key; all: Map<string, Key> };

/** A key id that names a secret without revealing it. */
export function legacyKeyId(secret: string): string {
  return crypto.createHash("sha256").update(secret).digest("base64url").slice(0, 12);
}

/** The HS256 secrets tokens from before the upgrade were signed with: AUTH_SECRET and the previous ones. */
export function keyringFromSecrets(current: string, previous: string[] = []): Keyring {
  const toKey = (s: string): Key => ({
    kid: legacyKeyId(s),
    key: crypto.subtle.importKey("raw", new TextEncoder().encode(s), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]),
  });
  const currentKey = toKey(current);
  const all = new Map<string, Key>([[currentKey.kid, currentKey]]);
  for (const s of previous) {
    const k = toKey(s);
    if (!all.has(k.kid)) all.set(k.kid, k);
  }
  return { current: currentKey, all };
}

export type AccessTokenClaims = {
  sub: string;
  jti: string;
  iat: number;
  exp: number;
  /** The signing key's id; null for an HS256 token from before the upgrade. */
  kid: string | null;
};

export async function createAccessToken(
  input: { userId: string; jti: string; issuedAt: Date; expiresAt: Date; issuer: string; clientId: string },
  key: Pick<SigningKey, "kid" | "alg" | "privateKey">,
): Promise<string> {
  return new SignJWT({ client_id: input.clientId })
    .setProtectedHeader({ alg: key.alg, typ: ACCESS_TOKEN_TYPE, kid: key.kid })
    .setIssuer(input.issuer)
    .setAudience(TOKEN_AUDIENCE)
    .setSubject(input.userId)
    .setJti(input.jti)
    .setIssuedAt(Math.floor(input.issuedAt.getTime() / 1000))
    .setExpirationTime(Math.floor(input.expiresAt.getTime() / 1000))
    .sign(key.privateKey);
}

export type VerifyResult =
  | { ok: true; claims: AccessTokenClaims }
  | { ok: false; reason: "invalid" | "expired" };

export type Verifiers = {
  /** The public key a `kid` names, with its one algorithm; undefined for a kid that is not ours. */
  asymmetric: (kid: string) => Promise<{ alg: SigningAlg; key: CryptoKey } | undefined>;
  /** HS256 secrets, for tokens issued before asymmetric signing. */
  legacy: Keyring;
  /**
   * The only `iss` accepted on asymmetric tokens (lib/config/index.ts's `issuer`), except on tokens issued
   * (`iat`, seconds) before `enforcedFrom`: this process's start, so that tokens from before the issuer
   * came from the configuration (it was the request's Host), or from before AUTH_URL changed, keep
   * working until they expire. Every token issued since names it. Unset: `iss` is required, any value.
   */
  issuer?: { name: string; enforcedFrom: number } | null;
};

/** Headers that would let a token pick its own key; never honoured, so refused outright. */
const FORBIDDEN_HEADERS = ["jku", "jwk", "x5u", "x5c"] as const;

const invalid: VerifyResult = { ok: false, reason: "invalid" };

export async function verifyAccessToken(token: string, verifiers: Verifiers): Promise<VerifyResult> {
  if (token.length > MAX_TOKEN_LENGTH) return invalid;
  try {
    const header = decodeProtectedHeader(token);
    if (FORBIDDEN_HEADERS.some((h) => h in header)) return invalid;
    if (typeof header.kid !== "string" || header.kid === "") return invalid;
    let payload: JWTPayload;
    if (header.alg === LEGACY_ALGORITHM) {
      const secret = verifiers.legacy.all.get(header.kid);
      if (!secret) return invalid;
      ({ payload } = await jwtVerify(token, await secret.key, {
        algorithms: [LEGACY_ALGORITHM],
        issuer: LEGACY_TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        requiredClaims: ["exp", "iat", "sub", "jti"],
      }));
    } else {
      const key = await verifiers.asymmetric(header.kid);
      if (!key) return invalid;
      ({ payload } = await jwtVerify(token, key.key, {
        algorithms: [key.alg],
        typ: ACCESS_TOKEN_TYPE,
        audience: TOKEN_AUDIENCE,
        requiredClaims: ["exp", "iat", "sub", "jti", "iss", "client_id"],
      }));
      const issuer = verifiers.issuer;
      if (issuer && payload.iss !== issuer.name && !(typeof payload.iat === "number" && payload.iat < issuer.enforcedFrom)) {
        return invalid;
      }
    }
    if (typeof payload.sub !== "string" || typeof payload.jti !== "string") return invalid;
    return {
      ok: true,
      claims: {
        sub: payload.sub,
        jti: payload.jti,
        iat: payload.iat!,
        exp: payload.exp!,
        kid: header.alg === LEGACY_ALGORITHM ? null : header.kid,
      },
    };
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) return { ok: false, reason: "expired" };
    return invalid;
  }
}
