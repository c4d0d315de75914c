/**
 * Every error the API answers with, and the one place that turns an error into a response.
 * Bodies follow FastAPI's shape: `{"detail": ...}`.
 */
import { isDatabaseUnavailable, isStorageFull } from "../db/errors";

export type FieldError = { loc: (string | number)[]; msg: string; type: string };

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string | FieldError[],
    readonly headers: Record<string, string> = {},
    /** Extra top-level body fields, e.g. `reason` on 401s or OAuth2's `error`. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(typeof detail === "string" ? detail : "Validation error");
    this.name = "HttpError";
  }
}

/** Sign-in refused by the brute-force throttle (lib/auth/throttle.ts) until `retryAfterSeconds` pass. */
export class LoginThrottledError extends HttpError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, `Too many failed sign-in attempts. Try again in ${retryAfterSeconds} seconds.`, {
      "Retry-After": String(retryAfterSeconds),
    });
  }
}

/**
 * Load shed (lib/auth/bcrypt-pool.ts): more of this work is waiting than the server gets through in time.
 * 503 with Retry-After, at once, rather than an answer after the client gave up.
 */
export class OverloadedError extends HttpError {
  constructor(what: string, readonly retryAfterSeconds: number) {
    super(503, `The server is busy ${what}. Try again in ${retryAfterSeconds} seconds.`, {
      "Retry-After": String(retryAfterSeconds),
    });
  }
}

export const REAUTH_REQUIRED = "Confirm your password to continue";

export type InvalidTokenReason = "invalid" | "expired" | "revoked";

const invalidTokenDescriptions: Record<InvalidTokenReason, string> = {
  invalid: "The access token is malformed, has a bad signature or names an unknown user",
  expired: "The access token expired",
  revoked: "The access token was revoked",
};

export const errors = {
  /** No Authorization header, or not the Bearer scheme. */
  notAuthenticated: () =>
    new HttpError(401, "Not authenticated", { "WWW-Authenticate": "Bearer" }),
  invalidToken: (reason: InvalidTokenReason) =>
    new HttpError(
      401,
      "Could not validate credentials",
      {
        "WWW-Authenticate": `Bearer error="invalid_token", error_description="${invalidTokenDescriptions[reason]}"`,
      },
      { reason },
    ),
  /** The token endpoint's answer for an unknown email and for a wrong password alike. */
  invalidGrant: () =>
    new HttpError(400, "Incorrect email or password", {}, {
      error: "invalid_grant",
      error_description: "Incorrect email or password",
    }),
  /**
   * An OAuth2 error from the token or revocation endpoint (RFC 6749 §5.2): `error` and
   * `error_description`, with the same text as `detail`.
   */
  oauth: (status: number, error: string, description: string) =>
    new HttpError(status, description, {}, { error, error_description: description }),
  unsupportedGrantType: () =>
    new HttpError(400, "Unsupported grant_type: use password or refresh_token", {}, {
      error: "unsupported_grant_type",
      error_description: "Unsupported grant_type: use password or refresh_token",
    }),
  /**
   * A sensitive change asked with a token that has no fresh proof of a factor ("sudo mode"). The OAuth 2.0
   * step-up challenge (RFC 9470): 401 with `insufficient_user_authentication` and the `max_age` a proof
   * may have; `reason` tells our pages (and any client) to ask for the password, not to sign out.
   */
  reauthRequired: (maxAgeSeconds: number) =>
    new HttpError(
      401,
      REAUTH_REQUIRED,
      {
        "WWW-Authenticate": `Bearer error="insufficient_user_authentication", error_description="A recent password confirmation is required", max_age=${maxAgeSeconds}`,
      },
      { reason: "reauth_required", max_age: maxAgeSeconds },
    ),
  badRequest: (detail: string) => new HttpError(400, detail),
  inactiveUser: () => new HttpError(403, "Inactive user"),
  notSuperuser: () => new HttpError(403, "The user doesn't have enough privileges"),
  forbidden: (detail: string) => new HttpError(403, detail),
  /** MFA_REQUIRED covers the account and it has no second factor yet: only enrolment is open to it. */
  mfaEnrolmentRequired: () =>
    new HttpError(403, "Set up two-factor authentication first", {}, { reason: "mfa_enrolment_required" }),
  notFound: (detail: string) => new HttpError(404, detail),
  conflict: (detail: string) => new HttpError(409, detail),
  methodNotAllowed: (allowed: string[]) => new HttpError(405, "Method Not Allowed", { Allow: allowed.join(", ") }),
  // The unread rest of the body is still on the connection: close it rather than reuse it.
  payloadTooLarge: (limit: number) =>
    new HttpError(413, `Request body is larger than ${Math.round(limit / 1024)} KiB`, { Connection: "close" }),
  loginThrottled: (retryAfterSeconds: number) => new LoginThrottledError(retryAfterSeconds),
  /** Any other rate limit: "<what>. Try again in N seconds." with Retry-After. */
  tooManyRequests: (what: string, retryAfterSeconds: number) =>
    new HttpError(429, `${what}. Try again in ${retryAfterSeconds} seconds.`, { "Retry-After": String(retryAfterSeconds) }),
  overloaded: (what: string, retryAfterSeconds: number) => new OverloadedError(what, retryAfterSeconds),
  validation: (detail: FieldError[]) => new HttpError(422, detail),
  unprocessable: (detail: string) => new HttpError(422, detail),
};

