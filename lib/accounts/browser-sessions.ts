/**
 * Browser sign-ins: the Auth.js session cookie names a Session row (`sid`), and the pages obtain
 * short-lived access tokens for it (POST /api/v1/login/session-token). Ending the row ends the sign-in
 * and every token minted for it.
 */
import crypto from "node:crypto";
import { getDb } from "../db/client";
import { errors } from "../http/errors";
import type { ClientInfo } from "../http/client";
import { tokenRefusal, TokenHolderRefused, type TokenRefusal } from "../auth/token-holders";
import { issueAccessToken, type IssuedToken } from "./access-tokens";

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
