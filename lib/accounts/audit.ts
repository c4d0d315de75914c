/**
 * The audit trail of authentication events: who (user id when known, the email given at sign-in when it
 * is an email address, never other text typed into that field), what,
 * when, from where (IP, user agent). Never a password, a hash or a token. Writing an event never fails
 * the request that caused it: a lost audit row is logged, not thrown.
 */
import type { AuthEvent } from "@prisma/client";
import { getConfig } from "../config";
import { getDb } from "../db/client";
import type { ClientInfo } from "../http/client";
import { deviceLabel } from "../http/user-agent";
import { isEmailAddress, type AuthEventPublicT } from "../schemas";


export const AUTH_EVENT_TYPES = [
  "login_success",
  "login_failure",
  "login_throttled",
  "token_issued",
  /** A refresh token exchanged (rotated) for new tokens. */
  "token_refreshed",
  /** A spent refresh token presented again: its whole family was revoked. */
  "refresh_token_reused",
  "token_revoked",
  "password_changed",
  "signed_out_everywhere",
  "account_linked",
  "account_unlinked",
  // A password asked again of a signed-in user (password change): wrong, throttled.
  "password_check_failure",
  "password_check_throttled",
  /** A password change refused before any check (the new password is the current one). */
  "password_change_refused",
  // PATCH /users/me with a new email: done (the new address), refused as taken (the address tried),
  // refused by the hourly limit.
  "email_changed",
  "email_change_refused",
  "email_change_throttled",
  // Security round 4: a fresh proof of the password for a sensitive change ("sudo mode"); an email change
  // asked (mailed to the new address for confirmation), undone from the old address's link, or made by a
  // superuser for another user (`method`: "admin", `email`: the new address).
  "reauthenticated",
  "email_change_requested",
  "email_change_cancelled",
  "email_changed_by_admin",
  // Mail (issue 14): a recovery link mailed to a known account, a password set through a mailed link
  // (`method`: "reset" or "invite"), an address confirmed, a message that could not be delivered
  // (`method`: which mail, `email`: the recipient).
  "password_recovery_requested",
  "password_reset",
  "email_verified",
  "email_send_failed",
  // Second factors (issue 28): TOTP turned on (confirmed with a code), turned off by the user, reset by a
  // superuser (`method`: "admin"), a wrong code or recovery code, a recovery code used, a new set made.
  "mfa_enrolled",
  "mfa_disabled",
  "mfa_reset",
  "mfa_challenge_failed",
  "recovery_code_used",
  "recovery_codes_regenerated",
  // Passkeys (issue 28): one registered, one removed (a passkey sign-in is `login_success`, `method`: "passkey").
  "passkey_registered",
  "passkey_removed",
] as const;
export type AuthEventType = (typeof AUTH_EVENT_TYPES)[number];

/**
 * Refusals that cost the requester nothing (no password checked): repeated ones with the same type,
 * account and address within the throttle window add to one row's `count` instead of a row each, so
 * they cannot flood the table.
 */
const AGGREGATED: ReadonlySet<AuthEventType> = new Set([
  "login_throttled",
  "password_check_throttled",
  "email_change_throttled",
]);

/**
 * What anyone can cause with no credentials or a wrong one: failed and refused attempts. The activity
 * view lists the newest of these apart from everything else (sign-ins, security changes), so many of
 * them never push a sign-in out of it.
 */
const ATTEMPTS: ReadonlySet<string> = new Set([
  "login_failure",
  "login_throttled",
  "password_check_failure",
  "password_check_throttled",
  "password_change_refused",
  "email_change_refused",
  "email_change_throttled",
  "mfa_challenge_failed",
]);

/** Stored user agents are cut to this many characters: enough to tell browsers and devices apart. */
const USER_AGENT_MAX = 256;

type EventRow = {
  type: AuthEventType;
  userId: string | null;
  email: string | null;
  emailOmitted: boolean;
  method: string | null;
  ip: string | null;
  userAgent: string | null;
};

