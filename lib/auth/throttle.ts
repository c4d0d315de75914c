/**
 * Brute-force limits on password checks, kept in the database so they survive restarts and hold
 * across instances: the counters only. Every password sign-in path (the token endpoint and the Auth.js
 * Credentials provider) and every password asked again of a signed-in user go through
 * lib/accounts/password-sign-in.ts, which reserves an attempt here before it checks a password. The
 * same table rate-limits refresh exchanges, mailed links' tokens, email changes and mails.
 *
 * Per account (the normalized email, whether or not such an account exists, so the limits reveal
 * nothing): after `accountFailures` (10) failed attempts in a streak, sign-in answers 429 for a delay
 * that doubles with each further failure, from `baseDelaySeconds` up to `maxDelaySeconds` (15 minutes).
 * A streak ends with a successful sign-in, or after a quiet period (the window plus the longest delay)
 * with no failure. Independently, never more than `accountHourlyMax` (100) failures per account per hour.
 * Per client IP: the same exponential delay, after `ipFailures` (100) failures; a success does not end an
 * IP's streak (an attacker may own an account).
 * An attempt is counted (reserved) before its password is checked, atomically and only when no key is
 * locked, so concurrent attempts cannot all slip under a limit; a success takes it back. An attempt
 * refused with 429 checks no password and counts as nothing.
 */
import crypto from "node:crypto";
import type { LoginThrottle, Prisma } from "@prisma/client";
import { getConfig } from "../config";
import { getDb, rawSql } from "../db/client";
import { errors, HttpError } from "../http/errors";
import type { ClientInfo } from "../http/client";
import { isEmailAddress } from "../schemas";
import { TokenHolderRefused } from "./token-holders";

const HOUR_MS = 60 * 60 * 1000;

export const normalizeEmail = (email: string) => email.trim().toLowerCase();
/**
 * An account's key: its normalized email, or, for an identifier that is not an email address (maybe a
 * password typed into the wrong field), that identifier's SHA-256, so the table never holds it.
 */
function accountKey(identifier: string): string {
  const normalized = normalizeEmail(identifier);
  if (isEmailAddress(normalized)) return `account:${normalized}`;
  return `account:sha256:${crypto.createHash("sha256").update(normalized).digest("hex")}`;
}
const ipKey = (ip: string | null) => (ip ? `ip:${ip}` : null);

function delayMs(failures: number, threshold: number): number {
  const { baseDelaySeconds, maxDelaySeconds } = getConfig().throttle;
  const steps = Math.min(failures - threshold, 30);
  return Math.min(baseDelaySeconds * 2 ** steps, maxDelaySeconds) * 1000;
}

type Limits = { threshold: number; hourlyMax: number };

/** The largest INTEGER both databases take: no limit of that kind for a key. */
const NO_LIMIT = 2_147_483_647;

/** Email changes a user may make (or try) per hour: enough for typos, too few to probe addresses. */
export const EMAIL_CHANGES_PER_HOUR = 5;
/** Password recovery mails per address per hour: enough to retry, too few to flood a mailbox. */
export const RECOVERY_MAILS_PER_HOUR = 3;
/** Verification mails per account per hour (sign-up, email change and resends together). */
export const VERIFICATION_MAILS_PER_HOUR = 5;

/** Actions limited only by an hourly count, by the prefix of their key. */
const HOURLY_LIMITS = {
  email_change: EMAIL_CHANGES_PER_HOUR,
  recovery_mail: RECOVERY_MAILS_PER_HOUR,
  verification_mail: VERIFICATION_MAILS_PER_HOUR,
} as const;
export type HourlyAction = keyof typeof HOURLY_LIMITS;

function limitsFor(key: string): Limits {
  const t = getConfig().throttle;
  const hourly = HOURLY_LIMITS[key.slice(0, key.indexOf(":")) as HourlyAction];
  if (hourly !== undefined) return { threshold: NO_LIMIT, hourlyMax: hourly };
  return key.startsWith("ip:")
    ? { threshold: t.ipFailures, hourlyMax: NO_LIMIT }
    : { threshold: t.accountFailures, hourlyMax: t.accountHourlyMax };
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
  await checkKeysAllowed([accountKey(email), ipKey(ip)].filter((k): k is string => k !== null));
}

