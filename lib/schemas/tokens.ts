/** Tokens: the token endpoint (password and refresh grants), revocation, sign-out, re-authentication, and what clients discover (JWKS, authorization server metadata). */
import { z } from "zod";
import { GivenPassword } from "./fields";
import { LinkedAccountPublic } from "./activity";

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
    password: z.string().max(1024).optional().meta({
      description:
        "Password grant: the password; for an account with an authenticator app, the password followed directly by " +
        "the app's current 6-digit code also signs in (AUTH_MFA_CODE_IN_PASSWORD)",
      example: "correct horse battery",
    }),
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

export const ReauthenticateResponse = z
  .object({
    message: z.string().meta({ example: "Password confirmed" }),
    reauthenticated_until: z.string().meta({
      description: "Until when this token may make sensitive changes (ISO 8601)",
      example: "2026-12-04T15:10:00.000Z",
    }),
  })
  .meta({ id: "ReauthenticateResponse" });

export const Logout = z
  .object({
    everywhere: z
      .boolean()
      .default(false)
      .meta({ description: "Revoke every token of the user, not only the one sent" }),
  })
  .meta({ id: "LogoutRequest" });

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
