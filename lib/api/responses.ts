/**
 * OpenAPI response objects for the declarations (lib/api/endpoints/), and the ones that follow from a
 * declaration's access rule and inputs (added by lib/api/openapi.ts).
 */
import { z } from "zod";
import { MAX_BODY_BYTES } from "../http/handler";
import type { Access, Declaration, ResponseObject } from "./endpoint";
import {
  AccessTokenResponse,
  HTTPError,
  HTTPValidationError,
  MfaEnrolmentRequiredError,
  ReauthRequiredError,
  TokenError,
} from "../schemas";

/** `$ref` to a registered schema (one with `.meta({ id })`), or the schema inline. */
export function schemaRef(schema: z.ZodType): object {
  const id = z.globalRegistry.get(schema)?.id;
  if (id) return { $ref: `#/components/schemas/${id}` };
  const { $schema: _schema, ...inline } = z.toJSONSchema(schema, { io: "output", unrepresentable: "any" }) as Record<string, unknown>;
  return inline;
}

export const jsonContent = (schema: z.ZodType, example?: unknown) => ({
  "application/json": example === undefined ? { schema: schemaRef(schema) } : { schema: schemaRef(schema), example },
});

/** A success answer with a JSON body. */
export const ok = (description: string, schema: z.ZodType): ResponseObject => ({ description, content: jsonContent(schema) });

/** An error answer with the `detail` it really carries, as Swagger UI's Example Value. */
export const errorResponse = (description: string, detail: string): ResponseObject => ({
  description,
  content: jsonContent(HTTPError, { detail }),
});

const retryAfter = { "Retry-After": { description: "Seconds to wait", schema: { type: "integer" } } };

/** 429 with `Retry-After`. */
export const throttled = (description: string, detail: string): ResponseObject => ({
  description: `${description}; \`Retry-After\` says how many seconds to wait`,
  headers: retryAfter,
  content: jsonContent(HTTPError, { detail }),
});

/** What every way of signing in answers (a password, a password and a second factor, a passkey): the tokens. */
export const tokensIssued = ok("The access token, and for API clients a refresh token (`Cache-Control: no-store`)", AccessTokenResponse);

/** A sign-in's refusal under EMAIL_VERIFICATION=required. */
export const emailNotVerified = errorResponse("EMAIL_VERIFICATION=required and the account has not verified its address", "Email not verified");

export const emailChangesThrottled = throttled(
  "Too many email changes (5 an hour, taken addresses included)",
  "Too many email changes. Try again in 3600 seconds.",
);

export const emailTaken = errorResponse("The email is taken", "The user with this email already exists in the system");
/** The superuser rules (lib/accounts/users.ts SUPERUSER_RULES): nobody deactivates, demotes or deletes themselves or the last active superuser. */
export const superuserRule = (what: string, detail: string) =>
  errorResponse(
    `${what}, or the change would leave no active superuser ("This is the last active superuser: …")`,
    detail,
  );
export const userNotFound = errorResponse("No such user", "The user with this id does not exist in the system");

const unauthenticated: ResponseObject = {
  description:
    'No bearer token (`{"detail": "Not authenticated"}`, `WWW-Authenticate: Bearer`), or one that is ' +
    'invalid, expired or revoked (`reason` says which; `WWW-Authenticate: Bearer error="invalid_token"`).',
  headers: {
    "WWW-Authenticate": {
      description: 'The challenge: `Bearer`, or `Bearer error="invalid_token", error_description="..."`',
      schema: { type: "string" },
    },
  },
  content: { "application/json": { schema: { oneOf: [schemaRef(HTTPError), schemaRef(TokenError)] } } },
};

/** The line a sensitive endpoint's description ends with: which proofs its body takes ("sudo mode"). */
export const FRESH_PROOF_NOTE =
  "\n\n**Needs a fresh proof** (\"sudo mode\"): `password`, `code`, `recovery_code` or `passkey` (an assertion for the " +
  "options of `POST /api/v1/login/reauthenticate/passkey/options`) in this body, or a " +
  "`POST /api/v1/login/reauthenticate` with this token within the last REAUTH_MAX_AGE_MINUTES (10); otherwise 401 " +
  "with `reason: \"reauth_required\"`.";

/**
 * 401 of a sensitive change ("sudo mode", lib/accounts/reauthentication.ts): the bearer failures above, or a
 * token without a fresh proof of the password (RFC 9470's step-up challenge).
 */
