/**
 * When the sign-in behind a token happened: the start of its refresh-token family (a password, code or
 * passkey login at the token endpoint; refreshed tokens keep it) or of its browser sign-in. With
 * API_COMPAT=fastapi-template that sign-in counts as the fresh proof sensitive changes need, for
 * REAUTH_MAX_AGE_MINUTES after it, because the template's clients and tests change the email or delete
 * the account with the token of a login they just made (docs/fastapi-template.md). Tokens refreshed
 * later than that still need a re-authentication.
 */
import { getConfig } from "../config";
import { getDb } from "../db/client";
import type { Authenticated } from "../auth/current-user";

async function signedInAt(auth: Authenticated): Promise<Date | null> {
  if (auth.familyId) {
    const family = await getDb().refreshFamily.findUnique({ where: { id: auth.familyId }, select: { createdAt: true } });
    return family?.createdAt ?? null;
  }
  if (auth.sessionId) {
    const session = await getDb().session.findUnique({ where: { sessionToken: auth.sessionId }, select: { createdAt: true } });
    return session?.createdAt ?? null;
  }
  return null;
}

/** True when API_COMPAT=fastapi-template is on and the token's sign-in is within REAUTH_MAX_AGE_MINUTES. */
export async function signInCountsAsReauthentication(auth: Authenticated): Promise<boolean> {
  const config = getConfig();
  if (!config.templateCompat.signInCountsAsReauthentication) return false;
  const at = await signedInAt(auth);
  return at !== null && Date.now() - at.getTime() <= config.reauthMaxAgeSeconds * 1000;
}
