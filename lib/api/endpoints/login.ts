/** Tokens: the password login, the browser's token, testing and signing out. */
import { endpoint } from "../endpoint";
import { SECOND_FACTOR_REQUIRED_CODE_IN_PASSWORD } from "../../accounts/mfa-challenges";
import { emailNotVerified, errorResponse, jsonContent, ok, schemaRef, throttled, tokensIssued } from "../responses";
import {
  HTTPError,
  AccessTokenResponse,
  Logout,
  LogoutResponse,
  MfaRequiredError,
  OAuth2Error,
  Reauthenticate,
  ReauthenticateResponse,
  RevokeTokenRequest,
  TokenError,
  TokenRequest,
  UserPublic,
} from "../../schemas";

export const loginAccessToken = endpoint({
  method: "POST",
  path: "/api/v1/login/access-token",
  tag: "login",
  operationId: "login-login_access_token",
  summary: "Log in with email and password, or refresh (OAuth2 password and refresh_token grants)",
  description:
    "**Password grant** (`grant_type=password` or none): exchanges an email (`username`) and password for a " +
    "bearer access token and a refresh token. Send the access token as `Authorization: Bearer <access_token>` " +
    "on every protected endpoint. An unknown email and a wrong password give the same 400 answer.\n\n" +
    "**Refresh grant** (`grant_type=refresh_token&refresh_token=…`): exchanges the refresh token for a new " +
    "access token and a **new** refresh token; the one sent is spent. Sending a spent refresh token again " +
    "revokes every token of its login (`invalid_grant`): keep one refresh in flight per login. A refresh " +
    "token expires after `refresh_expires_in` seconds unused, and at the latest REFRESH_TOKEN_EXPIRE_DAYS " +
    "(30) after the password login.\n\n" +
    "Errors of either grant follow RFC 6749 §5.2 (`error`, `error_description`) with `detail`; another " +
    "`grant_type` is 400 `unsupported_grant_type`. Failed attempts of both grants count towards the same " +
    "throttle (429).\n\n**Two-factor authentication**: for an account with a second factor, a right password answers " +
    "401 `mfa_required` with an `mfa_token` instead of tokens; `POST /api/v1/login/mfa` completes the login. " +
    "Accounts without one are answered as above.\n\n**Clients that know only this form** (the FastAPI template's " +
    "frontend, Swagger UI's Authorize): an account with an authenticator app may send the password followed " +
    "directly by the app's current 6-digit code as `password` (`correct horse battery492039`) and gets the tokens " +
    "at once. The whole string is tried as the password first. The code is spent (a second use is refused), and " +
    "a wrong code is answered as a wrong password. Off with AUTH_MFA_CODE_IN_PASSWORD=false; recovery codes and " +
    "passkeys go through `POST /api/v1/login/mfa` only.",
  auth: "none",
  body: { schema: TokenRequest, form: true },
  responses: {
    "200": tokensIssued,
    "400": {
      description:
        "Incorrect email or password; a refresh token that is unknown, spent, expired or revoked (`invalid_grant`); " +
        "an unsupported `grant_type` (`unsupported_grant_type`); an inactive user; a body that is not JSON",
      content: { "application/json": { schema: { oneOf: [schemaRef(OAuth2Error), schemaRef(HTTPError)] } } },
    },
    "401": {
      description:
        "Password grant, for an account with two-factor authentication: the password was right and a second factor " +
        "is needed. Send `mfa_token` with a code or a recovery code to `POST /api/v1/login/mfa` within 5 minutes, or " +
        "(authenticator app) send the password again followed by the current code. `detail` says so to the account's user.",
      content: jsonContent(MfaRequiredError, {
        detail: SECOND_FACTOR_REQUIRED_CODE_IN_PASSWORD,
        reason: "mfa_required",
        mfa_token: "pX1h6mZ2v0sQy8bR4tN7wLcD3eJ9kFuA5gH1iO2rS6E",
        methods: ["totp", "recovery_code"],
      }),
    },
    "403": emailNotVerified,
    "429": throttled(
      "Too many failed sign-in or refresh attempts for this account or address",
      "Too many failed sign-in attempts. Try again in 30 seconds.",
    ),
  },
});

export const loginRevoke = endpoint({
  method: "POST",
  path: "/api/v1/login/revoke",
  tag: "login",
  operationId: "login-revoke_token",
  summary: "Revoke a refresh or access token (RFC 7009)",
  description:
    "Revokes the `token` sent: a refresh token ends its whole login (every refresh and access token of it); " +
    "an access token ends that token only. `token_type_hint` (`refresh_token` or `access_token`) says which " +
    "kind to look for first. Answers 200 whatever the token was, unknown and already revoked included.",
  auth: "none",
  body: { schema: RevokeTokenRequest, form: true },
  responses: { "200": { description: "Revoked, or nothing to revoke", content: { "application/json": { schema: { type: "object" } } } } },
});

