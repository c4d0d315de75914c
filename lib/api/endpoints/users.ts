/** Accounts: my own, and every user's for superusers. */
import { endpoint } from "../endpoint";
import { CREATION_STATUSES } from "../compat";
import {
  jsonContent,
  reauthRequired,
  emailChangesThrottled,
  emailTaken,
  errorResponse,
  ok,
  superuserRule,
  throttled,
  userNotFound,
} from "../responses";
import {
  AuthEventsPublic,
  AuthEventsQuery,
  LinkedAccountIdParams,
  LinkedAccountsPublic,
  LogoutResponse,
  Message,
  FactorProof,
  Signup,
  UpdateMe,
  UpdatePassword,
  UserCreate,
  UserIdParams,
  UserListQuery,
  UserSessionParams,
  SessionsPublic,
  UserPublic,
  UsersPublic,
  UserUpdate,
} from "../../schemas";

export const readUsers = endpoint({
  method: "GET",
  path: "/api/v1/users/",
  tag: "users",
  operationId: "users-read_users",
  summary: "List users (superuser)",
  description:
    "A page of users (`skip`, `limit`), optionally only those whose email or full name contains `q` " +
    "(case-insensitive), by creation time (`order`); `count` is the number matching. Each user carries " +
    "`last_active_at`: when it last signed in or used a token.",
  auth: "superuser",
  query: UserListQuery,
  responses: { "200": ok("A page of users", UsersPublic) },
});

export const createUser = endpoint({
  method: "POST",
  path: "/api/v1/users/",
  tag: "users",
  operationId: "users-create_user",
  summary: "Create a user (superuser)",
  description:
    "An active new user is mailed an invitation with a link to choose their own password (no password is " +
    "ever mailed), so `password` is optional.",
  auth: "superuser",
  body: { schema: UserCreate },
  responses: { "201": ok("The new user", UserPublic), "409": emailTaken },
  templateStatuses: CREATION_STATUSES,
});

export const readUserMe = endpoint({
  method: "GET",
  path: "/api/v1/users/me",
  tag: "users",
  operationId: "users-read_user_me",
  summary: "The current user",
  description: "The end of the current-user chain: bearer → verified claims → token not revoked → user → active.",
  auth: "active",
  beforeEnrolment: true,
  responses: { "200": ok("The current user", UserPublic) },
});

export const updateUserMe = endpoint({
  method: "PATCH",
  path: "/api/v1/users/me",
  tag: "users",
  operationId: "users-update_user_me",
  summary: "Update my name, or ask to change my email",
  description:
    "A new `full_name` applies at once (200 with the user). A new `email` is only asked for (202): the new " +
    "address gets a link that confirms the change (`POST /confirm-email-change/`), the current one a notice " +
    "with a link that undoes it and signs out everywhere (`POST /cancel-email-change/`). Until the new address " +
    "confirms, the account keeps its current address for signing in and recovery. The answer is the same " +
    "whether or not the new address already has an account (that address is mailed a notice instead of the " +
    "link), and at most 5 email changes an hour are accepted." +
    "\n\n**Needs a fresh proof of the password** (\"sudo mode\"): `current_password` in this body, or a `POST /api/v1/login/reauthenticate` " +
    "with this token within the last REAUTH_MAX_AGE_MINUTES (10); otherwise 401 with `reason: \"reauth_required\"`. " +
    "A token alone is never enough.",
  auth: "active",
  body: { schema: UpdateMe },
  responses: {
    "200": ok("The updated user (no email change asked)", UserPublic),
    "202": {
      description: "An email change was asked: check the new address",
      content: jsonContent(Message, { message: "Check new@example.com to confirm the change. Until then your account keeps its current address." }),
    },
    "400": errorResponse("The `current_password` given is wrong", "Incorrect password"),
    "401": reauthRequired,
    "429": emailChangesThrottled,
  },
});

