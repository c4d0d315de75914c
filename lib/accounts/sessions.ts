/**
 * A user's sessions: their live access tokens and refresh-token families, listed and revoked (one, or
 * all of them: sign-out everywhere). Issuing tokens: lib/accounts/access-tokens.ts; browser sign-ins:
 * lib/accounts/browser-sessions.ts.
 */
import type { Prisma } from "@prisma/client";
import { getDb } from "../db/client";
import { errors } from "../http/errors";
import type { ClientInfo } from "../http/client";
import { endBrowserSession } from "./browser-sessions";
import { deviceLabel } from "../http/user-agent";
import type { SessionPublicT } from "../schemas";
import { recordAuthEvent } from "./audit";

type Tx = Prisma.TransactionClient;

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
