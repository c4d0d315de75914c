/**
 * The current-user chain, and the only place that turns a bearer token into a user:
 * Authorization header → verified claims → token record not revoked → user exists → active.
 * (FastAPI's OAuth2PasswordBearer → get_current_user → get_current_active_user, in one module.)
 */
import type { User } from "@prisma/client";
import { getDb } from "../db";
import { errors } from "../http/errors";
import { getKeyring } from "./secret";
import { verifyAccessToken } from "./tokens";

export type Authenticated = { user: User; tokenId: string; issuedAt: Date; expiresAt: Date };

/** Last-used times are written at most this often per token, not on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

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

  const verified = await verifyAccessToken(token, getKeyring());
  if (!verified.ok) throw errors.invalidToken(verified.reason);
  const { sub, jti } = verified.claims;

  // One indexed query: the token's row with its user.
  const record = await getDb().accessToken.findUnique({ where: { id: jti }, include: { user: true } });
  if (!record || record.userId !== sub) throw errors.invalidToken("invalid");
  if (record.revokedAt) throw errors.invalidToken("revoked");

  const now = Date.now();
  if (!record.lastUsedAt || now - record.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    // Not awaited: bookkeeping must not slow the request or fail it.
    getDb()
      .accessToken.update({ where: { id: jti }, data: { lastUsedAt: new Date(now) } })
      .catch(() => {});
  }
  return { user: record.user, tokenId: jti, issuedAt: record.createdAt, expiresAt: record.expiresAt };
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
