/**
 * "Sudo mode": a token proves who is calling, not that the person is present. Changing the email or the
 * password, deleting the account and unlinking a sign-in method need a fresh proof of a factor on top of
 * the token: the password, or for an account with two-factor authentication a TOTP code or a recovery
 * code, given within the last REAUTH_MAX_AGE_MINUTES, either to `POST /login/reauthenticate` (which
 * marks the calling token) or in the sensitive request's own body (`current_password`, `password`,
 * `code`, `recovery_code`). A stolen access token alone can do none of these.
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
import { confirmPassword } from "./password-sign-in";
import { checkSecondFactor } from "./second-factor-check";
import { signInCountsAsReauthentication } from "./sign-in-time";

/** A proof of a factor: one of the password, a TOTP code, a recovery code (the schemas allow no more). */
export type Proof = { password?: string | undefined; code?: string | undefined; recovery_code?: string | undefined };

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
    throw errors.badRequest("Invalid code");
  }
  const at = new Date();
  await getDb().accessToken.update({ where: { id: auth.tokenId }, data: { reauthenticatedAt: at } });
  await recordAuthEvent({ type: "reauthenticated", userId: auth.user.id, method: proof.password !== undefined ? null : "mfa", client });
  return new Date(at.getTime() + getConfig().reauthMaxAgeSeconds * 1000);
}

/**
 * The gate in front of every sensitive change. With a proof in the request (`password`, `code`,
 * `recovery_code`) it is checked as by `reauthenticate`; without, the token must have been
 * re-authenticated recently, or else 401
 * `reauth_required` (lib/http/errors.ts) tells the client to ask for the password and try again.
 */
export async function requireRecentAuthentication(
  auth: Authenticated,
  proof: Proof & { client: ClientInfo },
): Promise<void> {
  if (proof.password !== undefined || proof.code !== undefined || proof.recovery_code !== undefined) {
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
