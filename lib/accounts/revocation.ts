/**
 * RFC 7009 token revocation (POST /api/v1/login/revoke): whoever holds a token may end it. A refresh
 * token ends its whole family; an access token ends itself only (RFC 7009 §2.1 leaves its refresh token
 * to the server: a client that revokes the access token it just replaced keeps its family). Unknown,
 * expired and already revoked tokens are no error: the answer never says which it was.
 */
import { getDb } from "../db/client";
import type { ClientInfo } from "../http/client";
import { recordAuthEvent } from "./audit";
import { accessTokenVerifiers } from "../auth/key-set";
import { revokeRefreshToken } from "./refresh-tokens";
import { verifyAccessToken } from "../auth/tokens";

async function revokeAccessToken(token: string, client: ClientInfo): Promise<boolean> {
  const verified = await verifyAccessToken(token, accessTokenVerifiers());
  if (!verified.ok) return false;
  const { sub, jti, kid } = verified.claims;
  const row = await getDb().accessToken.findUnique({ where: { id: jti }, select: { userId: true, kid: true, method: true } });
  if (!row || row.userId !== sub || row.kid !== kid) return false;
  const { count } = await getDb().accessToken.updateMany({ where: { id: jti, revokedAt: null }, data: { revokedAt: new Date() } });
  if (count) await recordAuthEvent({ type: "token_revoked", userId: sub, method: row.method, client });
  return true;
}

export async function revokePresentedToken(token: string, hint: string | undefined, client: ClientInfo): Promise<void> {
  const order =
    hint === "access_token"
      ? [revokeAccessToken, revokeRefreshToken]
      : [revokeRefreshToken, revokeAccessToken];
  for (const revoke of order) if (await revoke(token, client)) return;
}
