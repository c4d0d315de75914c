/**
 * Managing a user's second factors: TOTP (an authenticator app) with ten single-use recovery codes.
 *
 * Enrolment is two steps: `startTotpEnrolment` makes a secret (kept encrypted, lib/auth/encryption.ts)
 * and shows it once as text and as an `otpauth://` URI (the QR code); `confirmTotpEnrolment` turns it on
 * when the app shows a valid code, and answers the recovery codes, shown this once and stored only
 * hashed. Starting, turning off and making new recovery codes are sensitive changes: they need a fresh
 * proof (lib/accounts/reauthentication.ts). A superuser can reset another user's factors (a lost phone
 * and no recovery code left). Every change is audited; turning off and resetting are mailed as notices.
 */
import type { Prisma } from "@prisma/client";
import { getDb } from "../db/client";
import type { MfaStatusT } from "../schemas";
import { errors } from "../http/errors";
import type { ClientInfo } from "../http/client";
import type { Authenticated } from "../auth/current-user";
import { seal } from "../auth/encryption";
import { newRecoveryCode, newTotpSecret, normalizeRecoveryCode, totpUri } from "../auth/totp";
import { sha256 } from "../auth/sha256";
import { appName } from "../mail/mailer";
import { recordAuthEvent } from "./audit";
import { queueSecondFactorNotice } from "./account-mail";
import { reauthenticationProofs, requireRecentAuthentication, type Proof } from "./reauthentication";
import { spendTotpCode, totpEnabled, TOTP_SECRET_PURPOSE } from "./second-factor-check";

export const RECOVERY_CODE_COUNT = 10;

export async function mfaStatus(user: { id: string; hashedPassword: string | null }): Promise<MfaStatusT> {
  const db = getDb();
  const userId = user.id;
  const [factor, left, passkeys] = await Promise.all([
    db.totpFactor.findUnique({ where: { userId }, select: { confirmedAt: true } }),
    db.recoveryCode.count({ where: { userId } }),
    db.passkey.count({ where: { userId } }),
  ]);
  const enabledAt = factor?.confirmedAt ?? null;
  const proofs = reauthenticationProofs({ password: user.hashedPassword !== null, totp: enabledAt !== null, passkeys });
  return {
    totp_enabled: enabledAt !== null,
    enabled_at: enabledAt?.toISOString() ?? null,
    recovery_codes_left: enabledAt ? left : 0,
    reauthentication_proofs: proofs,
  };
}

const alreadyOn = () => errors.conflict("Two-factor authentication is already on");
const notOn = () => errors.badRequest("Two-factor authentication is not on");

/**
 * Makes a new TOTP secret for the user (replacing a pending one, never a confirmed one: 409), after a
 * fresh proof. Returns it as text and as the `otpauth://` URI an authenticator app scans.
 */
export async function startTotpEnrolment(
  auth: Authenticated,
  proof: Proof & { client: ClientInfo },
): Promise<{ secret: string; otpauth_uri: string }> {
  const userId = auth.user.id;
  if (await totpEnabled(userId)) throw alreadyOn();
  await requireRecentAuthentication(auth, proof);
  const secret = newTotpSecret();
  const secretEncrypted = seal(secret, TOTP_SECRET_PURPOSE, userId);
  // Only a pending factor is replaced: one confirmed in between (another tab) stays, and this answers 409.
  const replaced = await getDb().totpFactor.updateMany({ where: { userId, confirmedAt: null }, data: { secretEncrypted, lastUsedStep: null } });
  if (!replaced.count) {
    try {
      await getDb().totpFactor.create({ data: { userId, secretEncrypted } });
    } catch {
      throw alreadyOn();
    }
  }
  return { secret, otpauth_uri: totpUri(secret, appName(), auth.user.email) };
}

/** A new set of recovery codes for the user, replacing the old one (written in the transaction `tx`). */
async function replaceRecoveryCodes(
  tx: Pick<ReturnType<typeof getDb>, "recoveryCode">,
  userId: string,
): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await tx.recoveryCode.deleteMany({ where: { userId } });
  await tx.recoveryCode.createMany({ data: codes.map((code) => ({ userId, codeHash: sha256(normalizeRecoveryCode(code)) })) });
  return codes;
}

