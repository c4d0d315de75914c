/** Users: what the API shows of one, and the bodies that create, update and delete them. */
import { z } from "zod";
import { Email, FullName, GivenPassword, Id, NewPasswordText, Pagination, TIME_EXAMPLE, Time } from "./fields";

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

export const UpdatePassword = z
  .object({ current_password: GivenPassword, new_password: NewPasswordText })
  .meta({ id: "UpdatePassword" });

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
/**
 * The FastAPI template's local-only user creation (`POST /private/users/`, API_COMPAT=fastapi-template with
 * ENVIRONMENT=local). Its `is_verified` is accepted and, as there, ignored.
 */
export const PrivateUserCreate = z
  .object({ email: Email, password: NewPasswordText, full_name: FullName.optional() })
  .meta({ id: "PrivateUserCreate" });

export type SignupInput = z.output<typeof Signup>;

export type PrivateUserCreateInput = z.output<typeof PrivateUserCreate>;

export type UserCreateInput = z.output<typeof UserCreate>;

export type UserUpdateInput = z.output<typeof UserUpdate>;

export type UpdateMeInput = z.output<typeof UpdateMe>;

export type UserPublicT = z.output<typeof UserPublic>;

export type UserListItemT = z.output<typeof UserListItem>;

export type UserListQueryInput = z.output<typeof UserListQuery>;
