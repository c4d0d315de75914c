/**
 * The current-user chain, and the only place that turns a bearer token into a user:
 * Authorization header → verified claims → token record not revoked → user exists → active.
 * (FastAPI's OAuth2PasswordBearer → get_current_user → get_current_active_user, in one module.)
 */
import type { User } from "@prisma/client";
import { getDb } from "../db/client";
import { onShutdown } from "../runtime/shutdown";
import { errors } from "../http/errors";
import { accessTokenVerifiers } from "./key-set";
import { findTokenWithUser } from "./token-lookup";
import { verifyAccessTokenCached } from "./verified-tokens";

export type Authenticated = {
  user: User;
  tokenId: string;
  issuedAt: Date;
  expiresAt: Date;
  /** When the holder last proved a factor again on this token (lib/accounts/reauthentication.ts). */
  reauthenticatedAt: Date | null;
  /** The browser sign-in the token was minted for, if any. */
  sessionId: string | null;
  /** The refresh-token family (one password, code or passkey login of an API client) it was issued in, if any. */
  familyId: string | null;
};

/** The token from `Authorization: Bearer <token>`; never from the query string or a cookie. */
export function bearerToken(request: Request): string | null {
  const header = request.headers.get("authorization");
  if (!header) return null;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

export async function requireUser(request: Request): Promise<Authenticated> {
  const token = bearerToken(request);
  if (!token) throw errors.notAuthenticated();

  // The signature check is remembered per token (lib/auth/verified-tokens.ts); the row below is read
  // again whenever the database has changed (lib/auth/token-lookup.ts), so a revocation holds at once.
  const verified = await verifyAccessTokenCached(token, accessTokenVerifiers());
  if (!verified.ok) throw errors.invalidToken(verified.reason);
  const { sub, jti, kid } = verified.claims;

  // One indexed query: the token's row joined with its user (and its family's revocation).
  const record = await findTokenWithUser(jti);
  // The row names the key that signed the token: an HS256 token is accepted only for a row from before
  // asymmetric signing (kid null), so AUTH_SECRET can no longer mint tokens for new rows.
  if (!record || record.userId !== sub || record.kid !== kid) throw errors.invalidToken("invalid");
  // Deactivation revokes every token (and refresh family) of the user; saying "Inactive user" rather
  // than "revoked" for those lets an open page tell its user why they were signed out.
  if (record.revokedAt || record.familyRevokedAt) {
    throw record.user.isActive ? errors.invalidToken("revoked") : errors.inactiveUser();
  }

  noteTokenUsed(jti, record.lastUsedAt);
  return {
    user: record.user,
    tokenId: jti,
    issuedAt: record.createdAt,
    expiresAt: record.expiresAt,
    reauthenticatedAt: record.reauthenticatedAt,
    sessionId: record.sessionId,
    familyId: record.familyId,
  };
}

export async function requireActiveUser(request: Request): Promise<Authenticated> {
  const auth = await requireUser(request);
  if (!auth.user.isActive) throw errors.inactiveUser();
  return auth;
}

export async function requireSuperuser(request: Request): Promise<Authenticated> {
  const auth = await requireActiveUser(request);
  if (!auth.user.isSuperuser) throw errors.notSuperuser();
  return auth;
}

// ── Last used ────────────────────────────────────────────────────────────────────────────────────
// Requests never wait for this bookkeeping: a use is noted in memory, and pending notes are written
// together, at most once every LAST_USED_FLUSH_MS, one updateMany per distinct second. Losing pending
// notes in a crash only makes a "last used" time older; nothing else depends on this memory.

/** A token's last-used time is recorded at most this often; uses in between change nothing. */
const LAST_USED_RESOLUTION_MS = 60_000;
/** Pending last-used times are written at most this often. */
const LAST_USED_FLUSH_MS = 5_000;
/** Ids per UPDATE statement, well under SQLite's and PostgreSQL's parameter limits. */
const LAST_USED_CHUNK = 500;

type LastUsedWriter = {
  /** token id → when it was last used (ms, whole seconds) */
  pending: Map<string, number>;
  timer: ReturnType<typeof setTimeout> | null;
  lastFlushAt: number;
};

const WRITER = Symbol.for("signin-system.last-used-writer");
const writerHolder = globalThis as unknown as { [WRITER]?: LastUsedWriter };

function lastUsedWriter(): LastUsedWriter {
  if (!writerHolder[WRITER]) {
    writerHolder[WRITER] = { pending: new Map(), timer: null, lastFlushAt: 0 };
    // A clean stop (SIGTERM) writes what is pending before the database closes.
    onShutdown("flush last-used times", flushLastUsed);
  }
  return writerHolder[WRITER];
}

function noteTokenUsed(tokenId: string, storedLastUsedAt: Date | null) {
  const now = Date.now();
  if (storedLastUsedAt && now - storedLastUsedAt.getTime() <= LAST_USED_RESOLUTION_MS) return;
  const writer = lastUsedWriter();
  writer.pending.set(tokenId, Math.floor(now / 1000) * 1000);
  if (writer.timer) return;
  const wait = Math.max(0, writer.lastFlushAt + LAST_USED_FLUSH_MS - now);
  writer.timer = setTimeout(() => {
    writer.timer = null;
    void flushLastUsed();
  }, wait);
  writer.timer.unref?.(); // never keeps a process alive
}

/** Writes every pending last-used time now. Never throws: a failed write is only bookkeeping lost. */
export async function flushLastUsed(): Promise<void> {
  const writer = lastUsedWriter();
  writer.lastFlushAt = Date.now();
  if (writer.pending.size === 0) return;
  const byTime = new Map<number, string[]>();
  for (const [id, at] of writer.pending) {
    const ids = byTime.get(at);
    if (ids) ids.push(id);
    else byTime.set(at, [id]);
  }
  writer.pending.clear();
  for (const [at, ids] of byTime) {
    for (let i = 0; i < ids.length; i += LAST_USED_CHUNK) {
      await getDb()
        .accessToken.updateMany({
          where: { id: { in: ids.slice(i, i + LAST_USED_CHUNK) } },
          data: { lastUsedAt: new Date(at) },
        })
        .catch(() => {});
    }
  }
}
