/**
 * A small, bounded memory of access tokens whose signature this process has already verified, so the
 * bearer check on every request does not pay for an Ed25519 or P-256 verification again (several times
 * the cost of the HMAC check it replaced, measured in docs/performance.md). What is
 * remembered is only the outcome of the signature and claims check — the claims, until the token's
 * `exp` — keyed by the token's SHA-256 (the token itself is not kept). Revocation is not decided here:
 * the caller still asks for the token's row on every request (lib/auth/token-lookup.ts).
 */
import crypto from "node:crypto";
import { verifyAccessToken, type AccessTokenClaims, type Verifiers, type VerifyResult } from "./tokens";

/** About 3 MB at most per process; when full, the oldest entry makes room. */
const MAX_ENTRIES = 10_000;

const CACHE = Symbol.for("signin-system.verified-tokens");
const holder = globalThis as unknown as { [CACHE]?: Map<string, AccessTokenClaims> };
const cache = () => (holder[CACHE] ??= new Map());

/** `verifyAccessToken`, answered from memory for a token verified before and not yet expired. */
export async function verifyAccessTokenCached(token: string, verifiers: Verifiers): Promise<VerifyResult> {
  // One-shot: a Hash object per request showed in the profile (bench/profile.ts) at several µs.
  const key = crypto.hash("sha256", token, "base64url");
  const entries = cache();
  const known = entries.get(key);
  // jose's rule: expired once `exp` is not after the current second.
  const now = Math.floor(Date.now() / 1000);
  if (known) {
    if (known.exp > now) return { ok: true, claims: known };
    entries.delete(key);
    return { ok: false, reason: "expired" };
  }
  const result = await verifyAccessToken(token, verifiers);
  if (result.ok) {
    if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
    entries.set(key, result.claims);
  }
  return result;
}
