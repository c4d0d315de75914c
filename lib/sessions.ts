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

export type IssuedToken = { access_token: string; token_type: "bearer"; expires_in: number };

type Tx = Prisma.TransactionClient;

export async function issueAccessToken(
  userId: string,
  client: ClientInfo,
  method: "password" | "session" = "password",
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
      method,
    },
  });
  return { access_token: accessToken, token_type: "bearer", expires_in: ttl };
}

/** Revokes every live token of a user (optionally all but one). Returns how many were revoked. */
export async function revokeAllTokens(
  userId: string,
  options: { except?: string; tx?: Tx } = {},
): Promise<{ revoked: number }> {
  const db = options.tx ?? getDb();
  const { count } = await db.accessToken.updateMany({
    where: {
      userId,
      revokedAt: null,
      expiresAt: { gt: new Date() },
      ...(options.except ? { id: { not: options.except } } : {}),
    },
    data: { revokedAt: new Date() },
  });
  return { revoked: count };
}

export async function revokeToken(userId: string, tokenId: string): Promise<void> {
  const { count } = await getDb().accessToken.updateMany({
    where: { id: tokenId, userId, revokedAt: null, expiresAt: { gt: new Date() } },
    data: { revokedAt: new Date() },
  });
  if (count === 0) throw errors.notFound("Session not found");
}

/** Signs out: this token, or with `everywhere` every token of the user. */
export async function logout(userId: string, tokenId: string, everywhere: boolean) {
  if (everywhere) return revokeAllTokens(userId);
  await revokeToken(userId, tokenId);
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

/** The user's live (not revoked, not expired) tokens, newest first. */
export async function listSessions(userId: string, currentTokenId: string) {
  const tokens = await getDb().accessToken.findMany({
    where: { userId, revokedAt: null, expiresAt: { gt: new Date() } },
    orderBy: { createdAt: "desc" },
  });
  return { data: tokens.map((t) => toSessionPublic(t, currentTokenId)), count: tokens.length };
}
