/**
 * How a user is authenticated by password: the one password sign-in (the token endpoint and the
 * browser's Credentials sign-in) and the password asked again of a signed-in user (a password change,
 * re-authentication). Both count each attempt under the brute-force limits (lib/auth/throttle.ts)
 * before checking the password, and record the outcome in the audit trail.
 */
import type { User } from "@prisma/client";
import { getConfig } from "../config";
import { getDb } from "../db/client";
import type { ClientInfo } from "../http/client";
import { OverloadedError } from "../http/errors";
import { verifyPasswordOrDummy } from "../auth/passwords";
import { normalizeEmail, reserveAttempt, settleAttempt, withdrawAttempt, type Attempt } from "../auth/throttle";
import { recordAuthEvent, type AuthEventType } from "./audit";
import { spendTotpCode } from "./second-factor-check";

/**
 * Reserves an attempt for a password check (see `reserveAttempt`); a refusal is recorded as `throttledType`
 * (the caller's account, when `userId` finds one) before the 429 goes out.
 */
async function reserveOrRecord(
  identifier: string,
  client: ClientInfo,
  method: string,
  throttledType: AuthEventType,
  userId: () => Promise<string | undefined>,
): Promise<Attempt> {
  try {
    return await reserveAttempt(identifier, client.ip);
  } catch (error) {
    await recordAuthEvent({ type: throttledType, userId: await userId(), email: identifier, method, client });
    throw error;
  }
}

/** Runs the password check of `attempt`; a check shed for load (503) leaves the throttle as it was. */
async function checkReserved<T>(attempt: Attempt, check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (error) {
    if (error instanceof OverloadedError) await withdrawAttempt(attempt);
    throw error;
  }
}

/** `<password><code>`: a TOTP code typed straight after the password (AUTH_MFA_CODE_IN_PASSWORD). */
const CODE_AFTER_PASSWORD = /^([\s\S]+)(\d{6})$/;

type PasswordCheck = {
  /** The account, when the email has one (for the audit trail), even on failure. */
  user: User | null;
  ok: boolean;
  /** The password was the prefix and the TOTP code after it was tried: spent when `ok`, refused when not. */
  withCode: boolean;
};

/**
 * The password check itself, for `passwordSignIn` alone. An unknown email and a wrong password are
 * indistinguishable: both cost one bcrypt comparison. With `codeAfterPassword`, a string that is not the
 * password and ends in six digits is tried as the password followed by the account's current TOTP code
 * (the whole string first: a password may end in digits itself). That second comparison is made whatever
 * the account (unknown, without TOTP: against the dummy hash), so a string ending in six digits costs two
 * comparisons for every email and says nothing about who exists or who has TOTP. The code is looked at only
 * after the password matched, and spent as a second step's is (replay refused).
 */
async function checkPassword(email: string, password: string, codeAfterPassword: boolean): Promise<PasswordCheck> {
  // Two lookups for every email, known or not (an `include` would skip the second for an unknown one).
  const [user, totpFactor] = await Promise.all([
    getDb().user.findUnique({ where: { email } }),
    getDb().totpFactor.findFirst({ where: { user: { email } }, select: { confirmedAt: true } }),
  ]);
  const cost = getConfig().bcryptCost;
  if (await verifyPasswordOrDummy(password, user?.hashedPassword, cost)) return { user, ok: true, withCode: false };
  const split = codeAfterPassword ? CODE_AFTER_PASSWORD.exec(password) : null;
  if (!split) return { user, ok: false, withCode: false };
  const totpOn = totpFactor?.confirmedAt != null;
  const passwordOk = await verifyPasswordOrDummy(split[1]!, totpOn ? user?.hashedPassword : undefined, cost);
  if (!user || !passwordOk) return { user, ok: false, withCode: false };
  return { user, ok: (await spendTotpCode(user.id, split[2]!, "confirmed")) !== null, withCode: true };
}

/**
 * The one password sign-in used by the token endpoint and the browser's Credentials sign-in: throttle
 * reservation, password check (the same cost for an unknown email), throttle bookkeeping, audit trail.
 * Returns the user when the password is right (active or not: the caller decides), null otherwise;
 * throws 429 when throttled.
 */
export async function passwordSignIn(
  email: string,
  password: string,
  client: ClientInfo,
  method: "password" | "credentials",
): Promise<User | null> {
  return (await signIn(email, password, client, method, false))?.user ?? null;
}

/**
 * The token endpoint's password sign-in, which (AUTH_MFA_CODE_IN_PASSWORD) also takes the password followed
 * by the current TOTP code, for clients that know only the password form: `secondFactor` says the code was
 * given and spent. One attempt under the throttle, whichever way it was read; a right password with a wrong
 * code is a failure like a wrong password (and audited as `mfa_challenge_failed`).
 */
export async function tokenEndpointSignIn(
  email: string,
  password: string,
  client: ClientInfo,
): Promise<{ user: User; secondFactor: boolean } | null> {
  return signIn(email, password, client, "password", getConfig().mfaCodeInPassword);
}

/** What the audit trail calls a sign-in with the code after the password. */
export const PASSWORD_AND_CODE_METHOD = "password_totp";

async function signIn(
  email: string,
  password: string,
  client: ClientInfo,
  method: "password" | "credentials",
  codeAfterPassword: boolean,
): Promise<{ user: User; secondFactor: boolean } | null> {
  const normalized = normalizeEmail(email);
  const attempt = await reserveOrRecord(normalized, client, method, "login_throttled", async () => {
    const user = await getDb().user.findUnique({ where: { email: normalized }, select: { id: true } });
    return user?.id;
  });
  const { user, ok, withCode } = await checkReserved(attempt, () => checkPassword(normalized, password, codeAfterPassword));
  await settleAttempt(attempt, ok);
  await recordAuthEvent({
    type: ok ? "login_success" : withCode ? "mfa_challenge_failed" : "login_failure",
    userId: user?.id,
    email: normalized,
    method: withCode ? PASSWORD_AND_CODE_METHOD : method,
    client,
  });
  return ok && user ? { user, secondFactor: withCode } : null;
}

/**
 * The password asked again of a signed-in user (`method` says why, e.g. "password_change"): the same
 * throttle counters as sign-in (the account's email and the client's IP), so a stolen token is no
 * password oracle. A wrong password is recorded as `password_check_failure`, a refusal as
 * `password_check_throttled`; throws 429 when throttled.
 */
export async function confirmPassword(user: User, password: string, client: ClientInfo, method: string): Promise<boolean> {
  const attempt = await reserveOrRecord(user.email, client, method, "password_check_throttled", async () => user.id);
  const ok = await checkReserved(attempt, () => verifyPasswordOrDummy(password, user.hashedPassword, getConfig().bcryptCost));
  await settleAttempt(attempt, ok);
  if (!ok) await recordAuthEvent({ type: "password_check_failure", userId: user.id, method, client });
  return ok;
}
