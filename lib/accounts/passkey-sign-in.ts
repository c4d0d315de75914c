/**
 * Signing in with a passkey alone (discoverable credentials: no email typed), and the options of a
 * passkey used as the second step of a password sign-in (lib/accounts/mfa-challenges.ts completes it).
 *
 * A passkey sign-in answers what a password sign-in answers: the same account rules (inactive,
 * EMAIL_VERIFICATION, lib/auth/token-holders.ts), the same tokens, the same audit event
 * (`login_success`/`login_failure`, `method`: "passkey"). It asks for no further factor: the passkey is
 * something held, unlocked on the device (user verification). Failed assertions count in the brute-force
 * throttle like wrong passwords (the account's streak when the passkey is known, always the address's).
 */
import type { User } from "@prisma/client";
import type { PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import { getDb } from "../db/client";
import { errors } from "../http/errors";
import type { ClientInfo } from "../http/client";
import { reserveAttempt, settleAttempt } from "../auth/throttle";
import { assertionOptions, checkAssertion, passkeysOf } from "../auth/webauthn";
import type { AuthenticationResponseT } from "../schemas";
import { recordAuthEvent } from "./audit";
import { challengedUser } from "./mfa-challenges";

/** The one refusal of a passkey sign-in, whatever went wrong (unknown passkey, spent challenge, bad signature). */
export const PASSKEY_REFUSED = "Passkey not recognized: try again, or sign in with your password";

/** Options for a passkey sign-in: any passkey of this site on the device may answer. */
export function passkeySignInOptions(): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return assertionOptions("sign_in", null);
}

/**
 * Checks a passkey sign-in's assertion, throttled and audited like a password: returns the account (the
 * caller applies the token-holder rule and issues what it issues), or throws 400 `invalid_grant`, or 429.
 */
export async function passkeySignIn(response: AuthenticationResponseT, client: ClientInfo): Promise<User> {
  const known = await getDb().passkey.findUnique({ where: { credentialId: response.id }, select: { user: { select: { id: true, email: true } } } });
  const identifier = known?.user.email ?? `passkey:${response.id.slice(0, 200)}`;
  let attempt;
  try {
    attempt = await reserveAttempt(identifier, client.ip);
  } catch (error) {
    await recordAuthEvent({ type: "login_throttled", userId: known?.user.id, email: known?.user.email, method: "passkey", client });
    throw error;
  }
  const result = await checkAssertion(response, "sign_in", null);
  await settleAttempt(attempt, result.ok);
  const user = result.passkey?.user;
  await recordAuthEvent({
    type: result.ok ? "login_success" : "login_failure",
    userId: user?.id,
    email: user?.email,
    method: "passkey",
    client,
  });
  if (!result.ok) throw errors.oauth(400, "invalid_grant", PASSKEY_REFUSED);
  return result.passkey.user;
}

/**
 * Options for a passkey as the second step of a password sign-in: the passkeys of the account the
 * challenge (`mfa_token`) was issued to. 400 `invalid_grant` when the challenge is gone or the account
 * has no passkey.
 */
export async function secondFactorPasskeyOptions(mfaToken: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const user = await challengedUser(mfaToken);
  const passkeys = user ? await passkeysOf(user.id) : [];
  if (!user || passkeys.length === 0) {
    throw errors.oauth(400, "invalid_grant", "No passkey for this sign-in: it expired, or the account has none");
  }
  return assertionOptions("second_factor", user.id, passkeys);
}