async function checkKeysAllowed(keys: string[]): Promise<void> {
  const rows = await getDb().loginThrottle.findMany({ where: { key: { in: keys } } });
  const now = Date.now();
  let until = 0;
  for (const row of rows) {
    const { threshold, hourlyMax } = limitsFor(row.key);
    until = Math.max(until, lockedUntil(row, threshold, hourlyMax, now));
  }
  if (until > now) throw errors.loginThrottled(Math.max(1, Math.ceil((until - now) / 1000)));
}

/** A timestamp parameter: PostgreSQL needs its type where it cannot infer one (inside CASE). */
function ts(date: Date): Prisma.Sql {
  const { sql, postgres } = rawSql();
  return postgres ? sql`${date}::timestamp(3)` : sql`${date}`;
}

/**
 * The latest last-failure time at which a key with `failures` in its streak is no longer locked, as SQL:
 * `now - delay(failures)`. The delay doubles per failure up to a cap, so it takes only a few values; each
 * is a parameter, and a CASE on the failure count picks one.
 */
function unlockCutoffSql(threshold: number, now: Date): Prisma.Sql {
  const { baseDelaySeconds, maxDelaySeconds } = getConfig().throttle;
  const { sql, join } = rawSql();
  const cases: Prisma.Sql[] = [];
  for (let step = 0; step < 31 && baseDelaySeconds * 2 ** step < maxDelaySeconds; step++) {
    cases.push(sql`WHEN ${step} THEN ${ts(new Date(now.getTime() - delayMs(threshold + step, threshold)))}`);
  }
  const capped = ts(new Date(now.getTime() - maxDelaySeconds * 1000));
  if (cases.length === 0) return capped;
  return sql`CASE "login_throttles"."failures" - ${threshold} ${join(cases, " ")} ELSE ${capped} END`;
}

/** One attempt counted, in advance, against one key; `failures` is the streak including it. */
type Reservation = { key: string; failures: number; at: Date };

/**
 * Counts an attempt against `key` before its password is checked, in one atomic statement that does it
 * only when the key is not locked, and returns the new count (null: locked, nothing counted). Two
 * concurrent attempts, on one instance or two, can never both see the last free slot: the row is
 * locked by the statement (PostgreSQL) or the database is (SQLite) while the condition is evaluated.
 * A quiet period resets the streak and an expired hour the hourly count, in the same statement.
 */
async function reserve(key: string, now: Date, tx?: Prisma.TransactionClient): Promise<Reservation | null> {
  const t = getConfig().throttle;
  const { threshold, hourlyMax } = limitsFor(key);
  const quietCutoff = new Date(now.getTime() - (t.windowSeconds + t.maxDelaySeconds) * 1000);
  const hourCutoff = new Date(now.getTime() - HOUR_MS);
  const rows = await (tx ?? getDb()).$queryRaw<{ failures: number | bigint }[]>`
    INSERT INTO "login_throttles" ("key", "failures", "last_failure_at", "hour_failures", "hour_started_at", "updated_at")
    VALUES (${key}, 1, ${ts(now)}, 1, ${ts(now)}, ${ts(now)})
    ON CONFLICT ("key") DO UPDATE SET
      "failures" = CASE WHEN "login_throttles"."last_failure_at" IS NULL OR "login_throttles"."last_failure_at" < ${ts(quietCutoff)}
        THEN 1 ELSE "login_throttles"."failures" + 1 END,
      "last_failure_at" = ${ts(now)},
      "hour_failures" = CASE WHEN "login_throttles"."hour_started_at" <= ${ts(hourCutoff)}
        THEN 1 ELSE "login_throttles"."hour_failures" + 1 END,
      "hour_started_at" = CASE WHEN "login_throttles"."hour_started_at" <= ${ts(hourCutoff)}
        THEN ${ts(now)} ELSE "login_throttles"."hour_started_at" END,
      "updated_at" = ${ts(now)}
    WHERE ("login_throttles"."hour_started_at" <= ${ts(hourCutoff)} OR "login_throttles"."hour_failures" < ${hourlyMax})
      AND ("login_throttles"."failures" < ${threshold}
        OR "login_throttles"."last_failure_at" IS NULL
        OR "login_throttles"."last_failure_at" < ${ts(quietCutoff)}
        OR "login_throttles"."last_failure_at" <= ${unlockCutoffSql(threshold, now)})
    RETURNING "failures"`;
  return rows.length ? { key, failures: Number(rows[0]!.failures), at: now } : null;
}

