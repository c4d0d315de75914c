/**
 * Issued access tokens ("sessions"): issuing, listing and revoking. The database row is the truth:
 * a token whose row is revoked or gone is refused, whatever its signature says.
 */
import crypto from "node:crypto";
import type { Prisma } from "@prisma/client";
import { getConfig } from "../config";
import { getDb } from "../db/client";
import { errors } from "../http/errors";
import type { ClientInfo } from "../http/client";
import { currentSigningKey } from "../auth/key-set";
import { createAccessToken } from "../auth/tokens";
import { tokenRefusal, TokenHolderRefused, type TokenRefusal } from "../auth/token-holders";
import type { SessionPublicT } from "../schemas";
import { recordAuthEvent } from "./audit";

export type IssuedToken = {
  access_token: string;
  token_type: "bearer";
  expires_in: number;
  /** With a password login and the refresh grant (an API client's family); never for a browser. */
  refresh_token?: string;
  refresh_expires_in?: number;
};

type Tx = Prisma.TransactionClient;

/** The `client_id` claim of tokens minted for a browser sign-in (the app's own pages). */
export const BROWSER_CLIENT_ID = "signin-system-web";
/** The `client_id` claim when an API client names none (clients are public and unauthenticated here). */
export const DEFAULT_API_CLIENT_ID = "signin-system-api-client";

export type TokenOrigin =
  | { method: "password"; familyId: string; clientId: string }
  | { method: "refresh"; familyId: string; clientId: string }
  | { method: "session"; sessionId: string };

/**
 * Signs an access token and stores its row (in `tx` when given, so a family and its first tokens are
 * written together). The audit event is the caller's: it belongs after the transaction.
 */
export async function createAccessTokenRecord(
  userId: string,
  client: ClientInfo,
  origin: TokenOrigin,
  tx?: Tx,
): Promise<{ access_token: string; expires_in: number }> {
  const ttl = getConfig().accessTokenTtlSeconds;
  // Whole seconds, because JWT times are whole seconds and the row must agree with the claims.
  const issuedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
  const expiresAt = new Date(issuedAt.getTime() + ttl * 1000);
  const jti = crypto.randomUUID();
  const key = await currentSigningKey();
  const clientId = origin.method === "session" ? BROWSER_CLIENT_ID : origin.clientId;
  const accessToken = await createAccessToken(
    { userId, jti, issuedAt, expiresAt, issuer: getConfig().issuer, clientId },
    key,
  );
  await (tx ?? getDb()).accessToken.create({
    data: {
      id: jti,
      userId,
      createdAt: issuedAt,
      expiresAt,
      userAgent: client.userAgent,
      ip: client.ip,
      method: origin.method,
      sessionId: origin.method === "session" ? origin.sessionId : null,
      familyId: origin.method === "session" ? null : origin.familyId,
      kid: key.kid,
    },
  });
  return { access_token: accessToken, expires_in: ttl };
}

/**
 * An access token for a browser sign-in (the Auth.js session `sessionId`). Not an event of the audit
 * trail: a browser sign-in is one event, recorded by the sign-in itself (`login_success`, method
 * "credentials" or "oidc": lib/accounts/authjs.ts), not one per token its pages obtain (every page load
 * after expiry mints one; they are listed as sessions).
 */
export async function issueAccessToken(
  userId: string,
  client: ClientInfo,
  origin: { method: "session"; sessionId: string },
): Promise<IssuedToken> {
  const token = await createAccessTokenRecord(userId, client, origin);
  return { access_token: token.access_token, token_type: "bearer", expires_in: token.expires_in };
}

const live = () => ({ revokedAt: null, expiresAt: { gt: new Date() } });
/** A refresh-token family whose refresh token can still be exchanged. */
const liveFamily = () => ({ revokedAt: null, expiresAt: { gt: new Date() }, idleExpiresAt: { gt: new Date() } });

/**
 * Ends everything a user is signed in with: every live access token, every refresh-token family (API
 * clients) and every browser sign-in, optionally sparing the token making the request (with its family
 * or browser sign-in). Every path that must sign a user out everywhere comes here: sign-out everywhere,
 * password change and reset, deactivation, a linked account's removal. Returns how many access tokens
 * were revoked.
 */
export async function revokeAllTokens(
  userId: string,
  options: { except?: string; tx?: Tx } = {},
): Promise<{ revoked: number }> {
  const db = options.tx ?? getDb();
  const spared = options.except
    ? await db.accessToken.findUnique({ where: { id: options.except }, select: { sessionId: true, familyId: true } })
    : null;
  const now = new Date();
  const { count } = await db.accessToken.updateMany({
    where: {
      userId,
      ...live(),
      ...(options.except ? { id: { not: options.except } } : {}),
      // The spared family keeps its other access tokens too: it is one sign-in.
      ...(spared?.familyId ? { OR: [{ familyId: null }, { familyId: { not: spared.familyId } }] } : {}),
    },
    data: { revokedAt: now },
  });
  await db.refreshFamily.updateMany({
    where: { userId, revokedAt: null, ...(spared?.familyId ? { id: { not: spared.familyId } } : {}) },
    data: { revokedAt: now },
  });
  await db.session.deleteMany({
    where: { userId, ...(spared?.sessionId ? { sessionToken: { not: spared.sessionId } } : {}) },
  });
  return { revoked: count };
}