/** Adds one refusal to the open row of its type, account and address in the throttle window, or opens one. */
async function addToWindowRow(data: EventRow): Promise<void> {
  const db = getDb();
  const now = new Date();
  const since = new Date(now.getTime() - getConfig().throttle.windowSeconds * 1000);
  const open = await db.authEvent.findFirst({
    where: { ip: data.ip, createdAt: { gte: since }, type: data.type, userId: data.userId },
    orderBy: { createdAt: "desc" },
    select: { id: true },
  });
  // updateMany: a row pruned in between is no error, just a new row.
  const added = open
    ? await db.authEvent.updateMany({ where: { id: open.id }, data: { count: { increment: 1 }, lastAt: now } })
    : { count: 0 };
  if (!added.count) await db.authEvent.create({ data: { ...data, createdAt: now, lastAt: now } });
}

/**
 * Runs `task` after every earlier task with the same key in this process has finished. Concurrent
 * refusals (a burst of throttled attempts) would otherwise all find no open row and each open one; so
 * one process opens at most one row per window, and several processes or instances one each.
 */
const queues = new Map<string, Promise<void>>();
function oneAtATime(key: string, task: () => Promise<void>): Promise<void> {
  const run = (queues.get(key) ?? Promise.resolve()).then(task);
  const tail = run.catch(() => {});
  queues.set(key, tail);
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return run;
}

export async function recordAuthEvent(event: {
  type: AuthEventType;
  userId?: string | null;
  email?: string | null;
  method?: string | null;
  client?: ClientInfo | null;
}): Promise<void> {
  const given = event.email?.trim() || null;
  const email = given && isEmailAddress(given) ? given.toLowerCase() : null;
  const data: EventRow = {
    type: event.type,
    userId: event.userId ?? null,
    email,
    emailOmitted: given !== null && email === null,
    method: event.method ?? null,
    ip: event.client?.ip ?? null,
    userAgent: event.client?.userAgent?.slice(0, USER_AGENT_MAX) ?? null,
  };
  try {
    if (AGGREGATED.has(event.type)) {
      await oneAtATime(`${data.type}\n${data.userId}\n${data.ip}`, () => addToWindowRow(data));
      return;
    }
    await getDb().authEvent.create({ data });
  } catch (error) {
    console.error("Could not record an auth event:", event.type, error instanceof Error ? error.message : error);
  }
}

function toAuthEventPublic(e: AuthEvent): AuthEventPublicT {
  return {
    id: e.id,
    type: e.type,
    method: e.method,
    ip: e.ip,
    user_agent: e.userAgent,
    device: deviceLabel(e.userAgent),
    created_at: e.createdAt.toISOString(),
    count: e.count,
    last_at: (e.lastAt ?? e.createdAt).toISOString(),
  };
}

/**
 * A page of the user's events, newest first: the `limit` newest sign-ins and security changes after
 * `skip`, and apart from them the `limit` newest failed or refused attempts after `skip`, so a flood of
 * attempts cannot hide a sign-in. `has_more`: either kind has older events.
 */
export async function listAuthEvents(userId: string, { skip = 0, limit = 50 }: { skip?: number; limit?: number } = {}) {
  const db = getDb();
  const attempts = [...ATTEMPTS];
  // One more than asked of each kind tells whether older ones follow.
  const page = (where: object) => db.authEvent.findMany({ where: { userId, ...where }, orderBy: { createdAt: "desc" }, skip, take: limit + 1 });
  const [activity, failures] = await Promise.all([page({ type: { notIn: attempts } }), page({ type: { in: attempts } })]);
  const hasMore = activity.length > limit || failures.length > limit;
  const events = [...activity.slice(0, limit), ...failures.slice(0, limit)].sort(
    (a, b) => b.createdAt.getTime() - a.createdAt.getTime(),
  );
  return { data: events.map(toAuthEventPublic), count: events.length, has_more: hasMore };
}