/**
 * Turns TOTP on when `code` is valid for the pending secret (400 otherwise; 409 when it is on already)
 * and returns the ten recovery codes, shown this once. The code counts as used.
 */
export async function confirmTotpEnrolment(auth: Authenticated, code: string, client: ClientInfo): Promise<string[]> {
  const userId = auth.user.id;
  if (await totpEnabled(userId)) throw alreadyOn();
  const pending = await getDb().totpFactor.findUnique({ where: { userId }, select: { userId: true } });
  if (!pending) throw errors.badRequest("Start the enrolment first (POST /api/v1/users/me/mfa/totp)");
  if ((await spendTotpCode(userId, code, "pending")) === null) {
    await recordAuthEvent({ type: "mfa_challenge_failed", userId, method: "enrolment", client });
    throw errors.badRequest("Invalid code");
  }
  const codes = await getDb().$transaction(async (tx) => {
    const confirmed = await tx.totpFactor.updateMany({ where: { userId, confirmedAt: null }, data: { confirmedAt: new Date() } });
    if (!confirmed.count) throw alreadyOn();
    return replaceRecoveryCodes(tx, userId);
  });
  await recordAuthEvent({ type: "mfa_enrolled", userId, method: "totp", client });
  return codes;
}

/** A new set of ten recovery codes (the old ones stop working), after a fresh proof. */
export async function regenerateRecoveryCodes(auth: Authenticated, proof: Proof & { client: ClientInfo }): Promise<string[]> {
  const userId = auth.user.id;
  if (!(await totpEnabled(userId))) throw notOn();
  await requireRecentAuthentication(auth, proof);
  const codes = await getDb().$transaction((tx) => replaceRecoveryCodes(tx, userId));
  await recordAuthEvent({ type: "recovery_codes_regenerated", userId, client: proof.client });
  return codes;
}

/** Deletes every second factor of the user (TOTP, recovery codes, pending sign-in challenges), in `tx`. */
async function removeSecondFactors(tx: Prisma.TransactionClient, userId: string): Promise<boolean> {
  const factor = await tx.totpFactor.deleteMany({ where: { userId } });
  await tx.recoveryCode.deleteMany({ where: { userId } });
  await tx.mfaChallenge.deleteMany({ where: { userId } });
  return factor.count > 0;
}


/** Turns two-factor authentication off (400 when it is not on), after a fresh proof; mailed as a notice. */
export async function disableSecondFactors(auth: Authenticated, proof: Proof & { client: ClientInfo }): Promise<void> {
  const user = auth.user;
  if (!(await totpEnabled(user.id))) throw notOn();
  // Not a way in (lib/accounts/ways-in.ts): TOTP only completes a sign-in, so turning it off is never refused.
  await requireRecentAuthentication(auth, proof);
  await getDb().$transaction((tx) => removeSecondFactors(tx, user.id));
  await recordAuthEvent({ type: "mfa_disabled", userId: user.id, client: proof.client });
  queueSecondFactorNotice(user, "Two-factor authentication was turned off", "Two-factor authentication was just turned off for your account: signing in now needs only the password.");
}

/**
 * A superuser's reset of another user's second factors (a lost phone with no recovery code left): the
 * user signs in with the password alone and can enrol again. 404 for an unknown user; audited as
 * `mfa_reset` on the user's trail (`method`: "admin") and mailed to the user.
 */
export async function resetSecondFactors(userId: string, client: ClientInfo): Promise<void> {
  const user = await getDb().user.findUnique({ where: { id: userId }, select: { id: true, email: true } });
  if (!user) throw errors.notFound("The user with this id does not exist in the system");
  // A lost device may hold the account's passkeys too: the reset removes them with the app and the codes.
  const removed = await getDb().$transaction(async (tx) => {
    const passkeys = await tx.passkey.deleteMany({ where: { userId: user.id } });
    return (await removeSecondFactors(tx, user.id)) || passkeys.count > 0;
  });
  await recordAuthEvent({ type: "mfa_reset", userId: user.id, method: "admin", client });
  if (removed) {
    queueSecondFactorNotice(user, "Your two-factor authentication was reset", "An administrator reset the two-factor authentication of your account: signing in now needs only the password until you turn it on again.");
  }
}