/** Seconds a client is asked to wait when the server's storage is full (an operator has to free space). */
export const STORAGE_FULL_RETRY_AFTER_SECONDS = 30;

/** The last line of an error's message: the driver's own words, without Prisma's call-site preamble. */
const lastLine = (error: unknown) => (error instanceof Error ? error.message.trim().split("\n").pop() : String(error));

/**
 * Converts anything thrown by a handler into a JSON response. A database that cannot be used (down,
 * restarting, out of connections) is a 503 the client may retry; a write refused because the disk is full
 * is a 507 (nothing was saved: the write's transaction rolled back); other unknown errors become a bare 500.
 * The first two log one line, no stack: an outage would otherwise flood the log with identical traces.
 *
 * A 503 to a write (any method but GET, HEAD, OPTIONS) says `"outcome": "unknown"`: the connection may
 * have broken while the COMMIT was in flight, so the change may have been saved (docs/faults.md says how a
 * client learns which). A 507 is definite: SQLite refused the write before the commit.
 */
export function errorResponse(error: unknown, request?: Pick<Request, "method">): Response {
  if (!(error instanceof HttpError) && isStorageFull(error)) {
    console.error(`Storage full, write refused: ${lastLine(error)}`);
    error = new HttpError(507, "The server's storage is full: nothing was saved. Try again later.", {
      "Retry-After": String(STORAGE_FULL_RETRY_AFTER_SECONDS),
    });
  }
  if (!(error instanceof HttpError) && isDatabaseUnavailable(error)) {
    console.error(`Database unavailable: ${lastLine(error)}`);
    const write = request !== undefined && !["GET", "HEAD", "OPTIONS"].includes(request.method);
    error = write
      ? new HttpError(
          503,
          "Database unavailable: the change may or may not have been saved. Try again shortly",
          { "Retry-After": "5" },
          { outcome: "unknown" },
        )
      : new HttpError(503, "Database unavailable, try again shortly", { "Retry-After": "5" });
  }
  if (error instanceof HttpError) {
    return Response.json(
      { detail: error.detail, ...error.extra },
      { status: error.status, headers: { "Cache-Control": "no-store", ...error.headers } },
    );
  }
  // Log the failure without request data: bodies may hold passwords, headers may hold tokens.
  console.error("Unhandled error in API handler:", error instanceof Error ? error.stack : error);
  return Response.json(
    { detail: "Internal server error" },
    { status: 500, headers: { "Cache-Control": "no-store" } },
  );
}
