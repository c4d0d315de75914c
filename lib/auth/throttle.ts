/**
 * Brute-force limits on password sign-in, kept in the database so they survive restarts and hold
 * across instances. Used by every password sign-in path (the token endpoint and the Auth.js Credentials
 * provider) through `passwordSignIn`.
 *
 * Per account (the normalized email, whether or not such an account exists, so the limits reveal
 * nothing): after `accountFailures` (10) failed attempts in a streak, sign-in answers 429 for a delay
 * that doubles with each further failure, from `baseDelaySeconds` up to `maxDelaySeconds` (15 minutes).
 * A streak ends with a successful sign-in, or after a quiet period (the window plus the longest delay)
 * with no failure. Independently, never more than `accountHourlyMax` (100) failures per account per hour.
 * Per client IP: the same exponential delay, after `ipFailures` (100) failures; a success does not end an
 * IP's streak (an attacker may own an account).
 * An attempt refused with 429 checks no password and counts as nothing.
 */
import type { LoginThrottle, User } from "@prisma/client";
import { getConfig } from "../config";
import { getDb } from "../db";
import { errors } from "../http/errors";
import type { ClientInfo } from "../http/client";
import { recordAuthEvent } from "../audit";
import { authenticateDetailed } from "../users";

const HOUR_MS = 60 * 60 * 1000;

export const normalizeEmail = (email: string) => email.trim().toLowerCase();
const accountKey = (email: string) => `account:${normalizeEmail(email).slice(0, 320)}`;
const ipKey = (ip: string | null) => (ip ? `ip:${ip}` : null);

function delayMs(failures: number, threshold: number): number {
  const { baseDelaySeconds, maxDelaySeconds } = getConfig().throttle;
  const steps = Math.min(failures - threshold, 30);
  return Math.min(baseDelaySeconds * 2 ** steps, maxDelaySeconds) * 1000;
}

/** Until when (ms since epoch) this key is locked; 0 when it is not. */
function lockedUntil(row: LoginThrottle, threshold: number, hourlyMax: number, now: number): number {
  let until = 0;
  if (row.lastFailureAt && row.failures >= threshold) {
    until = row.lastFailureAt.getTime() + delayMs(row.failures, threshold);
  }
  const hourEnds = row.hourStartedAt.getTime() + HOUR_MS;
  if (hourEnds > now && row.hourFailures >= hourlyMax) until = Math.max(until, hourEnds);
  return until > now ? until : 0;
}

/** Throws 429 (with Retry-After) when the account or the client's IP is locked; otherwise returns. */
export async function checkLoginAllowed(email: string, ip: string | null): Promise<void> {
  const t = getConfig().throttle;
  const account = accountKey(email);
  const keys = [account, ipKey(ip)].filter((k): k is string => k !== null);
  const rows = await getDb().loginThrottle.findMany({ where: { key: { in: keys } } });
  const now = Date.now();
  let until = 0;
  for (const row of rows) {
    const isAccount = row.key === account;
    const threshold = isAccount ? t.accountFailures : t.ipFailures;
    const hourlyMax = isAccount ? t.accountHourlyMax : Number.POSITIVE_INFINITY;
    until = Math.max(until, lockedUntil(row, threshold, hourlyMax, now));
  }
  if (until > now) throw errors.loginThrottled(Math.max(1, Math.ceil((until - now) / 1000)));
}

async function recordFailure(key: string, now: Date): Promise<void> {
  const t = getConfig().throttle;
  const db = getDb();
  const quietMs = (t.windowSeconds + t.maxDelaySeconds) * 1000;
  // Each statement is atomic, so concurrent failures are all counted.
  await db.loginThrottle.updateMany({
    where: { key, lastFailureAt: { lt: new Date(now.getTime() - quietMs) } },
    data: { failures: 0 },
  });
  await db.loginThrottle.updateMany({
    where: { key, hourStartedAt: { lt: new Date(now.getTime() - HOUR_MS) } },
    data: { hourFailures: 0, hourStartedAt: now },
  });
  // A native INSERT … ON CONFLICT DO UPDATE (Prisma uses one for this shape of upsert): two first
  // failures for one key at once, on two instances, both count (tests/api/multi-instance.test.ts).
  await db.loginThrottle.upsert({
    where: { key },
    create: { key, failures: 1, lastFailureAt: now, hourFailures: 1, hourStartedAt: now },
    update: { failures: { increment: 1 }, hourFailures: { increment: 1 }, lastFailureAt: now },
  });
}

/** Counts a failed attempt against the account and the IP; a success ends the account's streak. */
export async function recordLoginResult(email: string, ip: string | null, ok: boolean): Promise<void> {
  const account = accountKey(email);
  if (ok) {
    await getDb().loginThrottle.updateMany({ where: { key: account }, data: { failures: 0, lastFailureAt: null } });
    return;
  }
  const now = new Date();
  await recordFailure(account, now);
  const ipk = ipKey(ip);
  if (ipk) await recordFailure(ipk, now);
}

/**
 * The one password sign-in used by the token endpoint and the browser's Credentials sign-in: throttle
 * check, password check (the same cost for an unknown email), throttle bookkeeping, audit trail.
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
  try {
    await checkLoginAllowed(normalized, client.ip);
  } catch (error) {
    const user = await getDb().user.findUnique({ where: { email: normalized }, select: { id: true } });
    await recordAuthEvent({ type: "login_throttled", userId: user?.id, email: normalized, method, client });
    throw error;
  }
  const { user, ok } = await authenticateDetailed(normalized, password);
  await recordLoginResult(normalized, client.ip, ok);
  await recordAuthEvent({
    type: ok ? "login_success" : "login_failure",
    userId: user?.id,
    email: normalized,
    method,
    client,
  });
  return ok ? user : null;
}
