/**
 * Issued access tokens ("sessions"): issuing, listing and revoking. The database row is the truth:
 * a token whose row is revoked or gone is refused, whatever its signature says.
 */
import crypto from "node:crypto";
import type { Prisma, AccessToken } from "@prisma/client";
import { getConfig } from "./config";
import { getDb } from "./db";
import { errors } from "./http/errors";
import type { ClientInfo } from "./http/client";
import { getKeyring } from "./auth/secret";
import { createAccessToken } from "./auth/tokens";
import type { SessionPublicT } from "./api/schemas";
import { recordAuthEvent } from "./audit";

export type IssuedToken = { access_token: string; token_type: "bearer"; expires_in: number };

type Tx = Prisma.TransactionClient;

export async function issueAccessToken(
  userId: string,
  client: ClientInfo,
  origin: { method: "password" } | { method: "session"; sessionId: string } = { method: "password" },
): Promise<IssuedToken> {
  const ttl = getConfig().accessTokenTtlSeconds;
  // Whole seconds, because JWT times are whole seconds and the row must agree with the claims.
  const issuedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
  const expiresAt = new Date(issuedAt.getTime() + ttl * 1000);
  const jti = crypto.randomUUID();
  const accessToken = await createAccessToken({ userId, jti, issuedAt, expiresAt }, getKeyring());
  await getDb().accessToken.create({
    data: {
      id: jti,
      userId,
      createdAt: issuedAt,
      expiresAt,
      userAgent: client.userAgent,
      ip: client.ip,
      method: origin.method,
      sessionId: origin.method === "session" ? origin.sessionId : null,
    },
  });
  await recordAuthEvent({ type: "token_issued", userId, method: origin.method, client });
  return { access_token: accessToken, token_type: "bearer", expires_in: ttl };
}

const live = () => ({ revokedAt: null, expiresAt: { gt: new Date() } });

/**
 * Revokes every live token of a user and ends their browser sign-ins, optionally sparing the token
 * making the request (and the browser sign-in it belongs to). Returns how many tokens were revoked.
 */
export async function revokeAllTokens(
  userId: string,
  options: { except?: string; tx?: Tx } = {},
): Promise<{ revoked: number }> {
  const db = options.tx ?? getDb();
  const spared = options.except
    ? await db.accessToken.findUnique({ where: { id: options.except }, select: { sessionId: true } })
    : null;
  const { count } = await db.accessToken.updateMany({
    where: { userId, ...live(), ...(options.except ? { id: { not: options.except } } : {}) },
    data: { revokedAt: new Date() },
  });
  await db.session.deleteMany({
    where: { userId, ...(spared?.sessionId ? { sessionToken: { not: spared.sessionId } } : {}) },
  });
  return { revoked: count };
}

/**
 * Revokes one of the user's live tokens. A token minted for a browser sign-in ends that sign-in too,
 * so the browser cannot silently mint a replacement.
 */
export async function revokeToken(userId: string, tokenId: string, client: ClientInfo | null = null): Promise<void> {
  const token = await getDb().accessToken.findFirst({ where: { id: tokenId, userId, ...live() } });
  if (!token) throw errors.notFound("Session not found");
  if (token.sessionId) {
    await endBrowserSession(token.sessionId);
  } else {
    await getDb().accessToken.update({ where: { id: tokenId }, data: { revokedAt: new Date() } });
  }
  await recordAuthEvent({ type: "token_revoked", userId, method: token.method, client });
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
 * and its user is active. Auth.js's cookie decoding and the token minting below both ask this.
 */
export async function browserSessionState(
  sessionId: string,
  userId: unknown,
): Promise<"live" | "revoked" | "expired" | "inactive"> {
  const row = await getDb().session.findUnique({
    where: { sessionToken: sessionId },
    select: { userId: true, expires: true, user: { select: { isActive: true } } },
  });
  if (!row || row.userId !== userId) return "revoked";
  if (row.expires.getTime() <= Date.now()) return "expired";
  if (!row.user.isActive) return "inactive";
  return "live";
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
  if (state === "inactive") throw errors.inactiveUser();
  // EMAIL_VERIFICATION=required: a browser signed in before the address became unverified, or through a
  // provider that does not vouch for it, gets no token.
  if (getConfig().mail.verification === "required") {
    const user = await getDb().user.findUnique({ where: { id: session.userId }, select: { emailVerified: true } });
    if (user && user.emailVerified === null) throw errors.forbidden("Email not verified");
  }
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

function toSessionPublic(token: AccessToken, currentTokenId: string): SessionPublicT {
  return {
    id: token.id,
    device: deviceLabel(token.userAgent),
    user_agent: token.userAgent,
    method: token.method,
    created_at: token.createdAt.toISOString(),
    expires_at: token.expiresAt.toISOString(),
    last_used_at: token.lastUsedAt?.toISOString() ?? null,
    current: token.id === currentTokenId,
  };
}

/**
 * The user's live (not revoked, not expired) tokens, newest first. A browser sign-in mints a new token
 * whenever the old one expires, so it is listed once, by its newest token.
 */
export async function listSessions(userId: string, currentTokenId: string) {
  const tokens = await getDb().accessToken.findMany({
    where: { userId, ...live() },
    orderBy: { createdAt: "desc" },
  });
  const seenBrowserSessions = new Set<string>();
  const listed = tokens.filter((t) => {
    if (!t.sessionId) return true;
    if (seenBrowserSessions.has(t.sessionId)) return t.id === currentTokenId;
    seenBrowserSessions.add(t.sessionId);
    return true;
  });
  return { data: listed.map((t) => toSessionPublic(t, currentTokenId)), count: listed.length };
}
