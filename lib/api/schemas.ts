/**
 * The zod schemas of the API: handlers validate requests with them, forms reuse them, and the OpenAPI
 * document is generated from them.
 */
import { z } from "zod";
import { passwordPolicyProblem, MAX_PASSWORD_BYTES } from "../auth/password-policy";

export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: "Enter a valid email address" }))
  .meta({ example: "user@example.com" });

/** A new password: the policy applies (length in characters, bcrypt's byte limit). */
export const NewPassword = z
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
const GivenPassword = z.string().min(1, { message: "Password is required" }).max(1024);

const FullName = z.string().trim().max(255).nullable().meta({ example: "Ada Lovelace" });

export const UserPublic = z
  .object({
    id: z.string(),
    email: z.string(),
    full_name: z.string().nullable(),
    is_active: z.boolean(),
    is_superuser: z.boolean(),
    created_at: z.iso.datetime(),
  })
  .meta({ id: "UserPublic", description: "A user as the API shows it: never a password hash." });

export const UsersPublic = z
  .object({ data: z.array(UserPublic), count: z.number().int() })
  .meta({ id: "UsersPublic" });

export const LoginRequest = z
  .object({
    username: z.string().max(1024).meta({ description: "The account's email address" }),
    password: GivenPassword,
    grant_type: z.literal("password").optional(),
    scope: z.string().max(1024).optional(),
    client_id: z.string().max(1024).optional(),
    client_secret: z.string().max(1024).optional(),
  })
  .meta({
    id: "LoginRequest",
    description: "OAuth2 password grant, as a form (application/x-www-form-urlencoded) or as JSON.",
  });

export const AccessTokenResponse = z
  .object({
    access_token: z.string(),
    token_type: z.literal("bearer"),
    expires_in: z.number().int().meta({ description: "Seconds until the token expires" }),
  })
  .meta({ id: "Token" });

export const Signup = z
  .object({ email: Email, password: NewPassword, full_name: FullName.optional() })
  .meta({ id: "UserRegister" });

export const UpdateMe = z
  .object({ full_name: FullName.optional(), email: Email.optional() })
  .strict()
  .meta({ id: "UserUpdateMe" });

export const UpdatePassword = z
  .object({ current_password: GivenPassword, new_password: NewPassword })
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
    password: NewPassword,
    full_name: FullName.optional(),
    is_active: z.boolean().default(true),
    is_superuser: z.boolean().default(false),
  })
  .meta({ id: "UserCreate" });

export const UserUpdate = z
  .object({
    email: Email.optional(),
    password: NewPassword.optional(),
    full_name: FullName.optional(),
    is_active: z.boolean().optional(),
    is_superuser: z.boolean().optional(),
  })
  .strict()
  .meta({ id: "UserUpdate" });

export const Pagination = z.object({
  skip: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const SessionPublic = z
  .object({
    id: z.string(),
    device: z.string().meta({ example: "Chrome on Linux" }),
    user_agent: z.string().nullable(),
    method: z.string().meta({ description: '"password" (token endpoint) or "session" (browser sign-in)' }),
    created_at: z.iso.datetime(),
    expires_at: z.iso.datetime(),
    last_used_at: z.iso.datetime().nullable(),
    current: z.boolean().meta({ description: "True for the token that made this request" }),
  })
  .meta({ id: "SessionPublic" });

export const SessionsPublic = z
  .object({ data: z.array(SessionPublic), count: z.number().int() })
  .meta({ id: "SessionsPublic" });

export const AuthEventPublic = z
  .object({
    id: z.string(),
    type: z.string().meta({
      description:
        "login_success, login_failure, login_throttled, token_issued, token_revoked, password_changed, signed_out_everywhere, password_check_failure, password_check_throttled, password_change_refused, ...",
      example: "login_success",
    }),
    method: z.string().nullable().meta({ description: '"password" (token endpoint), "credentials" (browser), "session"' }),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    device: z.string().meta({ example: "Chrome on Linux" }),
    created_at: z.iso.datetime(),
    count: z.number().int().meta({ description: "How many: repeated refusals within a few minutes share one event" }),
    last_at: z.iso.datetime().meta({ description: "When the last of them came (created_at when count is 1)" }),
  })
  .meta({ id: "AuthEventPublic", description: "An authentication event of the account; never a password or token." });

export const AuthEventsPublic = z
  .object({ data: z.array(AuthEventPublic), count: z.number().int() })
  .meta({ id: "AuthEventsPublic" });

export const Message = z.object({ message: z.string() }).meta({ id: "Message" });

export const LogoutResponse = z
  .object({ message: z.string(), revoked: z.number().int() })
  .meta({ id: "LogoutResponse" });

export const Health = z.object({ status: z.literal("ok") }).meta({ id: "Health" });

export type SignupInput = z.output<typeof Signup>;
export type UserCreateInput = z.output<typeof UserCreate>;
export type UserUpdateInput = z.output<typeof UserUpdate>;
export type UpdateMeInput = z.output<typeof UpdateMe>;
export type UserPublicT = z.output<typeof UserPublic>;
export type SessionPublicT = z.output<typeof SessionPublic>;
export type AuthEventPublicT = z.output<typeof AuthEventPublic>;
