/** What a user sees of their account's activity: sessions, the audit trail, linked sign-in methods. */
import { z } from "zod";
import { Id, Time } from "./fields";

const USER_AGENT_EXAMPLE = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

export const SessionPublic = z
  .object({
    id: Id,
    device: z.string().meta({ example: "Chrome on Linux" }),
    user_agent: z.string().nullable().meta({ example: USER_AGENT_EXAMPLE }),
    method: z.string().meta({ description: '"password" (token endpoint) or "session" (browser sign-in)', example: "password" }),
    created_at: Time,
    expires_at: Time.meta({ example: "2026-01-01T12:30:00.000Z" }),
    last_used_at: Time.nullable(),
    current: z.boolean().meta({ description: "True for the token that made this request" }),
  })
  .meta({ id: "SessionPublic" });

export const SessionsPublic = z
  .object({ data: z.array(SessionPublic), count: z.number().int() })
  .meta({ id: "SessionsPublic" });

export const AuthEventPublic = z
  .object({
    id: Id,
    type: z.string().meta({
      description:
        "login_success, login_failure, login_throttled, token_issued, token_refreshed, refresh_token_reused, token_revoked, password_changed, " +
        "signed_out_everywhere, account_linked, account_unlinked, password_check_failure, password_check_throttled, " +
        "password_change_refused, email_changed, email_change_refused, email_change_throttled, reauthenticated, " +
        "email_change_requested, email_change_cancelled, email_changed_by_admin, " +
        "password_recovery_requested, password_reset, email_verified, email_send_failed, " +
        "mfa_enrolled, mfa_disabled, mfa_reset, mfa_challenge_failed, recovery_code_used, recovery_codes_regenerated, passkey_registered, passkey_removed",
      example: "login_success",
    }),
    method: z
      .string()
      .nullable()
      .meta({
        description:
          '"password" (token endpoint), "credentials" (sign-in page), "oidc" (a provider\'s sign-in in the browser), "session"',
        example: "password",
      }),
    ip: z.string().nullable().meta({ example: "203.0.113.7" }),
    user_agent: z.string().nullable().meta({ example: USER_AGENT_EXAMPLE }),
    device: z.string().meta({ example: "Chrome on Linux" }),
    created_at: Time,
    count: z.number().int().meta({ description: "How many: repeated refusals within a few minutes share one event", example: 1 }),
    last_at: Time.meta({ description: "When the last of them came (created_at when count is 1)" }),
  })
  .meta({ id: "AuthEventPublic", description: "An authentication event of the account; never a password or token." });

export const AuthEventsPublic = z
  .object({
    data: z.array(AuthEventPublic),
    count: z.number().int().meta({ description: "How many events this page holds" }),
    has_more: z.boolean().meta({ description: "Whether older events follow: ask again with `skip` increased by `limit`", example: false }),
  })
  .meta({ id: "AuthEventsPublic" });

/**
 * GET /users/me/events: a page of the trail. Sign-ins and security changes are paged apart from failed
 * and refused attempts (each up to `limit`), so a flood of attempts never pushes a sign-in off a page.
 */
export const AuthEventsQuery = z.object({
  skip: z.coerce.number().int().min(0).default(0).meta({ description: "How many events of each kind to skip" }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(50)
    .default(50)
    .meta({ description: "How many events of each kind (sign-ins and changes; failed attempts) to return (at most 50)" }),
});

export const LinkedAccountPublic = z
  .object({
    id: z.string().meta({ description: "`<provider>:<provider_account_id>`", example: "oidc:248289761001" }),
    provider: z.string().meta({ example: "oidc" }),
    provider_name: z.string().meta({ example: "OpenID Connect" }),
    provider_account_id: z.string().meta({ description: "The account's id at the provider (`sub`)", example: "248289761001" }),
    linked_at: Time,
  })
  .meta({
    id: "LinkedAccountPublic",
    description: "A provider account that signs in as this user without the password.",
  });

export const LinkedAccountsPublic = z
  .object({ data: z.array(LinkedAccountPublic), count: z.number().int() })
  .meta({ id: "LinkedAccountsPublic" });

export type SessionPublicT = z.output<typeof SessionPublic>;

export type AuthEventPublicT = z.output<typeof AuthEventPublic>;

export type AuthEventsQueryInput = z.output<typeof AuthEventsQuery>;

export type LinkedAccountPublicT = z.output<typeof LinkedAccountPublic>;