export const sessionToken = endpoint({
  method: "POST",
  path: "/api/v1/login/session-token",
  tag: "login",
  operationId: "login-session_token",
  summary: "Mint an access token for the signed-in browser",
  description:
    "For the app's own pages: exchanges the httpOnly Auth.js session cookie (set by signing in on " +
    "`/login`) for an access token, so a page can silently replace an expired or missing token. " +
    "Same-origin only (no CORS); 401 without a sign-in, or when it was signed out or revoked.",
  auth: "none",
  crossOrigin: false,
  responses: {
    "200": ok("The access token (`Cache-Control: no-store`)", AccessTokenResponse),
    "401": {
      description: "No browser sign-in, or one that ended (`reason`: `revoked` or `expired`)",
      content: { "application/json": { schema: { oneOf: [schemaRef(HTTPError), schemaRef(TokenError)] } } },
    },
    "403": errorResponse(
      "Cross-site request refused, inactive user, or (EMAIL_VERIFICATION=required) `Email not verified`",
      "Cross-site request refused",
    ),
  },
});

export const testToken = endpoint({
  method: "POST",
  path: "/api/v1/login/test-token",
  tag: "login",
  operationId: "login-test_token",
  summary: "Test an access token",
  description: "Returns the user the bearer token belongs to.",
  auth: "active",
  responses: { "200": ok("The token's user", UserPublic) },
});

export const logout = endpoint({
  method: "POST",
  path: "/api/v1/logout",
  tag: "login",
  operationId: "login-logout",
  summary: "Sign out",
  description:
    "Revokes the bearer token. With `{\"everywhere\": true}` revokes every token and browser sign-in of " +
    "the user, and lists the linked provider accounts (`linked_accounts`), which still sign in. " +
    "Revocation is stored in the database, so it survives restarts.",
  auth: "user",
  beforeEnrolment: true,
  body: { schema: Logout, optional: true },
  responses: { "200": { description: "Signed out", content: jsonContent(LogoutResponse) } },
});

export const reauthenticate = endpoint({
  method: "POST",
  path: "/api/v1/login/reauthenticate",
  tag: "login",
  operationId: "login-reauthenticate",
  summary: "Confirm my password, a code or a passkey for sensitive changes (\"sudo mode\")",
  description:
    "A token proves who is calling, not that the person is still there. Changing the email, the password, " +
    "deleting the account and unlinking a sign-in method need a fresh proof: this endpoint checks the " +
    "proof (throttled and audited like every sign-in) and lets **this token** make those changes for " +
    "REAUTH_MAX_AGE_MINUTES (10). Those endpoints answer 401 `reason: \"reauth_required\"` without it; they " +
    "also accept the proof in their own body. The proof is exactly one of `password`, `code` (the authenticator " +
    "app's, when two-factor authentication is on), `recovery_code` (spends it) or `passkey` (an assertion for the " +
    "options of `POST /api/v1/login/reauthenticate/passkey/options`: one of this account's passkeys, checked with its " +
    "signature counter). Accounts without a password (OpenID Connect only) prove themselves by signing in again " +
    "through their provider, with a code, or with a passkey.",
  auth: "active",
  beforeEnrolment: true,
  body: { schema: Reauthenticate },
  responses: {
    "200": {
      description: "Confirmed; `reauthenticated_until` says until when",
      content: jsonContent(ReauthenticateResponse, {
        message: "Password confirmed",
        reauthenticated_until: "2026-12-04T15:10:00.000Z",
      }),
    },
    "400": {
      description:
        "The password or code is wrong, or the account has no such factor; the passkey is not one of this account's, " +
        "or its challenge is unknown, used or expired (ask for new options)",
      content: {
        "application/json": {
          schema: schemaRef(HTTPError),
          examples: {
            password: { value: { detail: "Incorrect password" } },
            code: { value: { detail: "Invalid code" } },
            passkey: {
              value: {
                detail: "Passkey not recognized: ask for new options (POST /api/v1/login/reauthenticate/passkey/options) and try again",
              },
            },
          },
        },
      },
    },
    "429": throttled(
      "Too many failed password attempts for this account or address",
      "Too many failed sign-in attempts. Try again in 30 seconds.",
    ),
  },
});
