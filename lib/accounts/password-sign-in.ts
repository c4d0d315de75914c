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

/**
 * The password check itself, for `passwordSignIn` alone. An unknown email and a wrong password are
 * indistinguishable: both cost one bcrypt comparison. Also returns the account when it exists (for the
 * audit trail), even on failure.
 */
async function checkPassword(email: string, password: string): Promise<{ user: User | null; ok: boolean }> {
  const user = await getDb().user.findUnique({ where: { email } });
  const ok = await verifyPasswordOrDummy(password, user?.hashedPassword, getConfig().bcryptCost);
  return { user, ok };
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
  const normalized = normalizeEmail(email);
  const attempt = await reserveOrRecord(normalized, client, method, "login_throttled", async () => {
    const user = await getDb().user.findUnique({ where: { email: normalized }, select: { id: true } });
    return user?.id;
  });
  const { user, ok } = await checkReserved(attempt, () => checkPassword(normalized, password));
  await settleAttempt(attempt, ok);
  await recordAuthEvent({
    type: ok ? "login_success" : "login_failure",
    userId: user?.id,
    email: normalized,
    method,
    client,
  });
  return ok ? user : null;
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