/**
 * Revokes a refresh-token family: its refresh tokens can no longer be exchanged and its access tokens
 * are refused (the bearer check reads the family with the token's row, so one written revocation
 * covers a token a concurrent refresh is minting). Returns whether a live family was revoked.
 */
export async function revokeFamily(familyId: string, tx?: Tx): Promise<boolean> {
  const db = tx ?? getDb();
  const now = new Date();
  const { count } = await db.refreshFamily.updateMany({ where: { id: familyId, revokedAt: null }, data: { revokedAt: now } });
  await db.accessToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: now } });
  return count > 0;
}

/**
 * Revokes one of the user's sessions, named by a live access token's id or by a refresh-token family's
 * id (a family listed while none of its access tokens is live). A token of an API client's family ends
 * the family; one minted for a browser sign-in ends that sign-in, so the browser cannot silently mint
 * a replacement.
 */
export async function revokeToken(userId: string, tokenId: string, client: ClientInfo | null = null): Promise<void> {
  const db = getDb();
  const token = await db.accessToken.findFirst({ where: { id: tokenId, userId, ...live() } });
  if (token) {
    if (token.familyId) await revokeFamily(token.familyId);
    else if (token.sessionId) await endBrowserSession(token.sessionId);
    else await db.accessToken.update({ where: { id: tokenId }, data: { revokedAt: new Date() } });
    await recordAuthEvent({ type: "token_revoked", userId, method: token.method, client });
    return;
  }
  const family = await db.refreshFamily.findFirst({ where: { id: tokenId, userId, ...liveFamily() }, select: { id: true } });
  if (!family || !(await revokeFamily(family.id))) throw errors.notFound("Session not found");
  await recordAuthEvent({ type: "token_revoked", userId, method: "refresh", client });
}

/** Browser sign-ins last this long from the moment of signing in. */
export const BROWSER_SESSION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

/** Records a browser sign-in; its key goes into the Auth.js session cookie as `sid`. */
export async function startBrowserSession(userId: string): Promise<string> {
  const sessionToken = crypto.randomUUID();
  await getDb().session.create({
    data: { sessionToken, userId, expires: new Date(Date.now() + BROWSER_SESSION_MAX_AGE_SECONDS * 1000) },
  });
  return sessionToken;
}

/** Ends a browser sign-in: its row goes and every token minted for it is revoked. */
export async function endBrowserSession(sessionId: string): Promise<void> {
  const db = getDb();
  await db.$transaction([
    db.accessToken.updateMany({ where: { sessionId, revokedAt: null }, data: { revokedAt: new Date() } }),
    db.session.deleteMany({ where: { sessionToken: sessionId } }),
  ]);
}

/**
 * Whether a browser sign-in still counts: its Session row exists, belongs to `userId`, has not expired,
 * and its user may hold tokens (lib/auth/token-holders.ts: active, and verified when
 * EMAIL_VERIFICATION=required). Auth.js's cookie decoding and the token minting below both ask this.
 */
export async function browserSessionState(
  sessionId: string,
  userId: unknown,
): Promise<"live" | "revoked" | "expired" | TokenRefusal> {
  const row = await getDb().session.findUnique({
    where: { sessionToken: sessionId },
    select: { userId: true, expires: true, user: { select: { isActive: true, emailVerified: true } } },
  });
  if (!row || row.userId !== userId) return "revoked";
  if (row.expires.getTime() <= Date.now()) return "expired";
  return tokenRefusal(row.user) ?? "live";
}

/**
 * Mints an access token for a signed-in browser (the Auth.js session cookie's `sid` and user id).
 * Refused (401) when there is no sign-in, when it was ended (signed out, revoked) or has expired.
 */
export async function mintBrowserSessionToken(
  session: { sid?: unknown; userId?: unknown } | null,
  client: ClientInfo,
): Promise<IssuedToken> {
  if (!session || typeof session.sid !== "string" || typeof session.userId !== "string") {
    throw errors.notAuthenticated();
  }
  const state = await browserSessionState(session.sid, session.userId);
  if (state === "revoked" || state === "expired") throw errors.invalidToken(state);
  // Deactivated: 403 as the bearer check says it, which the pages show. Unverified (a browser signed in
  // before the address became unverified, or through a provider that does not vouch for it): 403 as
  // password sign-in says it.
  if (state === "inactive") throw errors.inactiveUser();
  if (state === "unverified") throw new TokenHolderRefused(state);
  return issueAccessToken(session.userId, client, { method: "session", sessionId: session.sid });
}

