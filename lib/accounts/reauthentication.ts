/**
 * "Sudo mode": a token proves who is calling, not that the person is present. Changing the email or the
 * password, deleting the account and unlinking a sign-in method need a fresh proof of a factor on top of
 * the token: the password, for an account with two-factor authentication a TOTP code or a recovery
 * code, or an assertion of one of the account's passkeys (for options from
 * `reauthenticationPasskeyOptions`: a challenge of purpose "reauthentication", bound to the user, single
 * use, 5 minutes), given within the last REAUTH_MAX_AGE_MINUTES, either to `POST /login/reauthenticate`
 * (which marks the calling token) or in the sensitive request's own body (`current_password`, `password`,
 * `code`, `recovery_code`, `passkey`). A stolen access token alone can do none of these.
 *
 * An account without a password (signed up through OpenID Connect) has nothing to type: for it, a
 * browser sign-in through its provider within the same window counts as the proof.
 */
import { getConfig } from "../config";
import { getDb } from "../db/client";
import { errors } from "../http/errors";
import type { ClientInfo } from "../http/client";
import { recordAuthEvent } from "./audit";
import type { Authenticated } from "../auth/current-user";
import { assertionOptions, passkeysOf } from "../auth/webauthn";
import type { PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import type { ProofKind } from "../schemas";
import { confirmPassword } from "./password-sign-in";
import { checkSecondFactor, type SecondFactorProof } from "./second-factor-check";
import { signInCountsAsReauthentication } from "./sign-in-time";

/** A proof of a factor: one of the password, a TOTP code, a recovery code, a passkey's assertion (the schemas allow no more). */
export type Proof = { password?: string | undefined } & SecondFactorProof;

/** The refusal of a passkey that is not one of the caller's, or answers no live re-authentication challenge. */
export const PASSKEY_PROOF_REFUSED = "Passkey not recognized: ask for new options (POST /api/v1/login/reauthenticate/passkey/options) and try again";

const isFresh = (at: Date | null | undefined, now = Date.now()) =>
  at != null && now - at.getTime() <= getConfig().reauthMaxAgeSeconds * 1000;

/**
 * Checks the proof (throttled and audited like every password re-check or second-factor code: 400 when
 * wrong, 429 when throttled) and marks the calling token re-authenticated. Returns until when it counts.
 */
export async function reauthenticate(auth: Authenticated, proof: Proof, client: ClientInfo): Promise<Date> {
  if (proof.password !== undefined) {
    if (!auth.user.hashedPassword) {
      throw errors.badRequest(
        "This account has no password: sign in again with its provider to confirm it is you",
      );
    }
    if (!(await confirmPassword(auth.user, proof.password, client, "reauthentication"))) {
      throw errors.badRequest("Incorrect password");
    }
  } else if (!(await checkSecondFactor(auth.user, proof, client, "reauthentication"))) {
    throw errors.badRequest(proof.passkey !== undefined ? PASSKEY_PROOF_REFUSED : "Invalid code");
  }
  const at = new Date();
  await getDb().accessToken.update({ where: { id: auth.tokenId }, data: { reauthenticatedAt: at } });
  const method = proof.password !== undefined ? null : proof.passkey !== undefined ? "passkey" : "mfa";
  await recordAuthEvent({ type: "reauthenticated", userId: auth.user.id, method, client });
  return new Date(at.getTime() + getConfig().reauthMaxAgeSeconds * 1000);
}

/**
 * Options for `startAuthentication()` to prove the caller with one of their passkeys: limited to the
 * caller's passkeys, the challenge kept for "reauthentication" and this user (single use, 5 minutes).
 * 400 when the account has no passkey.
 */
export async function reauthenticationPasskeyOptions(auth: Authenticated): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const passkeys = await passkeysOf(auth.user.id);
  if (passkeys.length === 0) throw errors.badRequest("This account has no passkey: confirm it is you with your password or a code");
  return assertionOptions("reauthentication", auth.user.id, passkeys);
}

/** The proofs an account with these factors can give (field names), for the pages to offer only those. */
export function reauthenticationProofs(has: { password: boolean; totp: boolean; passkeys: number }): ProofKind[] {
  return [
    ...(has.password ? (["password"] as const) : []),
    ...(has.totp ? (["code", "recovery_code"] as const) : []),
    ...(has.passkeys > 0 ? (["passkey"] as const) : []),
  ];
}

/**
 * The gate in front of every sensitive change. With a proof in the request (`password`, `code`,
 * `recovery_code`, `passkey`) it is checked as by `reauthenticate`; without, the token must have been
 * re-authenticated recently, or else 401
 * `reauth_required` (lib/http/errors.ts) tells the client to ask for the password and try again.
 */
export async function requireRecentAuthentication(
  auth: Authenticated,
  proof: Proof & { client: ClientInfo },
): Promise<void> {
  if (proof.password !== undefined || proof.code !== undefined || proof.recovery_code !== undefined || proof.passkey !== undefined) {
    await reauthenticate(auth, proof, proof.client);
    return;
  }
  if (isFresh(auth.reauthenticatedAt)) return;
  if (await signInCountsAsReauthentication(auth)) return; // API_COMPAT=fastapi-template only
  if (!auth.user.hashedPassword && auth.sessionId) {
    const session = await getDb().session.findUnique({
      where: { sessionToken: auth.sessionId },
      select: { createdAt: true },
    });
    if (isFresh(session?.createdAt)) return;
  }
  throw errors.reauthRequired(getConfig().reauthMaxAgeSeconds);
}