export const deleteUserMe = endpoint({
  method: "DELETE",
  path: "/api/v1/users/me",
  tag: "users",
  operationId: "users-delete_user_me",
  summary: "Delete my account",
  description:
    "Deletes the account and all of its tokens. Superusers cannot delete themselves. The proof is checked " +
    "as every password re-check or code is (throttled, audited)." +
    "\n\n**Needs a fresh proof** (\"sudo mode\"): `password`, or for an account with two-factor authentication `code` " +
    "or `recovery_code`, in this body (what the settings page sends), or a `POST /api/v1/login/reauthenticate` " +
    "with this token within the last REAUTH_MAX_AGE_MINUTES (10); otherwise 401 with `reason: \"reauth_required\"`. " +
    "A token alone is never enough.",
  auth: "active",
  body: { schema: FactorProof, optional: true },
  responses: {
    "200": ok("Deleted", Message),
    "400": errorResponse("The password or code given is wrong", "Incorrect password"),
    "401": reauthRequired,
    "403": errorResponse("A superuser cannot delete itself", "Super users are not allowed to delete themselves"),
    "429": throttled(
      "Too many failed password attempts for this account or address",
      "Too many failed sign-in attempts. Try again in 30 seconds.",
    ),
  },
});

export const updatePasswordMe = endpoint({
  method: "PATCH",
  path: "/api/v1/users/me/password",
  tag: "users",
  operationId: "users-update_password_me",
  summary: "Change my password",
  description:
    "`current_password` is the fresh proof this sensitive change needs (\"sudo mode\"): it is always asked, " +
    "whatever the token. Revokes every other token of the user; the token used for this request stays valid. The answer lists " +
    "the linked provider accounts (`linked_accounts`), which sign in without the password. A wrong current " +
    "password counts as a failed sign-in of the account (the same throttle).",
  auth: "active",
  body: { schema: UpdatePassword },
  responses: {
    "200": ok("Changed; `revoked` counts the other tokens revoked", LogoutResponse),
    "400": errorResponse("Incorrect current password, or the same password again", "Incorrect password"),
    "429": throttled(
      "Too many failed password attempts for this account or address",
      "Too many failed sign-in attempts. Try again in 30 seconds.",
    ),
  },
});

export const readMyEvents = endpoint({
  method: "GET",
  path: "/api/v1/users/me/events",
  tag: "users",
  operationId: "users-read_my_events",
  summary: "My recent authentication events",
  description:
    "The audit trail of the account, newest first: sign-ins and failed attempts, throttling, " +
    "tokens issued and revoked, password changes, sign-outs everywhere. Never holds a password or a token. " +
    "A page holds up to `limit` (default and at most 50) sign-ins and changes and, apart from them, up to `limit` " +
    "failed or refused attempts, so many failures never hide a sign-in; `has_more` says whether `skip` + `limit` " +
    "finds older ones. A browser sign-in is one event (`login_success`, method `credentials` or `oidc`): the " +
    "access tokens the sign-in page obtains from it are listed under GET /sessions, not here.",
  auth: "active",
  query: AuthEventsQuery,
  responses: { "200": ok("Recent events", AuthEventsPublic) },
});

export const readMyAccounts = endpoint({
  method: "GET",
  path: "/api/v1/users/me/accounts",
  tag: "users",
  operationId: "users-read_my_accounts",
  summary: "My linked sign-in methods",
  description:
    "Provider accounts (OpenID Connect) linked to this user. Each signs in as the user without the " +
    "password, and survives password changes and signing out everywhere.",
  auth: "active",
  responses: { "200": ok("Linked accounts", LinkedAccountsPublic) },
});

export const unlinkMyAccount = endpoint({
  method: "DELETE",
  path: "/api/v1/users/me/accounts/{id}",
  tag: "users",
  operationId: "users-unlink_my_account",
  summary: "Remove a linked sign-in method",
  description:
    "Unlinks the provider account and ends every other token and browser sign-in of the user (whoever " +
    "holds that provider account may be signed in through it); the token used for this request stays valid." +
    "\n\n**Needs a fresh proof of the password** (\"sudo mode\"): `password` in this body, or a `POST /api/v1/login/reauthenticate` " +
    "with this token within the last REAUTH_MAX_AGE_MINUTES (10); otherwise 401 with `reason: \"reauth_required\"`. " +
    "A token alone is never enough." +
    " An account without a password proves itself by a provider sign-in within that window.",
  auth: "active",
  params: LinkedAccountIdParams,
  body: { schema: FactorProof, optional: true },
  responses: {
    "200": ok("Removed; `revoked` counts the other tokens revoked", LogoutResponse),
    "400": errorResponse("The password given is wrong", "Incorrect password"),
    "401": reauthRequired,
    "404": errorResponse("No such linked account of this user", "Linked account not found"),
    "409": errorResponse(
      "The only way to sign in to an account without a password",
      "This is the only way to sign in to this account; it cannot be removed",
    ),
  },
});

