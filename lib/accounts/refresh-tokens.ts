/**
 * Refresh tokens for API clients (RFC 6749 §6, rotated as RFC 9700 §4.14 asks). A password login starts
 * a family: one refresh token, exchanged at the token endpoint for a new access token and a new refresh
 * token; the one presented is spent. Tokens are 256 random bits, stored only as their SHA-256.
 *
 * - Reuse: presenting a spent token revokes its whole family (refresh and access tokens) and is audited:
 *   either the client or someone who copied its token is replaying it, and we cannot tell which.
 * - Races: a token is spent by one conditional update (`spent_at IS NULL`), so of concurrent exchanges of
 *   one token, on one instance or several, exactly one wins and the family never forks. The losers
 *   presented a spent token, which is reuse like any other: the family is revoked, the winner's new
 *   tokens with it. The server cannot tell a client racing itself from a thief racing the client, so it
 *   takes the safe reading; a client keeps one refresh in flight per family (docs/api.md).
 * - Lifetime: a family lives REFRESH_TOKEN_EXPIRE_DAYS from its login whatever the rotations; its refresh
 *   token also expires after REFRESH_TOKEN_IDLE_DAYS unused (each rotation moves that limit on, never
 *   past the family's end).
 */
import crypto from "node:crypto";
import { getConfig } from "../config";
import { getDb } from "../db/client";
import { errors } from "../http/errors";
import type { ClientInfo } from "../http/client";
import { recordAuthEvent } from "./audit";
import { requireTokenHolder } from "../auth/token-holders";
import { DEFAULT_API_CLIENT_ID, signAccessToken, type IssuedToken } from "./access-tokens";
import { revokeFamily } from "./sessions";

const hashToken = (token: string) => crypto.createHash("sha256").update(token).digest("base64url");
const newRefreshToken = () => crypto.randomBytes(32).toString("base64url");

/** A refresh token's shape: 32 bytes in base64url. Anything else is not worth a query. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export const invalidRefreshToken = (description = "The refresh token is invalid, expired or revoked") =>
  errors.oauth(400, "invalid_grant", description);

/** The password grant's answer: a new family, its first refresh token and an access token in it. */
export async function startFamily(userId: string, client: ClientInfo, clientId: string | undefined): Promise<IssuedToken> {
  const { refreshTokenTtlSeconds, refreshTokenIdleSeconds } = getConfig();
  const now = new Date();
  const familyId = crypto.randomUUID();
  const expiresAt = new Date(now.getTime() + refreshTokenTtlSeconds * 1000);
  const idleExpiresAt = new Date(now.getTime() + refreshTokenIdleSeconds * 1000);
  const refreshToken = newRefreshToken();
  const origin = { method: "password" as const, familyId, clientId: clientId || DEFAULT_API_CLIENT_ID };
  const access = await signAccessToken(userId, client, origin);
  await getDb().$transaction(async (tx) => {
    await tx.refreshFamily.create({
      data: {
        id: familyId,
        userId,
        createdAt: now,
        expiresAt,
        idleExpiresAt,
        clientId: origin.clientId,
        userAgent: client.userAgent,
        ip: client.ip,
      },
    });
    await tx.refreshToken.create({ data: { id: hashToken(refreshToken), familyId, createdAt: now, expiresAt: idleExpiresAt } });
    await access.save(tx);
  });
  await recordAuthEvent({ type: "token_issued", userId, method: "password", client });
  return {
    access_token: access.access_token,
    expires_in: access.expires_in,
    token_type: "bearer",
    refresh_token: refreshToken,
    refresh_expires_in: Math.round(refreshTokenIdleSeconds),
  };
}

/** The refresh grant: spends `presented` and answers a new access token and refresh token of its family. */
export async function refreshAccessToken(presented: string, client: ClientInfo): Promise<IssuedToken> {
  if (!TOKEN_PATTERN.test(presented)) throw invalidRefreshToken();
  const db = getDb();
  const id = hashToken(presented);
  const row = await db.refreshToken.findUnique({
    where: { id },
    include: { family: { include: { user: { select: { isActive: true, emailVerified: true } } } } },
  });
  if (!row) throw invalidRefreshToken();
  const { family } = row;
  const now = new Date();
  if (family.revokedAt) throw invalidRefreshToken();
  if (row.spentAt) return refuseReuse(family, client);
  if (row.expiresAt <= now || family.expiresAt <= now || family.idleExpiresAt <= now) {
    throw invalidRefreshToken("The refresh token expired");
  }
  // The rule of every grant: refused before anything is spent, so the token works again once the
  // account may hold tokens (its address confirmed).
  requireTokenHolder(family.user);

  const { refreshTokenIdleSeconds } = getConfig();
  const idleEnd = new Date(Math.min(now.getTime() + refreshTokenIdleSeconds * 1000, family.expiresAt.getTime()));
  const next = newRefreshToken();
  const origin = { method: "refresh" as const, familyId: family.id, clientId: family.clientId };
  const access = await signAccessToken(family.userId, client, origin);
  const won = await db.$transaction(async (tx) => {
    // The one winner: only an unspent token in a family not revoked is spent, atomically.
    const spent = await tx.refreshToken.updateMany({
      where: { id, spentAt: null, family: { revokedAt: null } },
      data: { spentAt: now },
    });
    if (spent.count !== 1) return false;
    await tx.refreshToken.create({ data: { id: hashToken(next), familyId: family.id, createdAt: now, expiresAt: idleEnd } });
    await tx.refreshFamily.update({ where: { id: family.id }, data: { lastUsedAt: now, idleExpiresAt: idleEnd } });
    await access.save(tx);
    return true;
  });
  // Spent (or the family revoked) between the read and the update: a concurrent exchange won.
  if (!won) return refuseReuse(family, client);
  await recordAuthEvent({ type: "token_refreshed", userId: family.userId, method: "refresh_token", client });
  return {
    access_token: access.access_token,
    expires_in: access.expires_in,
    token_type: "bearer",
    refresh_token: next,
    refresh_expires_in: Math.max(1, Math.round((idleEnd.getTime() - now.getTime()) / 1000)),
  };
}

/** A spent token presented again: its family is revoked (once, and audited once). */
async function refuseReuse(family: { id: string; userId: string }, client: ClientInfo): Promise<never> {
  if (await revokeFamily(family.id)) {
    await recordAuthEvent({ type: "refresh_token_reused", userId: family.userId, method: "refresh_token", client });
  }
  throw invalidRefreshToken();
}

/**
 * RFC 7009 revocation of a refresh token: its family ends. Returns false when `token` is no refresh
 * token of ours (the caller then tries it as an access token).
 */
export async function revokeRefreshToken(token: string, client: ClientInfo): Promise<boolean> {
  if (!TOKEN_PATTERN.test(token)) return false;
  const row = await getDb().refreshToken.findUnique({ where: { id: hashToken(token) }, select: { family: true } });
  if (!row) return false;
  if (await revokeFamily(row.family.id)) {
    await recordAuthEvent({ type: "token_revoked", userId: row.family.userId, method: "refresh_token", client });
  }
  return true;
}
