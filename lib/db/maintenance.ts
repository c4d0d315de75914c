/**
 * Pruning: rows that no longer decide anything are deleted, so the tables stop growing with every
 * sign-in. Run at start-up (scripts/start.ts) and hourly by every server process (instrumentation.ts).
 * Each delete is one indexed statement and idempotent, so instances pruning at the same time only
 * repeat each other's work.
 *
 * - access tokens that expired more than a day ago: the signature check refuses them before their row
 *   is read, so the row only served `/sessions` and revocation, which no longer apply;
 * - refresh-token families (with their refresh and access tokens) whose refresh token expired, unused or
 *   at the family's end, more than a day ago; a revoked family's tokens are refused, so it goes the same
 *   way once its last refresh token would have expired;
 * - browser sign-ins (Session rows) that expired more than a day ago, and spent verification tokens;
 * - mailed links (reset, invitation, verification) that expired: a used one is already gone;
 * - second-factor challenges (`mfa_token`s) that expired: a used one is already gone;
 * - throttle counters whose streak and hourly window have both run out: they would count from zero;
 * - audit events older than AUDIT_RETENTION_DAYS (90 by default).
 */
import { getConfig } from "../config";
import { getDb } from "./client";

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;
const PRUNE_EVERY_MS = HOUR_MS;

export type PruneResult = {
  accessTokens: number;
  refreshFamilies: number;
  sessions: number;
  verificationTokens: number;
  emailTokens: number;
  mfaChallenges: number;
  webauthnChallenges: number;
  loginThrottles: number;
  authEvents: number;
};

export async function pruneStaleRecords(now = new Date()): Promise<PruneResult> {
  const { throttle, auditRetentionDays } = getConfig();
  const db = getDb();
  const at = (msAgo: number) => new Date(now.getTime() - msAgo);
  // A throttle row is spent once its streak's quiet period and its hourly window are both over.
  const throttleSpent = at(Math.max((throttle.windowSeconds + throttle.maxDelaySeconds) * 1000, HOUR_MS));
  // Expired access tokens first, then the families (whose deletion takes their tokens along), so each
  // row is counted once, under its own kind.
  const accessTokens = await db.accessToken.deleteMany({ where: { expiresAt: { lt: at(DAY_MS) } } });
  // The idle end never passes the family's end (lib/accounts/refresh-tokens.ts), so it is the one to test.
  const refreshFamilies = await db.refreshFamily.deleteMany({ where: { idleExpiresAt: { lt: at(DAY_MS) } } });
  const [sessions, verificationTokens, emailTokens, mfaChallenges, webauthnChallenges, loginThrottles, authEvents] = await Promise.all([
    db.session.deleteMany({ where: { expires: { lt: at(DAY_MS) } } }),
    db.verificationToken.deleteMany({ where: { expires: { lt: now } } }),
    db.emailToken.deleteMany({ where: { expiresAt: { lt: now } } }),
    db.mfaChallenge.deleteMany({ where: { expiresAt: { lt: now } } }),
    db.webauthnChallenge.deleteMany({ where: { expiresAt: { lt: now } } }),
    db.loginThrottle.deleteMany({ where: { updatedAt: { lt: throttleSpent } } }),
    db.authEvent.deleteMany({ where: { createdAt: { lt: at(auditRetentionDays * DAY_MS) } } }),
  ]);
  return {
    accessTokens: accessTokens.count,
    refreshFamilies: refreshFamilies.count,
    sessions: sessions.count,
    verificationTokens: verificationTokens.count,
    emailTokens: emailTokens.count,
    mfaChallenges: mfaChallenges.count,
    webauthnChallenges: webauthnChallenges.count,
    loginThrottles: loginThrottles.count,
    authEvents: authEvents.count,
  };
}

/** "3 expired access tokens, 1 audit event", or null when nothing was pruned. */
export function describePrune(result: PruneResult): string | null {
  const labels: [keyof PruneResult, string][] = [
    ["accessTokens", "expired access tokens"],
    ["refreshFamilies", "expired refresh-token families"],
    ["sessions", "expired browser sign-ins"],
    ["verificationTokens", "expired verification tokens"],
    ["emailTokens", "expired mailed links"],
    ["mfaChallenges", "expired second-factor challenges"],
    ["webauthnChallenges", "expired passkey challenges"],
    ["loginThrottles", "spent throttle counters"],
    ["authEvents", "audit events past retention"],
  ];
  const parts = labels.filter(([k]) => result[k] > 0).map(([k, label]) => `${result[k]} ${label}`);
  return parts.length ? parts.join(", ") : null;
}

const TIMER = Symbol.for("signin-system.prune-timer");
const holder = globalThis as unknown as { [TIMER]?: ReturnType<typeof setInterval> };

/** Prunes every hour in this process; a failed run (database away) is logged and retried next hour. */
export function schedulePruning(): void {
  if (holder[TIMER]) return;
  holder[TIMER] = setInterval(() => {
    pruneStaleRecords()
      .then((result) => {
        const summary = describePrune(result);
        if (summary) console.log(`Pruned ${summary}.`);
      })
      .catch((error) => console.error(`Pruning failed: ${error instanceof Error ? error.message : error}`));
  }, PRUNE_EVERY_MS);
  holder[TIMER].unref(); // never keeps a process alive
}