export const registerUser = endpoint({
  method: "POST",
  path: "/api/v1/users/signup",
  tag: "users",
  operationId: "users-register_user",
  summary: "Create an account",
  auth: "none",
  body: { schema: Signup },
  responses: { "201": ok("The new user", UserPublic), "409": emailTaken },
  templateStatuses: CREATION_STATUSES,
});

export const readUserById = endpoint({
  method: "GET",
  path: "/api/v1/users/{user_id}",
  tag: "users",
  operationId: "users-read_user_by_id",
  summary: "Read a user (yourself, or any user as a superuser)",
  auth: "active",
  params: UserIdParams,
  responses: {
    "200": ok("The user", UserPublic),
    "403": errorResponse("Inactive user, or another user's id without being a superuser", "The user doesn't have enough privileges"),
    "404": userNotFound,
  },
});

export const updateUser = endpoint({
  method: "PATCH",
  path: "/api/v1/users/{user_id}",
  tag: "users",
  operationId: "users-update_user",
  summary: "Update a user (superuser)",
  description:
    "A new password or a deactivation revokes the user's tokens. A superuser cannot deactivate or demote " +
    "itself, and nobody can deactivate or demote the last active superuser (409). Another user's `email` " +
    "changes at once, without the confirmation `PATCH /users/me` asks for (audited as `email_changed_by_admin`; " +
    "both addresses are mailed). A superuser's own `email` or `password` changed here needs the same fresh " +
    "proof as through `/users/me` (a recent `POST /api/v1/login/reauthenticate`), else 401 `reauth_required`.",
  auth: "superuser",
  params: UserIdParams,
  body: { schema: UserUpdate },
  responses: {
    "200": ok("The updated user", UserPublic),
    "401": reauthRequired,
    "404": userNotFound,
    "409": superuserRule(
      "The email is taken, the superuser would deactivate or demote itself",
      "This is the last active superuser: make another user an active superuser first",
    ),
    "429": emailChangesThrottled,
  },
});

export const deleteUser = endpoint({
  method: "DELETE",
  path: "/api/v1/users/{user_id}",
  tag: "users",
  operationId: "users-delete_user",
  summary: "Delete a user (superuser)",
  description: "A superuser cannot delete itself (403, as with `DELETE /users/me`), and nobody can delete the last active superuser (409).",
  auth: "superuser",
  params: UserIdParams,
  responses: {
    "200": ok("Deleted", Message),
    "403": errorResponse("The superuser would delete itself", "Super users are not allowed to delete themselves"),
    "404": errorResponse("No such user", "User not found"),
    "409": errorResponse("Deleting would leave no active superuser", "This is the last active superuser: make another user an active superuser first"),
  },
});

export const readUserSessions = endpoint({
  method: "GET",
  path: "/api/v1/users/{user_id}/sessions",
  tag: "users",
  operationId: "users-read_user_sessions",
  summary: "A user's live sessions (superuser)",
  description: "The user's tokens that are neither expired nor revoked, newest first (`current` is always false).",
  auth: "superuser",
  params: UserIdParams,
  responses: { "200": ok("Live sessions", SessionsPublic), "404": userNotFound },
});

export const revokeUserSession = endpoint({
  method: "DELETE",
  path: "/api/v1/users/{user_id}/sessions/{id}",
  tag: "users",
  operationId: "users-revoke_user_session",
  summary: "Revoke one of a user's sessions (superuser)",
  description: "A browser sign-in's token ends that sign-in too, so the browser cannot mint a replacement.",
  auth: "superuser",
  params: UserSessionParams,
  responses: {
    "200": ok("Revoked", Message),
    "404": errorResponse("No such user, or no such live session of the user", "Session not found"),
  },
});
