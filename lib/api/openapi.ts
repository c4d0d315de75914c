/**
 * The OpenAPI 3.1 document, generated from the same zod schemas that validate requests.
 * Schemas with a `.meta({ id })` become `components.schemas`; the operations below reference them.
 */
import { z } from "zod";
// Imported for its effect: every schema with `.meta({ id })` registers itself in zod's global registry.
import "./schemas";
import { MAX_BODY_BYTES } from "../http/handler";

const ErrorDetail = z
  .object({ detail: z.string().meta({ example: "Not authenticated" }) })
  .meta({ id: "HTTPError" });

const ValidationError = z
  .object({
    detail: z.array(
      z.object({
        loc: z.array(z.union([z.string(), z.number()])).meta({ example: ["body", "email"] }),
        msg: z.string().meta({ example: "Enter a valid email address" }),
        type: z.string().meta({ example: "invalid_format" }),
      }),
    ),
  })
  .meta({ id: "HTTPValidationError" });

const TokenError = z
  .object({
    detail: z.literal("Could not validate credentials"),
    reason: z.enum(["invalid", "expired", "revoked"]).meta({ example: "expired" }),
  })
  .meta({ id: "TokenError", description: "The bearer token was refused; `reason` says why." });

const OAuth2Error = z
  .object({
    detail: z.string().meta({ example: "Incorrect email or password" }),
    error: z.literal("invalid_grant"),
    error_description: z.string().meta({ example: "Incorrect email or password" }),
  })
  .meta({ id: "OAuth2Error" });

// Referenced so the registry includes them.
void [ErrorDetail, ValidationError, TokenError, OAuth2Error];

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const jsonContent = (id: string) => ({ "application/json": { schema: ref(id) } });
/** An error body with the `detail` this response really carries, as Swagger UI's Example Value. */
const errorContent = (detail: string) => ({ "application/json": { schema: ref("HTTPError"), example: { detail } } });
const errorResponse = (description: string, detail: string) => ({ description, content: errorContent(detail) });

const emailChangesThrottled = {
  description: "Too many email changes (5 an hour, taken addresses included); `Retry-After` says how many seconds to wait",
  headers: { "Retry-After": { description: "Seconds to wait", schema: { type: "integer" } } },
  content: errorContent("Too many email changes. Try again in 3600 seconds."),
};

const bearerFailures = {
  "401": {
    description:
      'No bearer token (`{"detail": "Not authenticated"}`, `WWW-Authenticate: Bearer`), or one that is ' +
      'invalid, expired or revoked (`reason` says which; `WWW-Authenticate: Bearer error="invalid_token"`).',
    headers: {
      "WWW-Authenticate": {
        description: 'The challenge: `Bearer`, or `Bearer error="invalid_token", error_description="..."`',
        schema: { type: "string" },
      },
    },
    content: { "application/json": { schema: { oneOf: [ref("HTTPError"), ref("TokenError")] } } },
  },
  "403": errorResponse("Inactive user", "Inactive user"),
};
const superuserFailures = {
  ...bearerFailures,
  "403": errorResponse("Inactive user, or not a superuser", "The user doesn't have enough privileges"),
};
const badInput = {
  "400": errorResponse("The body is not valid JSON", "Request body is not valid JSON"),
  "413": errorResponse(
    `The body is larger than ${MAX_BODY_BYTES / 1024} KiB`,
    `Request body is larger than ${MAX_BODY_BYTES / 1024} KiB`,
  ),
  "422": { description: "Missing or invalid fields, or the wrong content type", content: jsonContent("HTTPValidationError") },
};
const secured = [{ OAuth2PasswordBearer: [] }, { HTTPBearer: [] }];
const jsonBody = (id: string, required = true) => ({ required, content: jsonContent(id) });
const ok = (description: string, id: string) => ({ description, content: jsonContent(id) });
const idParam = (description: string) => [
  { name: "id", in: "path", required: true, description, schema: { type: "string" } },
];

