/**
 * OpenID Connect sign-ins of an account with a second factor. The provider proves who signed in there,
 * not that this app's second factor was given: by default such a sign-in is a first step, like a right
 * password, and the sign-in page asks for the code (or a recovery code) before the browser session
 * starts. Unless the provider says it checked several factors itself: its ID token's `amr` claim
 * (RFC 8176) holds one of `PROVIDER_MFA_AMR` and AUTH_OIDC_TRUST_AMR is on (the default).
 *
 * The ID token was validated by Auth.js (issuer, audience, expiry, nonce) on the back channel from the
 * provider's token endpoint, so its claims are read here without a second check.
 */
import { decodeJwt } from "jose";
import { getConfig } from "../config";
import { secondFactorMethods } from "./second-factor-check";
import { issueMfaChallenge } from "./mfa-challenges";

/**
 * `amr` values (RFC 8176) that count as the provider's multi-factor sign-in: "mfa" (several factors),
 * and the proofs of something held: "otp" (a one-time code), "hwk" and "swk" (a hardware or software key:
 * security keys, passkeys), "sc" (a smart card). A password ("pwd") or a biometric alone does not.
 */
export const PROVIDER_MFA_AMR = ["mfa", "otp", "hwk", "swk", "sc"] as const;

/** Whether the provider's ID token asserts a multi-factor sign-in that this app trusts (AUTH_OIDC_TRUST_AMR). */
export function providerAssertsMfa(idToken: unknown): boolean {
  if (!getConfig().oidc?.trustAmr || typeof idToken !== "string") return false;
  let amr: unknown;
  try {
    amr = decodeJwt(idToken).amr;
  } catch {
    return false;
  }
  return Array.isArray(amr) && amr.some((value) => (PROVIDER_MFA_AMR as readonly unknown[]).includes(value));
}

/**
 * After a provider sign-in of `userId`: null when it is enough (no second factor, or the provider asserted
 * MFA), otherwise the sign-in page's second step to go to: `/login?next=…#mfa=<mfa_token>&methods=<a,b>`. The token
 * travels in the fragment, which browsers never send to a server nor put in a Referer.
 */
export async function providerSignInSecondStep(userId: string, idToken: unknown, next: string | null): Promise<string | null> {
  const methods = await secondFactorMethods(userId);
  if (methods.length === 0 || providerAssertsMfa(idToken)) return null;
  const token = await issueMfaChallenge(userId, "oidc");
  return `/login${next ? `?next=${encodeURIComponent(next)}` : ""}#mfa=${token}&methods=${methods.join(",")}`;
}
