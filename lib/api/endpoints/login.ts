/** Tokens: the password login, the browser's token, testing and signing out. */
import { endpoint } from "../endpoint";
import { errorResponse, jsonContent, ok, schemaRef, throttled } from "../responses";
import { HTTPError, LoginRequest, AccessTokenResponse, Logout, LogoutResponse, OAuth2Error, TokenError, UserPublic } from "../schemas";

export const loginAccessToken = endpoint({
  method: "POST",
  path: "/api/v1/login/access-token",
  tag: "login",
  operationId: "login-login_access_token",
  summary: "Log in with email and password (OAuth2 password grant)",
  description:
    "Exchanges an email (`username`) and password for a bearer access token. Send the token as " +
    "`Authorization: Bearer <access_token>` on every protected endpoint. An unknown email and a wrong " +
    "password give the same 400 answer.",
  auth: "none",
  body: { schema: LoginRequest, form: true },
  responses: {
    "200": ok("The access token (`Cache-Control: no-store`)", AccessTokenResponse),
    "400": {
      description: "Incorrect email or password (or an inactive user, or a body that is not JSON)",
      content: { "application/json": { schema: { oneOf: [schemaRef(OAuth2Error), schemaRef(HTTPError)] } } },
    },
    "403": errorResponse("EMAIL_VERIFICATION=required and the account has not verified its address", "Email not verified"),
    "429": throttled(
      "Too many failed sign-in attempts for this account or address",
      "Too many failed sign-in attempts. Try again in 30 seconds.",
    ),
  },
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
  body: { schema: Logout, optional: true },
  responses: { "200": { description: "Signed out", content: jsonContent(LogoutResponse) } },
});