/**
 * Takes back a reservation whose attempt turned out not to be a failure (a success for the IP, or an
 * attempt another key refused). When nobody has counted since, the row goes back to a state as locked
 * as before (it was not locked, or the attempt could not have been reserved); otherwise the counts are
 * just decremented.
 */
async function release({ key, failures, at }: Reservation): Promise<void> {
  const db = getDb();
  const { threshold } = limitsFor(key);
  const before = failures - 1;
  const lastFailureAt = before === 0 ? null : before >= threshold ? new Date(at.getTime() - delayMs(before, threshold)) : at;
  const untouched = await db.loginThrottle.updateMany({
    where: { key, failures, lastFailureAt: at },
    data: { failures: before, lastFailureAt, hourFailures: { decrement: 1 } },
  });
  if (untouched.count) return;
  await db.loginThrottle.updateMany({ where: { key, failures: { gt: 0 } }, data: { failures: { decrement: 1 } } });
  await db.loginThrottle.updateMany({
    where: { key, hourFailures: { gt: 0 }, hourStartedAt: { lte: at } },
    data: { hourFailures: { decrement: 1 } },
  });
}

/** An attempt counted against the account and the client's IP until its password check says otherwise. */
export type Attempt = { account: Reservation; ip: Reservation | null };

/**
 * Reserves an attempt on the account and on the client's IP, or throws 429 (with Retry-After) counting
 * nothing. The read first is only a shortcut for the common case of a locked key; the reservation decides.
 */
export async function reserveAttempt(identifier: string, ip: string | null): Promise<Attempt> {
  await checkLoginAllowed(identifier, ip);
  const now = new Date();
  const account = await reserve(accountKey(identifier), now);
  if (!account) return refuse(identifier, ip);
  const ipk = ipKey(ip);
  if (!ipk) return { account, ip: null };
  const ipReservation = await reserve(ipk, now);
  if (!ipReservation) {
    await release(account);
    return refuse(identifier, ip);
  }
  return { account, ip: ipReservation };
}

/** Takes back an attempt whose password was never checked (the check was shed for load): it counts for nothing. */
export async function withdrawAttempt(attempt: Attempt): Promise<void> {
  await release(attempt.account);
  if (attempt.ip) await release(attempt.ip);
}

/** 429 for a reservation refused after the read found no lock (a race lost): the wait comes from a fresh read. */
async function refuse(identifier: string, ip: string | null): Promise<never> {
  await checkLoginAllowed(identifier, ip);
  throw errors.loginThrottled(1);
}

/**
 * The password check's outcome. A failure stays counted. A success ends the account's streak and takes
 * the attempt back from the hourly count and from the IP (a success never counts as a failure).
 */
export async function settleAttempt(attempt: Attempt, ok: boolean): Promise<void> {
  if (!ok) return;
  const db = getDb();
  const { key, at } = attempt.account;
  const ended = await db.loginThrottle.updateMany({
    where: { key, hourFailures: { gt: 0 }, hourStartedAt: { lte: at } },
    data: { failures: 0, lastFailureAt: null, hourFailures: { decrement: 1 } },
  });
  if (!ended.count) await db.loginThrottle.updateMany({ where: { key }, data: { failures: 0, lastFailureAt: null } });
  if (attempt.ip) await release(attempt.ip);
}

