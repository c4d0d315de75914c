/** The error bodies: FastAPI's `{"detail": ...}`, the OAuth2 token errors, the step-up challenge. */
import { z } from "zod";

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

export const MfaEnrolmentRequiredError = z
  .object({
    detail: z.literal("Set up two-factor authentication first"),
    reason: z.literal("mfa_enrolment_required"),
  })
  .meta({
    id: "MfaEnrolmentRequiredError",
    description: "MFA_REQUIRED covers the account and it has no second factor yet: only enrolling is open to it.",
  });

export const OAuth2Error = z
  .object({
    detail: z.string().meta({ example: "Incorrect email or password" }),
    error: z.enum(["invalid_grant", "unsupported_grant_type"]),
    error_description: z.string().meta({ example: "Incorrect email or password" }),
  })
  .meta({ id: "OAuth2Error" });
