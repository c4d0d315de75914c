/**
 * The audit trail of authentication events: who (user id when known, the email given at sign-in when it
 * is an email address, never other text typed into that field), what,
 * when, from where (IP, user agent). Never a password, a hash or a token. Writing an event never fails
 * the request that caused it: a lost audit row is logged, not thrown.
 */
import type { AuthEvent } from "@prisma/client";
import { getDb } from "./db";
import type { ClientInfo } from "./http/client";
import { deviceLabel } from "./sessions";
import { Email, type AuthEventPublicT } from "./api/schemas";

/**
 * Whether a submitted identifier is a syntactically valid email address (the schemas' own check). Only
 * such an identifier is ever stored: people type their password into the email field.
 */
export const isEmailAddress = (identifier: string) => Email.safeParse(identifier).success;

export const AUTH_EVENT_TYPES = [
  "login_success",
  "login_failure",
  "login_throttled",
  "token_issued",
  "token_revoked",
  "password_changed",
  "signed_out_everywhere",
  // A password asked again of a signed-in user (password change): wrong, throttled.
  "password_check_failure",
  "password_check_throttled",
  /** A password change refused before any check (the new password is the current one). */
  "password_change_refused",
] as const;
export type AuthEventType = (typeof AUTH_EVENT_TYPES)[number];

export async function recordAuthEvent(event: {
  type: AuthEventType;
  userId?: string | null;
  email?: string | null;
  method?: string | null;
  client?: ClientInfo | null;
}): Promise<void> {
  const given = event.email?.trim() || null;
  const email = given && isEmailAddress(given) ? given.toLowerCase() : null;
  try {
    await getDb().authEvent.create({
      data: {
        type: event.type,
        userId: event.userId ?? null,
        email,
        emailOmitted: given !== null && email === null,
        method: event.method ?? null,
        ip: event.client?.ip ?? null,
        userAgent: event.client?.userAgent ?? null,
      },
    });
  } catch (error) {
    console.error("Could not record an auth event:", event.type, error instanceof Error ? error.message : error);
  }
}

function toAuthEventPublic(e: AuthEvent): AuthEventPublicT {
  return {
    id: e.id,
    type: e.type,
    method: e.method,
    ip: e.ip,
    user_agent: e.userAgent,
    device: deviceLabel(e.userAgent),
    created_at: e.createdAt.toISOString(),
  };
}

/** The user's most recent events, newest first. */
export async function listAuthEvents(userId: string, limit = 50) {
  const events = await getDb().authEvent.findMany({
    where: { userId },
    orderBy: { createdAt: "desc" },
    take: limit,
  });
  return { data: events.map(toAuthEventPublic), count: events.length };
}
