/**
 * Checking a second factor: a TOTP code from the account's authenticator app, one of its recovery
 * codes, or an assertion of one of its passkeys (lib/auth/webauthn.ts). Used by the token endpoint's and the browser's second step (lib/accounts/mfa-challenges.ts) and
 * by re-authentication (lib/accounts/reauthentication.ts). Each check is throttled like a password: an
 * attempt is reserved against the account and the client's IP before the code is looked at
 * (lib/auth/throttle.ts), so six digits cannot be guessed faster than a password.
 *
 * Single use, race-safe: a TOTP code is accepted by a conditional update that moves the factor's
 * `lastUsedStep` forward (a code of that step or an earlier one is refused: replay), and a recovery code
 * by deleting its row; of two concurrent uses, the database lets exactly one change a row.
 */
import type { User } from "@prisma/client";
import { getDb } from "../db/client";
import type { ClientInfo } from "../http/client";
import { open } from "../auth/encryption";
import { matchTotpStep, normalizeRecoveryCode } from "../auth/totp";
import { sha256 } from "../auth/sha256";
import { reserveAttempt, settleAttempt } from "../auth/throttle";
import { checkAssertion } from "../auth/webauthn";
import type { AuthenticationResponseT } from "../schemas";
import { appName, templates } from "../mail/mailer";
import { recordAuthEvent } from "./audit";
import { queueAccountMail } from "./account-mail";

/** What `encryption.seal` binds TOTP secrets to. */
export const TOTP_SECRET_PURPOSE = "totp-secret";

export type SecondFactorProof = {
  code?: string | undefined;
  recovery_code?: string | undefined;
  passkey?: AuthenticationResponseT | undefined;
};

/** The TOTP secret of the user's factor (confirmed or pending), or null when it has none that opens. */
export async function totpSecretOf(userId: string, state: "confirmed" | "pending"): Promise<string | null> {
  const factor = await getDb().totpFactor.findUnique({ where: { userId } });
  if (!factor || (factor.confirmedAt !== null) !== (state === "confirmed")) return null;
  return open(factor.secretEncrypted, TOTP_SECRET_PURPOSE, userId);
}

/** Whether the user has an authenticator app (TOTP) turned on. */
export async function totpEnabled(userId: string): Promise<boolean> {
  const factor = await getDb().totpFactor.findUnique({ where: { userId }, select: { confirmedAt: true } });
  return factor?.confirmedAt != null;
}

/**
 * The second factors a password sign-in of this user may be completed with; empty: the password alone
 * signs in. A registered passkey counts as a second factor on its own (as GitHub does it).
 */
export async function secondFactorMethods(userId: string): Promise<("totp" | "recovery_code" | "passkey")[]> {
  const [totp, passkeys] = await Promise.all([totpEnabled(userId), getDb().passkey.count({ where: { userId } })]);
  return [...(totp ? (["totp", "recovery_code"] as const) : []), ...(passkeys > 0 ? (["passkey"] as const) : [])];
}

/** Whether sign-ins of this user ask for a second factor. */
export async function hasSecondFactor(userId: string): Promise<boolean> {
  return (await secondFactorMethods(userId)).length > 0;
}

/**
 * Spends `code` if it is valid for the user's `state` factor and newer than the last one accepted;
 * returns the step it matched (null: wrong, or replayed, or a concurrent use won).
 */
export async function spendTotpCode(userId: string, code: string, state: "confirmed" | "pending"): Promise<number | null> {
  const secret = await totpSecretOf(userId, state);
  const step = secret ? matchTotpStep(secret, code) : null;
  if (step === null) return null;
  const spent = await getDb().totpFactor.updateMany({
    where: {
      userId,
      confirmedAt: state === "confirmed" ? { not: null } : null,
      OR: [{ lastUsedStep: null }, { lastUsedStep: { lt: step } }],
    },
    data: { lastUsedStep: step },
  });
  return spent.count === 1 ? step : null;
}

/** Spends one of the user's recovery codes; true when it was unused (and is now gone). */
async function spendRecoveryCode(user: Pick<User, "id" | "email">, code: string, client: ClientInfo): Promise<boolean> {
  const spent = await getDb().recoveryCode.deleteMany({ where: { userId: user.id, codeHash: sha256(normalizeRecoveryCode(code)) } });
  if (spent.count !== 1) return false;
  const left = await getDb().recoveryCode.count({ where: { userId: user.id } });
  await recordAuthEvent({ type: "recovery_code_used", userId: user.id, client });
  queueAccountMail({
    to: user.email,
    kind: "second_factor_notice",
    userId: user.id,
    template: templates.secondFactorNotice({
      appName: appName(),
      email: user.email,
      title: "A recovery code was used",
      what: `A recovery code was just used to sign in to your account or confirm a change; ${left} unused ${left === 1 ? "code is" : "codes are"} left. Each code works once: make new ones from your settings when you run low.`,
    }),
  });
  return true;
}

/**
 * Checks the second factor given (a TOTP code, a recovery code or a passkey's assertion) for `user`, throttled like a password
 * (429 when the account or the address is locked) and audited (`mfa_challenge_failed` when wrong,
 * `recovery_code_used` when one is spent). `method` says what for: "mfa" (a sign-in's second step) or
 * "reauthentication" (sudo mode); a passkey's assertion must answer a challenge issued for that same use.
 */
export async function checkSecondFactor(
  user: Pick<User, "id" | "email">,
  proof: SecondFactorProof,
  client: ClientInfo,
  method: "mfa" | "reauthentication",
): Promise<boolean> {
  let attempt;
  try {
    attempt = await reserveAttempt(user.email, client.ip);
  } catch (error) {
    await recordAuthEvent({ type: "login_throttled", userId: user.id, email: user.email, method, client });
    throw error;
  }
  const ok =
    proof.passkey !== undefined
      ? (await checkAssertion(proof.passkey, method === "mfa" ? "second_factor" : "reauthentication", user.id)).ok
      : proof.code !== undefined
        ? (await spendTotpCode(user.id, proof.code, "confirmed")) !== null
        : proof.recovery_code !== undefined && (await totpEnabled(user.id)) && (await spendRecoveryCode(user, proof.recovery_code, client));
  await settleAttempt(attempt, ok);
  if (!ok) await recordAuthEvent({ type: "mfa_challenge_failed", userId: user.id, method, client });
  return ok;
}