/** Signs out: this token, or with `everywhere` every token of the user. */
export async function logout(userId: string, tokenId: string, everywhere: boolean, client: ClientInfo | null = null) {
  if (everywhere) {
    const result = await revokeAllTokens(userId);
    await recordAuthEvent({ type: "signed_out_everywhere", userId, client });
    return result;
  }
  await revokeToken(userId, tokenId, client);
  return { revoked: 1 };
}

/** A short human label for a user agent: "Firefox on Windows", "curl". */
export function deviceLabel(userAgent: string | null): string {
  if (!userAgent) return "Unknown device";
  const ua = userAgent;
  const tool = /^(curl|Wget|HTTPie|PostmanRuntime|python-requests|node|undici|axios|insomnia)\b/i.exec(ua);
  if (tool) return tool[1]!;
  const browser =
    (/Edg\//.test(ua) && "Edge") ||
    (/OPR\//.test(ua) && "Opera") ||
    (/Firefox\//.test(ua) && "Firefox") ||
    (/(Chrome|Chromium|HeadlessChrome)\//.test(ua) && "Chrome") ||
    (/Safari\//.test(ua) && "Safari") ||
    null;
  const os =
    (/Android/.test(ua) && "Android") ||
    (/(iPhone|iPad|iOS)/.test(ua) && "iOS") ||
    (/Windows/.test(ua) && "Windows") ||
    (/Mac OS X|Macintosh/.test(ua) && "macOS") ||
    (/Linux/.test(ua) && "Linux") ||
    null;
  if (browser && os) return `${browser} on ${os}`;
  return browser ?? os ?? ua.split(/[\s/]/)[0]!.slice(0, 40);
}

type SessionRow = {
  id: string;
  userAgent: string | null;
  method: string;
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
};

function toSessionPublic(row: SessionRow, current: boolean): SessionPublicT {
  return {
    id: row.id,
    device: deviceLabel(row.userAgent),
    user_agent: row.userAgent,
    method: row.method,
    created_at: row.createdAt.toISOString(),
    expires_at: row.expiresAt.toISOString(),
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    current,
  };
}

const later = (a: Date | null, b: Date | null) => (a && b ? (a > b ? a : b) : (a ?? b));

/**
 * The user's live sessions, newest first: each API client's password login (a refresh-token family) and
 * each browser sign-in once, by its newest live access token (the calling one, when it is one of them) or,
 * for a family none of whose access tokens is live, by the family's id; and tokens of neither kind each.
 * A family is listed with its login time, when its refresh token expires, and its last use.
 */
export async function listSessions(userId: string, currentTokenId: string) {
  const db = getDb();
  const [tokens, families] = await Promise.all([
    db.accessToken.findMany({ where: { userId, ...live() }, orderBy: { createdAt: "desc" } }),
    db.refreshFamily.findMany({ where: { userId, ...liveFamily() }, orderBy: { createdAt: "desc" } }),
  ]);
  const familyById = new Map(families.map((f) => [f.id, f]));
  const currentFamily = tokens.find((t) => t.id === currentTokenId)?.familyId ?? null;
  const currentSession = tokens.find((t) => t.id === currentTokenId)?.sessionId ?? null;
  const entries: { row: SessionRow; current: boolean }[] = [];
  const listedGroups = new Set<string>();
  for (const t of tokens) {
    const group = t.familyId ?? t.sessionId;
    if (group) {
      const isCurrentGroup = group === currentFamily || group === currentSession;
      // The group's entry is its newest token, or the calling one.
      if (listedGroups.has(group) || (isCurrentGroup && t.id !== currentTokenId)) continue;
      listedGroups.add(group);
    }
    if (t.familyId) {
      const family = familyById.get(t.familyId);
      if (!family) continue; // revoked or expired: its tokens are refused
      entries.push({
        row: {
          id: t.id,
          userAgent: family.userAgent,
          method: "password",
          createdAt: family.createdAt,
          expiresAt: family.idleExpiresAt < family.expiresAt ? family.idleExpiresAt : family.expiresAt,
          lastUsedAt: later(family.lastUsedAt, t.lastUsedAt),
        },
        current: t.id === currentTokenId,
      });
    } else entries.push({ row: t, current: t.id === currentTokenId });
  }
  for (const f of families) {
    if (listedGroups.has(f.id)) continue;
    entries.push({
      row: {
        id: f.id,
        userAgent: f.userAgent,
        method: "password",
        createdAt: f.createdAt,
        expiresAt: f.idleExpiresAt < f.expiresAt ? f.idleExpiresAt : f.expiresAt,
        lastUsedAt: f.lastUsedAt,
      },
      current: false,
    });
  }
  entries.sort((a, b) => b.row.createdAt.getTime() - a.row.createdAt.getTime());
  return { data: entries.map((e) => toSessionPublic(e.row, e.current)), count: entries.length };
}
