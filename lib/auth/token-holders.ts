/**
 * Who may hold tokens: the one rule every way in applies before it hands out (or keeps honouring) a
 * credential. The password grant, the refresh grant, `POST /login/session-token`, the Auth.js
 * Credentials sign-in and the Auth.js session cookie all ask `tokenRefusal`, so an account that may not
 * sign in with its password cannot keep going through another door either (an address that became
 * unverified under EMAIL_VERIFICATION=required could still refresh, before this module).
 *
 * The bearer check (lib/auth/current-user.ts) applies only the active part: an access token already
 * issued stays usable by an unverified account, which needs it to ask for a new verification link.
 */
import type { User } from "@prisma/client";
import { getConfig } from "../config";
import { HttpError } from "../http/errors";

export const INACTIVE_USER = "Inactive user";
export const EMAIL_NOT_VERIFIED = "Email not verified";

/** Why an account may not hold tokens: deactivated, or unverified while EMAIL_VERIFICATION=required. */
export type TokenRefusal = "inactive" | "unverified";

/** The rule: null when `user` may hold tokens, otherwise why not. */
export function tokenRefusal(user: Pick<User, "isActive" | "emailVerified">): TokenRefusal | null {
  if (!user.isActive) return "inactive";
  if (getConfig().mail.verification === "required" && user.emailVerified === null) return "unverified";
  return null;
}

/**
 * The password sign-in's answer to a refusal, which every grant gives: 400 `Inactive user` (the FastAPI
 * template's) and 403 `Email not verified`. Its own class, so the refresh grant's throttle can tell a
 * genuine token refused for its account from a guessed one.
 */
export class TokenHolderRefused extends HttpError {
  constructor(readonly refusal: TokenRefusal) {
    super(refusal === "inactive" ? 400 : 403, refusal === "inactive" ? INACTIVE_USER : EMAIL_NOT_VERIFIED);
  }
}

/** Throws the password sign-in's error when `user` may not hold tokens. */
export function requireTokenHolder(user: Pick<User, "isActive" | "emailVerified">): void {
  const refusal = tokenRefusal(user);
  if (refusal) throw new TokenHolderRefused(refusal);
}