/**
 * Counts one `action` of `subject` (a user id, an address) against its hourly limit (HOURLY_LIMITS), with
 * the same atomic reservation as sign-in. Returns 0 when it is allowed, otherwise the seconds to wait.
 * With `tx`, the count is part of the caller's transaction.
 */
export async function reserveHourly(action: HourlyAction, subject: string, tx?: Prisma.TransactionClient): Promise<number> {
  const key = `${action}:${subject}`;
  const now = new Date();
  if (await reserve(key, now, tx)) return 0;
  const row = await (tx ?? getDb()).loginThrottle.findUnique({ where: { key }, select: { hourStartedAt: true } });
  const waitMs = row ? row.hourStartedAt.getTime() + HOUR_MS - now.getTime() : 1000;
  return Math.max(1, Math.ceil(waitMs / 1000));
}

/**
 * Counts one attempt of the user to change their email, taken address or not, in the throttle table
 * (`email_change:<user id>`, the same atomic reservation as sign-in): a token holder cannot use the 409
 * for a taken address to probe which addresses have accounts. Throws 429 past `EMAIL_CHANGES_PER_HOUR`.
 */
export async function reserveEmailChange(userId: string): Promise<void> {
  const wait = await reserveHourly("email_change", userId);
  if (wait) throw errors.tooManyRequests("Too many email changes", wait);
}

/** A mailed link's token tried: reserved against its account (when the token names one) and the client's IP. */
export type LinkAttempt = { account: Reservation | null; ip: Reservation | null };

/**
 * Reserves the attempt to use a mailed link's token (password reset, email verification) under the
 * sign-in limits: those of the account the token names, when it names one, and of the client's IP; so
 * guessing tokens is throttled like guessing passwords. Throws 429 (Retry-After) when throttled.
 */
export async function reserveLinkAttempt(email: string | null, ip: string | null): Promise<LinkAttempt> {
  if (email) return reserveAttempt(email, ip);
  const key = ipKey(ip);
  if (!key) return { account: null, ip: null };
  await checkKeysAllowed([key]);
  const reservation = await reserve(key, new Date());
  if (!reservation) {
    await checkKeysAllowed([key]);
    throw errors.loginThrottled(1);
  }
  return { account: null, ip: reservation };
}

/** The link attempt's outcome: as `settleAttempt` (a used token ends the account's streak). */
export async function settleLinkAttempt(attempt: LinkAttempt, ok: boolean): Promise<void> {
  if (attempt.account) return settleAttempt({ account: attempt.account, ip: attempt.ip }, ok);
  if (ok && attempt.ip) await release(attempt.ip);
}

/**
 * The refresh grant's throttle. A refresh token names no account until it is found, so an exchange is
 * counted against the client's IP, with the password attempts' counters and limits: a token that works
 * takes its attempt back; an unknown, spent or expired one stays counted; a locked IP gets 429 before
 * any token is looked up, after `refused` (the caller's audit record of it).
 */
export async function throttledRefresh<T>(
  client: ClientInfo,
  exchange: () => Promise<T>,
  refused: () => Promise<void>,
): Promise<T> {
  const key = ipKey(client.ip);
  if (!key) return exchange();
  try {
    await checkKeysAllowed([key]);
  } catch (error) {
    await refused();
    throw error;
  }
  const reservation = await reserve(key, new Date());
  if (!reservation) {
    await refused();
    await checkKeysAllowed([key]);
    throw errors.loginThrottled(1);
  }
  let result: T;
  try {
    result = await exchange();
  } catch (error) {
    // A refused token stays counted; a failure of ours (database down) is no attempt of the client's, and
    // a genuine token whose account may not hold tokens (unverified, inactive) was no guess.
    if (!(error instanceof HttpError) || error instanceof TokenHolderRefused) await release(reservation).catch(() => {});
    throw error;
  }
  await release(reservation);
  return result;
}
