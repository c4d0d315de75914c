/**
 * The zod schemas of the API: handlers validate requests with them, forms reuse them, and the OpenAPI
 * document is generated from them.
 */
import { z } from "zod";
import { passwordPolicyProblem, MAX_PASSWORD_BYTES } from "./password-policy";
import { illFormedTextProblem } from "../http/well-formed-text";

/** A string that passes `illFormedTextProblem` (lib/http/well-formed-text.ts). */
export const Text = z.string().superRefine((value, ctx) => {
  const problem = illFormedTextProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: "Enter a valid email address" }))
  .meta({ example: "user@example.com" });

/**
 * Whether a submitted identifier is a syntactically valid email address (`Email`'s own check). Only
 * such an identifier is ever stored (audit trail, throttle keys): people type their password into the
 * email field.
 */
export const isEmailAddress = (identifier: string) => Email.safeParse(identifier).success;

/** A new password: the policy applies (length in characters, bcrypt's byte limit). */
export const NewPasswordText = z
  .string()
  .superRefine((value, ctx) => {
    const problem = passwordPolicyProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .meta({
    description: `8 characters or more, at most ${MAX_PASSWORD_BYTES} bytes in UTF-8, not one of the most common passwords`,
    example: "correct horse battery staple",
  });

/** A password being checked, not set: no policy, only a sanity bound. */
const GivenPassword = z
  .string()
  .min(1, { message: "Password is required" })
  .max(1024)
  .meta({ example: "correct horse battery staple" });

const FullName = z.string().trim().max(255).nullable().meta({ example: "Ada Lovelace" });

// Examples for the documentation (Swagger UI's Example Value and its pre-filled request bodies).
const ID_EXAMPLE = "cmb0x1y2z0000abcd1234efgh";
const TIME_EXAMPLE = "2026-01-01T12:00:00.000Z";
const Id = z.string().meta({ example: ID_EXAMPLE });
// Response times: the server writes them (toISOString), nothing parses them, so the format says enough
// (z.iso.datetime() would add a regular expression of several lines to every time in the docs).
const Time = z.string().meta({ format: "date-time", example: TIME_EXAMPLE });

export const UserPublic = z
  .object({
    id: Id,
    email: z.string().meta({ example: "user@example.com" }),
    full_name: z.string().nullable().meta({ example: "Ada Lovelace" }),
    is_active: z.boolean(),
    is_superuser: z.boolean(),
    is_verified: z.boolean().meta({ description: "Whether the account has confirmed its email address (a mailed link, or an OpenID Connect provider that says so)" }),
    created_at: Time,
  })
  .meta({ id: "UserPublic", description: "A user as the API shows it: never a password hash." });

/** A user in the superuser's list: when the account was last seen using a token. */
export const UserListItem = UserPublic.extend({
  last_active_at: Time.nullable().meta({
    description: "When the user last signed in or used a token (null: never)",
    example: TIME_EXAMPLE,
  }),
}).meta({ id: "UserListItem" });

export const UsersPublic = z
  .object({ data: z.array(UserListItem), count: z.number().int() })
  .meta({ id: "UsersPublic" });

/** The password grant's fields, checked when `grant_type` is `password` or absent. */
export const LoginRequest = z.object({
  username: z.string().max(1024).meta({ description: "The account's email address", example: "user@example.com" }),
  password: GivenPassword,
  grant_type: z.literal("password").optional(),
  scope: z.string().max(1024).optional(),
  client_id: z.string().max(1024).optional(),
  client_secret: z.string().max(1024).optional(),
});

/** The refresh grant's fields, checked when `grant_type` is `refresh_token`. */
export const RefreshTokenRequest = z.object({
  grant_type: z.literal("refresh_token"),
  refresh_token: z.string().max(1024),
  scope: z.string().max(1024).optional(),
  client_id: z.string().max(1024).optional(),
  client_secret: z.string().max(1024).optional(),
});

/**
 * The token endpoint's body, as documented and first read: the fields of both grants, each optional
 * here. The endpoint then checks the fields of the grant `grant_type` names (422 naming a missing one),
 * and answers any other grant with RFC 6749's 400 `unsupported_grant_type`. Documented under the FastAPI
 * template's name, which its generated client imports; it requires no more than that client sends.
 */
export const TokenRequest = z
  .object({
    grant_type: z.string().max(64).optional().meta({
      description: "`password` (the default) or `refresh_token`",
      example: "password",
    }),
    username: z.string().max(1024).optional().meta({
      description: "Password grant: the account's email address",
      example: "user@example.com",
    }),
    password: z.string().max(1024).optional().meta({ description: "Password grant: the password", example: "correct horse battery" }),
    refresh_token: z.string().max(1024).optional().meta({
      description: "Refresh grant: the refresh token from the last answer (spent by this request)",
    }),
    scope: z.string().max(1024).optional(),
    client_id: z.string().max(1024).optional().meta({ description: "Optional; becomes the tokens' `client_id` claim" }),
    client_secret: z.string().max(1024).optional(),
  })
  .meta({
    id: "Body_login_login_access_token",
    description:
      "OAuth2 password grant (`username`, `password`) or refresh grant (`grant_type=refresh_token`, " +
      "`refresh_token`), as a form (application/x-www-form-urlencoded) or as JSON.",
  });

export const TOKEN_GRANTS = { password: LoginRequest, refresh_token: RefreshTokenRequest } as const;

export const AccessTokenResponse = z
  .object({
    access_token: z.string().meta({
      description: "A JWT (RFC 9068, EdDSA or ES256); send it as `Authorization: Bearer <access_token>`",
      example: "eyJhbGciOiJFZERTQSIsInR5cCI6ImF0K2p3dCIsImtpZCI6Ii4uLiJ9.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl",
    }),
    token_type: z.literal("bearer"),
    expires_in: z.number().int().meta({ description: "Seconds until the token expires", example: 1800 }),
    refresh_token: z.string().optional().meta({
      description: "API clients (password and refresh grants): exchange it for new tokens before it expires",
      example: "q3Zr0c8m2sVb7yJdQf3oG1tN9wXkLhE5aPuR6iYzC4s",
    }),
    refresh_expires_in: z.number().int().optional().meta({
      description: "Seconds until the refresh token expires unused",
      example: 604800,
    }),
  })
  .meta({ id: "Token" });

export const RevokeTokenRequest = z
  .object({
    token: z.string().max(4096).meta({ description: "A refresh token or an access token" }),
    token_type_hint: z.string().max(64).optional().meta({
      description: "`refresh_token` or `access_token`: which kind to look for first (others are ignored)",
    }),
  })
  .meta({ id: "RevokeTokenRequest", description: "RFC 7009 token revocation, as a form or as JSON." });

export const Signup = z
  .object({ email: Email, password: NewPasswordText, full_name: FullName.optional() })
  .meta({ id: "UserRegister" });

/**
 * An update field that may also be sent as `null` for "unchanged": the FastAPI template's update models
 * default every field to None, and clients generated from them may send it.
 */
const unchangedIfNull = <S extends z.ZodType>(schema: S) => schema.nullish().transform((value) => value ?? undefined);

// Strict: a field this endpoint does not take (`is_superuser`) is refused, not silently dropped.
export const UpdateMe = z
  .object({
    full_name: FullName.optional(),
    email: unchangedIfNull(Email),
    current_password: GivenPassword.optional().meta({
      description: "Proof for an email change, instead of a recent POST /api/v1/login/reauthenticate",
    }),
  })
  .strict()
  .meta({ id: "UserUpdateMe" });

/** The password again, for a sensitive change ("sudo mode"). */
export const Reauthenticate = z.object({ password: GivenPassword }).strict().meta({ id: "Reauthenticate" });

export const ReauthenticateResponse = z
  .object({
    message: z.string().meta({ example: "Password confirmed" }),
    reauthenticated_until: z.string().meta({
      description: "Until when this token may make sensitive changes (ISO 8601)",
      example: "2026-12-04T15:10:00.000Z",
    }),
  })
  .meta({ id: "ReauthenticateResponse" });

/** The optional proof a sensitive DELETE may carry in its body. */
export const PasswordProof = z
  .object({ password: GivenPassword.optional() })
  .strict()
  .meta({ id: "PasswordProof" });

export const UpdatePassword = z
  .object({ current_password: GivenPassword, new_password: NewPasswordText })
  .meta({ id: "UpdatePassword" });

export const Logout = z
  .object({
    everywhere: z
      .boolean()
      .default(false)
      .meta({ description: "Revoke every token of the user, not only the one sent" }),
  })
  .meta({ id: "LogoutRequest" });

export const UserCreate = z
  .object({
    email: Email,
    password: NewPasswordText.optional().meta({
      description: "Optional: without one, the user chooses their own through the invitation mail's link",
    }),
    full_name: FullName.optional(),
    is_active: z.boolean().default(true),
    is_superuser: z.boolean().default(false),
  })
  .meta({ id: "UserCreate" });

// Not strict: the template's Edit User dialog sends the listed user back (`id`, `created_at`) with
// `confirm_password`, and FastAPI ignores fields a model does not declare; so do we, here.
export const UserUpdate = z
  .object({
    email: unchangedIfNull(Email),
    password: unchangedIfNull(NewPasswordText),
    full_name: FullName.optional(),
    is_active: z.boolean().optional(),
    is_superuser: z.boolean().optional(),
  })
  .meta({ id: "UserUpdate" });

/** A mailed link's token, as the link carries it. */
const LinkToken = z.string().min(1, { message: "Token is required" }).max(256).meta({ example: "pQm0Jx3n9yGd5cQh2a8vW1sZkT4rB7eL6uN0oI3fH2g" });

export const NewPassword = z
  .object({ token: LinkToken, new_password: NewPasswordText })
  .meta({ id: "NewPassword", description: "A password reset (or invitation) link's token and the new password." });

export const VerifyEmail = z
  .object({ token: LinkToken })
  .meta({ id: "VerifyEmail", description: "An email verification link's token." });

export const EmailChangeToken = z
  .object({ token: LinkToken })
  .meta({ id: "EmailChangeToken", description: "The token of an email change's confirmation or cancel link." });

/** The address in `/password-recovery/{email}`. */
export const RecoveryPath = z.object({ email: Email });

/** `?email_to=` of the test email. */
export const TestEmailQuery = z.object({ email_to: Email });

export const Pagination = z.object({
  skip: z.coerce.number().int().min(0).default(0).meta({ description: "How many users to skip" }),
  limit: z.coerce.number().int().min(1).max(1000).default(100).meta({ description: "How many users to return (at most 1000)" }),
});

/** Path parameters. */
export const UserIdParams = z.object({ user_id: z.string().meta({ description: "The user id", example: ID_EXAMPLE }) });
export const SessionIdParams = z.object({ id: z.string().meta({ description: "The session (token) id", example: ID_EXAMPLE }) });
export const UserSessionParams = UserIdParams.extend(SessionIdParams.shape);
export const LinkedAccountIdParams = z.object({
  id: z.string().meta({ description: "The linked account's id, `<provider>:<provider_account_id>`", example: "oidc:248289761001" }),
});

/** The superuser's user list: a page, an optional search over email and name, and the order by creation. */
export const UserListQuery = Pagination.extend({
  q: z
    .string()
    .trim()
    .max(254)
    .optional()
    .meta({ description: "Only users whose email or full name contains this (case-insensitive)", example: "ada" }),
  order: z
    .enum(["created_asc", "created_desc"])
    .default("created_asc")
    .meta({ description: "By creation time, oldest first (default) or newest first" }),
});

/** DELETE /users/me: the password typed again. Optional for API clients; the settings page always sends it. */
export const DeleteMe = z
  .object({ password: GivenPassword.optional() })
  .strict()
  .meta({ id: "UserDeleteMe" });

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
        "password_recovery_requested, password_reset, email_verified, email_send_failed",
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

export const Message = z.object({ message: z.string().meta({ example: "Session revoked" }) }).meta({ id: "Message" });

export const LogoutResponse = z
  .object({
    message: z.string().meta({ example: "Signed out" }),
    revoked: z.number().int().meta({ example: 1 }),
    linked_accounts: z.array(LinkedAccountPublic).optional().meta({
      description:
        "After signing out everywhere or changing the password: the provider accounts still linked, which " +
        "sign in without the password. Remove any you do not recognise (DELETE /users/me/accounts/{id}).",
    }),
  })
  .meta({ id: "LogoutResponse" });

export const Health = z.object({ status: z.literal("ok") }).meta({ id: "Health" });

/** The error bodies: FastAPI's `{"detail": ...}`. */
export const HTTPError = z
  .object({ detail: z.string().meta({ example: "Not authenticated" }) })
  .meta({ id: "HTTPError" });

export const ValidationError = z
  .object({
    loc: z.array(z.union([z.string(), z.number()])).meta({ example: ["body", "email"] }),
    msg: z.string().meta({ example: "Enter a valid email address" }),
    type: z.string().meta({ example: "invalid_format" }),
  })
  .meta({ id: "ValidationError" });

export const HTTPValidationError = z.object({ detail: z.array(ValidationError) }).meta({ id: "HTTPValidationError" });

export const TokenError = z
  .object({
    detail: z.literal("Could not validate credentials"),
    reason: z.enum(["invalid", "expired", "revoked"]).meta({ example: "expired" }),
  })
  .meta({ id: "TokenError", description: "The bearer token was refused; `reason` says why." });

export const ReauthRequiredError = z
  .object({
    detail: z.literal("Confirm your password to continue"),
    reason: z.literal("reauth_required"),
    max_age: z.number().int().meta({ description: "Seconds a proof of the password counts (REAUTH_MAX_AGE_MINUTES)", example: 600 }),
  })
  .meta({
    id: "ReauthRequiredError",
    description: "A sensitive change needs a fresh proof of the password (POST /api/v1/login/reauthenticate).",
  });

export const OAuth2Error = z
  .object({
    detail: z.string().meta({ example: "Incorrect email or password" }),
    error: z.enum(["invalid_grant", "unsupported_grant_type"]),
    error_description: z.string().meta({ example: "Incorrect email or password" }),
  })
  .meta({ id: "OAuth2Error" });

export type SignupInput = z.output<typeof Signup>;
export type UserCreateInput = z.output<typeof UserCreate>;
export type UserUpdateInput = z.output<typeof UserUpdate>;
export type NewPasswordInput = z.output<typeof NewPassword>;
export type UpdateMeInput = z.output<typeof UpdateMe>;
export type UserPublicT = z.output<typeof UserPublic>;
export type UserListItemT = z.output<typeof UserListItem>;
export type UserListQueryInput = z.output<typeof UserListQuery>;
export type SessionPublicT = z.output<typeof SessionPublic>;
export type AuthEventPublicT = z.output<typeof AuthEventPublic>;
export type AuthEventsQueryInput = z.output<typeof AuthEventsQuery>;
export type LinkedAccountPublicT = z.output<typeof LinkedAccountPublic>;

export const JsonWebKeySet = z
  .object({
    keys: z.array(
      z.looseObject({
        kty: z.string().meta({ example: "OKP" }),
        crv: z.string().meta({ example: "Ed25519" }),
        x: z.string().meta({ example: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" }),
        kid: z.string().meta({ example: "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs" }),
        alg: z.enum(["EdDSA", "ES256"]),
        use: z.literal("sig"),
      }),
    ),
  })
  .meta({ id: "JsonWebKeySet", description: "The public keys that verify our access tokens (RFC 7517)." });

export const AuthorizationServerMetadata = z
  .looseObject({
    issuer: z.string().meta({ example: "https://signin.example.com" }),
    token_endpoint: z.string(),
    jwks_uri: z.string(),
    revocation_endpoint: z.string(),
    grant_types_supported: z.array(z.string()).meta({ example: ["password", "refresh_token"] }),
    token_endpoint_auth_methods_supported: z.array(z.string()).meta({ example: ["none"] }),
  })
  .meta({ id: "AuthorizationServerMetadata", description: "RFC 8414 authorization server metadata." });