export const reauthRequired: ResponseObject = {
  description:
    unauthenticated.description +
    ' Or no fresh proof of the password: `reason` `"reauth_required"`, `max_age` in seconds, and ' +
    '`WWW-Authenticate: Bearer error="insufficient_user_authentication", max_age=…` (RFC 9470). Confirm the ' +
    "password with `POST /api/v1/login/reauthenticate` (or send it in this request's body) and try again.",
  headers: unauthenticated.headers,
  content: {
    "application/json": {
      schema: { oneOf: [schemaRef(HTTPError), schemaRef(TokenError), schemaRef(ReauthRequiredError)] },
      example: { detail: "Confirm your password to continue", reason: "reauth_required", max_age: 600 },
    },
  },
};

/** The answers the current-user chain gives before a handler runs. */
function accessFailures(access: Access): Record<string, ResponseObject> {
  switch (access) {
    case "none":
      return {};
    case "user":
      return { "401": unauthenticated };
    case "active":
      return { "401": unauthenticated, "403": errorResponse("Inactive user", "Inactive user") };
    case "superuser":
      return {
        "401": unauthenticated,
        "403": errorResponse("Inactive user, or not a superuser", "The user doesn't have enough privileges"),
      };
  }
}

const invalidInput: ResponseObject = {
  description: "Missing or invalid fields, or the wrong content type",
  content: jsonContent(HTTPValidationError),
};

/** The answers a declaration's inputs imply. */
function inputFailures(declaration: Declaration): Record<string, ResponseObject> {
  const failures: Record<string, ResponseObject> = {};
  if (declaration.body) {
    failures["400"] = errorResponse("The body is not valid JSON", "Request body is not valid JSON");
    failures["413"] = errorResponse(
      `The body is larger than ${MAX_BODY_BYTES / 1024} KiB`,
      `Request body is larger than ${MAX_BODY_BYTES / 1024} KiB`,
    );
  }
  if (declaration.body || declaration.query || declaration.params) failures["422"] = invalidInput;
  return failures;
}

/** 403 of MFA_REQUIRED (lib/accounts/mfa-enforcement.ts) to an account it covers that has no second factor yet. */
export const enrolmentRequired: ResponseObject = {
  description:
    'MFA_REQUIRED covers the account and it has no second factor yet (`reason` `"mfa_enrolment_required"`): enrol ' +
    "first (`POST /api/v1/users/me/mfa/totp`), then try again",
  content: jsonContent(MfaEnrolmentRequiredError, { detail: "Set up two-factor authentication first", reason: "mfa_enrolment_required" }),
};

type MediaType = { schema?: { oneOf?: object[] } & object; example?: unknown; examples?: Record<string, { summary?: string; value: unknown }> };

/**
 * One response for two that share a status: both descriptions, a `oneOf` of both schemas, and each example
 * under its own name (Swagger UI offers them in a list).
 */
function mergeResponses(first: ResponseObject, second: ResponseObject): ResponseObject {
  const media = (r: ResponseObject) => (r.content?.["application/json"] ?? {}) as MediaType;
  const schemas = [first, second].flatMap((r) => {
    const schema = media(r).schema;
    return schema?.oneOf ?? (schema ? [schema] : []);
  });
  const unique = schemas.filter((s, i) => schemas.findIndex((t) => JSON.stringify(t) === JSON.stringify(s)) === i);
  const examples = Object.fromEntries(
    [first, second].flatMap((r) => {
      const { example, examples: named } = media(r);
      if (named) return Object.entries(named);
      if (example === undefined) return [];
      const detail = (example as { reason?: string; detail?: unknown }).reason ?? (example as { detail?: unknown }).detail;
      return [[String(detail), { summary: String((example as { detail?: unknown }).detail ?? detail), value: example }]];
    }),
  );
  const headers = { ...first.headers, ...second.headers };
  return {
    description: `${first.description}; or: ${second.description}`,
    ...(Object.keys(headers).length ? { headers } : {}),
    content: {
      "application/json": {
        schema: unique.length === 1 ? unique[0] : { oneOf: unique },
        ...(Object.keys(examples).length ? { examples } : {}),
      },
    },
  };
}

/**
 * Every response of an operation: the declared ones win over the implied ones, except the 403 of
 * MFA_REQUIRED, which every authenticated operation not open `beforeEnrolment` may answer: it is merged
 * into the operation's other 403.
 */
export function responsesOf(declaration: Declaration): Record<string, ResponseObject> {
  const all = { ...accessFailures(declaration.auth), ...inputFailures(declaration), ...declaration.responses };
  if (declaration.auth !== "none" && !declaration.beforeEnrolment) {
    all["403"] = all["403"] ? mergeResponses(all["403"], enrolmentRequired) : enrolmentRequired;
  }
  return Object.fromEntries(Object.entries(all).sort(([a], [b]) => a.localeCompare(b)));
}