const paths = {
  "/api/v1/login/access-token": {
    post: {
      tags: ["login"],
      summary: "Log in with email and password (OAuth2 password grant)",
      description:
        "Exchanges an email (`username`) and password for a bearer access token. Send the token as " +
        "`Authorization: Bearer <access_token>` on every protected endpoint. An unknown email and a wrong " +
        "password give the same 400 answer.",
      requestBody: {
        required: true,
        content: {
          "application/x-www-form-urlencoded": { schema: ref("LoginRequest") },
          "application/json": { schema: ref("LoginRequest") },
        },
      },
      responses: {
        "200": ok("The access token (`Cache-Control: no-store`)", "Token"),
        "429": {
          description:
            "Too many failed sign-in attempts for this account or address; `Retry-After` says how many seconds to wait",
          headers: { "Retry-After": { description: "Seconds to wait", schema: { type: "integer" } } },
          content: errorContent("Too many failed sign-in attempts. Try again in 30 seconds."),
        },
        "400": {
          description: "Incorrect email or password (or an inactive user, or a body that is not JSON)",
          content: { "application/json": { schema: { oneOf: [ref("OAuth2Error"), ref("HTTPError")] } } },
        },
        "413": badInput["413"],
        "422": badInput["422"],
      },
    },
  },
  "/api/v1/login/session-token": {
    post: {
      tags: ["login"],
      summary: "Mint an access token for the signed-in browser",
      description:
        "For the app's own pages: exchanges the httpOnly Auth.js session cookie (set by signing in on " +
        "`/login`) for an access token, so a page can silently replace an expired or missing token. " +
        "Same-origin only; 401 without a sign-in, or when it was signed out or revoked.",
      responses: {
        "200": ok("The access token (`Cache-Control: no-store`)", "Token"),
        "401": {
          description: "No browser sign-in, or one that ended (`reason`: `revoked` or `expired`)",
          content: { "application/json": { schema: { oneOf: [ref("HTTPError"), ref("TokenError")] } } },
        },
        "403": errorResponse("Cross-site request refused, or inactive user", "Cross-site request refused"),
      },
    },
  },
  "/api/v1/login/test-token": {
    post: {
      tags: ["login"],
      summary: "Test an access token",
      description: "Returns the user the bearer token belongs to.",
      security: secured,
      responses: { "200": ok("The token's user", "UserPublic"), ...bearerFailures },
    },
  },
  "/api/v1/logout": {
    post: {
      tags: ["login"],
      summary: "Sign out",
      description:
        "Revokes the bearer token. With `{\"everywhere\": true}` revokes every token and browser sign-in of " +
        "the user, and lists the linked provider accounts (`linked_accounts`), which still sign in. " +
        "Revocation is stored in the database, so it survives restarts.",
      security: secured,
      requestBody: jsonBody("LogoutRequest", false),
      responses: { "200": ok("Signed out", "LogoutResponse"), ...bearerFailures, ...badInput },
    },
  },
  "/api/v1/users/signup": {
    post: {
      tags: ["users"],
      summary: "Create an account",
      requestBody: jsonBody("UserRegister"),
      responses: {
        "201": ok("The new user", "UserPublic"),
        "409": errorResponse("The email is taken", "The user with this email already exists in the system"),
        ...badInput,
      },
    },
  },
  "/api/v1/users/me": {
    get: {
      tags: ["users"],
      summary: "The current user",
      description: "The end of the current-user chain: bearer → verified claims → token not revoked → user → active.",
      security: secured,
      responses: { "200": ok("The current user", "UserPublic"), ...bearerFailures },
    },
    patch: {
      tags: ["users"],
      summary: "Update my name or email",
      security: secured,
      requestBody: jsonBody("UserUpdateMe"),
      responses: {
        "200": ok("The updated user", "UserPublic"),
        ...bearerFailures,
        "409": errorResponse("The email is taken", "The user with this email already exists in the system"),
        "429": emailChangesThrottled,
        ...badInput,
      },
    },
    delete: {
      tags: ["users"],
      summary: "Delete my account",
      description: "Deletes the account and all of its tokens. Superusers cannot delete themselves.",
      security: secured,
      responses: { "200": ok("Deleted", "Message"), ...bearerFailures },
    },
  },
  "/api/v1/users/me/password": {
    patch: {
      tags: ["users"],
      summary: "Change my password",
      description:
        "Revokes every other token of the user; the token used for this request stays valid. The answer lists " +
        "the linked provider accounts (`linked_accounts`), which sign in without the password. A wrong current " +
        "password counts as a failed sign-in of the account (the same throttle).",
      security: secured,
      requestBody: jsonBody("UpdatePassword"),
      responses: {
        "200": ok("Changed; `revoked` counts the other tokens revoked", "LogoutResponse"),
        ...bearerFailures,
        ...badInput,
        "400": errorResponse("Incorrect current password, or the same password again", "Incorrect password"),
        "429": {
          description: "Too many failed password attempts for this account or address; `Retry-After` says how many seconds to wait",
          headers: { "Retry-After": { description: "Seconds to wait", schema: { type: "integer" } } },
          content: errorContent("Too many failed sign-in attempts. Try again in 30 seconds."),
        },
      },
    },
  },
  "/api/v1/users/me/events": {
    get: {
      tags: ["users"],
      summary: "My recent authentication events",
      description:
        "The audit trail of the account, newest first (at most 50): sign-ins and failed attempts, throttling, " +
        "tokens issued and revoked, password changes, sign-outs everywhere. Never holds a password or a token.",
      security: secured,
      responses: { "200": ok("Recent events", "AuthEventsPublic"), ...bearerFailures },
    },
  },
  "/api/v1/users/me/accounts": {
    get: {
      tags: ["users"],
      summary: "My linked sign-in methods",
      description:
        "Provider accounts (OpenID Connect) linked to this user. Each signs in as the user without the " +
        "password, and survives password changes and signing out everywhere.",
      security: secured,
      responses: { "200": ok("Linked accounts", "LinkedAccountsPublic"), ...bearerFailures },
    },
  },
  "/api/v1/users/me/accounts/{id}": {
    delete: {
      tags: ["users"],
      summary: "Remove a linked sign-in method",
      description:
        "Unlinks the provider account and ends every other token and browser sign-in of the user (whoever " +
        "holds that provider account may be signed in through it); the token used for this request stays valid.",
      security: secured,
      parameters: idParam("The linked account's id, `<provider>:<provider_account_id>`"),
      responses: {
        "200": ok("Removed; `revoked` counts the other tokens revoked", "LogoutResponse"),
        ...bearerFailures,
        "404": { description: "No such linked account of this user", content: jsonContent("HTTPError") },
        "409": {
          description: "The only way to sign in to an account without a password",
          content: jsonContent("HTTPError"),
        },
      },
    },
  },
  "/api/v1/sessions": {
    get: {
      tags: ["sessions"],
      summary: "My live sessions",
      description: "The user's tokens that are neither expired nor revoked; `current` marks this request's.",
      security: secured,
      responses: { "200": ok("Live sessions", "SessionsPublic"), ...bearerFailures },
    },
  },
  "/api/v1/sessions/{id}": {
    delete: {
      tags: ["sessions"],
      summary: "Revoke one of my sessions",
      security: secured,
      parameters: idParam("The session (token) id"),
      responses: {
        "200": ok("Revoked", "Message"),
        ...bearerFailures,
        "404": errorResponse("No such live session of this user", "Session not found"),
      },
    },
  },
  "/api/v1/users": {
    get: {
      tags: ["users"],
      summary: "List users (superuser)",
      security: secured,
      parameters: [
        { name: "skip", in: "query", schema: { type: "integer", minimum: 0, default: 0 } },
        { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 1000, default: 100 } },
      ],
      responses: { "200": ok("A page of users", "UsersPublic"), ...superuserFailures, "422": badInput["422"] },
    },
    post: {
      tags: ["users"],
      summary: "Create a user (superuser)",
      security: secured,
      requestBody: jsonBody("UserCreate"),
      responses: {
        "201": ok("The new user", "UserPublic"),
        ...superuserFailures,
        "409": errorResponse("The email is taken", "The user with this email already exists in the system"),
        ...badInput,
      },
    },
  },
  "/api/v1/users/{id}": {
    get: {
      tags: ["users"],
      summary: "Read a user (superuser)",
      security: secured,
      parameters: idParam("The user id"),
      responses: {
        "200": ok("The user", "UserPublic"),
        ...superuserFailures,
        "404": errorResponse("No such user", "The user with this id does not exist in the system"),
      },
    },
    patch: {
      tags: ["users"],
      summary: "Update a user (superuser)",
      description: "A new password or a deactivation revokes the user's tokens.",
      security: secured,
      parameters: idParam("The user id"),
      requestBody: jsonBody("UserUpdate"),
      responses: {
        "200": ok("The updated user", "UserPublic"),
        ...superuserFailures,
        "404": errorResponse("No such user", "The user with this id does not exist in the system"),
        "409": errorResponse("The email is taken", "The user with this email already exists in the system"),
        "429": emailChangesThrottled,
        ...badInput,
      },
    },
    delete: {
      tags: ["users"],
      summary: "Delete a user (superuser)",
      security: secured,
      parameters: idParam("The user id"),
      responses: {
        "200": ok("Deleted", "Message"),
        ...superuserFailures,
        "404": errorResponse("No such user", "The user with this id does not exist in the system"),
      },
    },
  },
  "/api/health": {
    get: {
      tags: ["meta"],
      summary: "Health check",
      description: "`{\"status\": \"ok\"}` once the database answers.",
      responses: {
        "200": ok("Healthy", "Health"),
        "503": errorResponse("The database does not answer", "Database unavailable, try again shortly"),
      },
    },
  },
  "/api/openapi.json": {
    get: {
      tags: ["meta"],
      summary: "This document",
      responses: { "200": { description: "OpenAPI 3.1", content: { "application/json": {} } } },
    },
  },
};

