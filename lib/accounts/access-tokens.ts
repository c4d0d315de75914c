/**
 * Issuing access tokens: each is a signed JWT and a database row, and the row is the truth (a token whose
 * row is revoked or gone is refused, whatever its signature says). Listing and revoking them as the
 * user's sessions: lib/accounts/sessions.ts; refresh-token families: lib/accounts/refresh-tokens.ts.
 */
import crypto from "node:crypto";
import type { Prisma } from "@prisma/client";
import { getConfig } from "../config";
import { getDb } from "../db/client";
import type { ClientInfo } from "../http/client";
import { currentSigningKey } from "../auth/key-set";
import { createAccessToken } from "../auth/tokens";

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

/** A signed access token whose row is not stored yet: `save` stores it (in `tx` when given). */
export type SignedAccessToken = {
  access_token: string;
  expires_in: number;
  save: (tx?: Tx) => Promise<void>;
};

/**
 * Signs an access token; its row is stored by `save`, in the caller's transaction when there is one (a
 * family and its first tokens are written together). Signing is done first, outside any transaction: the
 * first use of the process's signing key registers it in the database, and on SQLite a transaction has
 * the one connection to itself (lib/db/adapters.ts), so that write must not happen inside one. The audit
 * event is the caller's: it belongs after the transaction.
 */
export async function signAccessToken(userId: string, client: ClientInfo, origin: TokenOrigin): Promise<SignedAccessToken> {
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
  const save = async (tx?: Tx) => {
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
  };
  return { access_token: accessToken, expires_in: ttl, save };
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
  const token = await signAccessToken(userId, client, origin);
  await token.save();
  return { access_token: token.access_token, token_type: "bearer", expires_in: token.expires_in };
}