/**
 * The registered schemas as `components.schemas`, referencing each other by `#/components/schemas/<id>`.
 * zod also stamps each one with `"$id": "#/components/schemas/<id>"`; that `$id` is dropped, because in
 * JSON Schema 2020-12 it sets the base URI that every `$ref` inside the schema resolves against, and
 * Swagger UI's OpenAPI 3.1 resolver then finds nothing: each schema shows as `any` and each example
 * as "string" (tests/unit/openapi.test.ts checks that no `$id` is left and that every `$ref` resolves).
 */
function componentSchemas(): Record<string, unknown> {
  const { schemas } = z.toJSONSchema(z.globalRegistry, {
    target: "draft-2020-12",
    io: "input",
    unrepresentable: "any",
    uri: (id) => `#/components/schemas/${id}`,
  });
  const out: Record<string, unknown> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    const { $schema: _schema, $id: _id, ...rest } = schema as Record<string, unknown>;
    // The title names the schema where Swagger UI shows it inline, e.g. a `oneOf` as "HTTPError | TokenError".
    out[id] = { title: id, ...rest };
  }
  return out;
}

let cached: object | undefined;

export function openApiDocument(): object {
  cached ??= {
    openapi: "3.1.0",
    info: {
      title: "Sign-in system API",
      version: "1.0.0",
      description:
        "Log in at `POST /api/v1/login/access-token` (OAuth2 password form) to get a bearer token, then " +
        "send it as `Authorization: Bearer <token>`. Every protected endpoint runs the same current-user " +
        "chain: verified JWT (HS256, `exp` required) → token record not revoked → user exists → active. " +
        "Tokens are signed with a persisted secret and revocations are stored in the database, so both " +
        "survive server restarts.",
    },
    servers: [{ url: "/" }],
    tags: [
      { name: "login", description: "Tokens: log in, test, sign out" },
      { name: "users", description: "Accounts" },
      { name: "sessions", description: "Live tokens of the current user" },
      { name: "meta", description: "Health and this document" },
    ],
    paths,
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        OAuth2PasswordBearer: {
          type: "oauth2",
          description: "Log in with email (as `username`) and password; the token is sent as a bearer token.",
          flows: { password: { tokenUrl: "/api/v1/login/access-token", scopes: {} } },
        },
        HTTPBearer: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "Paste an access token from the login endpoint.",
        },
      },
    },
  };
  return cached;
}
