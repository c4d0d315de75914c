/** Second factors: TOTP with recovery codes (my own, a superuser's reset) and the sign-in's second step. */
import { endpoint } from "../endpoint";
import { emailNotVerified, errorResponse, FRESH_PROOF_NOTE, jsonContent, reauthRequired, schemaRef, throttled, tokensIssued, userNotFound } from "../responses";
import {
  FactorProof,
  HTTPError,
  Message,
  MfaLogin,
  MfaStatus,
  OAuth2Error,
  RecoveryCodes,
  TotpConfirm,
  TotpEnrolment,
  UserIdParams,
} from "../../schemas";

const codeThrottled = throttled(
  "Too many failed sign-in attempts (passwords and codes count together) for this account or address",
  "Too many failed sign-in attempts. Try again in 30 seconds.",
);


const RECOVERY_CODES_EXAMPLE = {
  recovery_codes: [
    "k7dq-m2xp-9tfa", "w3hn-c8rv-2jye", "pz4k-tq7m-xb3s", "9vcd-hw2n-rk8e", "fa6t-3ymq-zu7p",
    "bn2x-e8kj-5wrc", "t4gs-q9pv-m3hd", "yr7e-2zcx-kn6a", "h3mu-v8tb-p2wq", "c5jn-x7ed-9syf",
  ],
};

export const readMfaStatus = endpoint({
  method: "GET",
  path: "/api/v1/users/me/mfa",
  tag: "users",
  operationId: "users-read_mfa_status",
  summary: "My second factors",
  description:
    "Whether sign-ins ask for a code from an authenticator app (TOTP), since when, how many recovery codes are left, " +
    "and which proofs this account can give when a sensitive change asks for one.",
  auth: "active",
  beforeEnrolment: true,
  responses: {
    "200": { description: "The status", content: jsonContent(MfaStatus, {
        totp_enabled: true,
        enabled_at: "2026-12-05T08:00:00.000Z",
        recovery_codes_left: 9,
        reauthentication_proofs: ["password", "code", "recovery_code", "passkey"],
      }) },
  },
});

export const disableMfa = endpoint({
  method: "DELETE",
  path: "/api/v1/users/me/mfa",
  tag: "users",
  operationId: "users-disable_mfa",
  summary: "Turn two-factor authentication off",
  description:
    "Removes the authenticator app's secret and the recovery codes: signing in needs only the password again. " +
    "Audited (`mfa_disabled`) and mailed to the account as a notice." + FRESH_PROOF_NOTE,
  auth: "active",
  body: { schema: FactorProof, optional: true },
  responses: {
    "200": { description: "Turned off", content: jsonContent(Message, { message: "Two-factor authentication turned off" }) },
    "400": errorResponse("Not on, or the proof given is wrong", "Invalid code"),
    "401": reauthRequired,
    "429": codeThrottled,
  },
});

export const startTotp = endpoint({
  method: "POST",
  path: "/api/v1/users/me/mfa/totp",
  tag: "users",
  operationId: "users-start_totp",
  summary: "Start enrolling an authenticator app (TOTP)",
  description:
    "Makes a new secret and answers it as text and as an `otpauth://` URI (show it as a QR code). Nothing " +
    "changes for sign-ins until `POST /api/v1/users/me/mfa/totp/confirm` proves the app holds it; starting " +
    "again replaces a secret not yet confirmed. 409 when two-factor authentication is on already." + FRESH_PROOF_NOTE,
  auth: "active",
  beforeEnrolment: true,
  body: { schema: FactorProof, optional: true },
  responses: {
    "200": {
      description: "The secret, shown this once",
      content: jsonContent(TotpEnrolment, {
        secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
        otpauth_uri:
          "otpauth://totp/Sign-in%20system:user%40example.com?issuer=Sign-in%20system&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30",
      }),
    },
    "400": errorResponse("The proof given is wrong", "Incorrect password"),
    "401": reauthRequired,
    "409": errorResponse("Two-factor authentication is on already", "Two-factor authentication is already on"),
    "429": codeThrottled,
  },
});

export const confirmTotp = endpoint({
  method: "POST",
  path: "/api/v1/users/me/mfa/totp/confirm",
  tag: "users",
  operationId: "users-confirm_totp",
  summary: "Confirm the authenticator app and turn two-factor authentication on",
  description:
    "Send the 6-digit code the app shows for the secret from `POST /api/v1/users/me/mfa/totp`. Answers ten " +
    "single-use recovery codes, **shown this once** (only their hashes are kept): each signs in once when the " +
    "phone is lost. From now on a password sign-in asks for a code. Audited (`mfa_enrolled`).",
  auth: "active",
  beforeEnrolment: true,
  body: { schema: TotpConfirm },
  responses: {
    "200": { description: "On; the recovery codes", content: jsonContent(RecoveryCodes, RECOVERY_CODES_EXAMPLE) },
    "400": errorResponse("A wrong or reused code, or no enrolment started", "Invalid code"),
    "409": errorResponse("Two-factor authentication is on already", "Two-factor authentication is already on"),
  },
});

export const regenerateRecoveryCodes = endpoint({
  method: "POST",
  path: "/api/v1/users/me/mfa/recovery-codes",
  tag: "users",
  operationId: "users-regenerate_recovery_codes",
  summary: "Make new recovery codes",
  description:
    "Ten new single-use recovery codes, shown this once; the old ones stop working. Audited " +
    "(`recovery_codes_regenerated`)." + FRESH_PROOF_NOTE,
  auth: "active",
  body: { schema: FactorProof, optional: true },
  responses: {
    "200": { description: "The new codes", content: jsonContent(RecoveryCodes, RECOVERY_CODES_EXAMPLE) },
    "400": errorResponse("Two-factor authentication is not on, or the proof given is wrong", "Two-factor authentication is not on"),
    "401": reauthRequired,
    "429": codeThrottled,
  },
});

export const resetUserMfa = endpoint({
  method: "DELETE",
  path: "/api/v1/users/{user_id}/mfa",
  tag: "users",
  operationId: "users-reset_user_mfa",
  summary: "Reset a user's second factors (superuser)",
  description:
    "For a user who lost their phone and their recovery codes: removes their authenticator app and recovery " +
    "codes, so they sign in with the password alone and can enrol again. Audited on the user's trail " +
    "(`mfa_reset`, method `admin`) and mailed to them.",
  auth: "superuser",
  params: UserIdParams,
  responses: {
    "200": { description: "Reset", content: jsonContent(Message, { message: "Second factors reset" }) },
    "404": userNotFound,
  },
});

export const loginMfa = endpoint({
  method: "POST",
  path: "/api/v1/login/mfa",
  tag: "login",
  operationId: "login-login_mfa",
  summary: "Complete a password login with a second factor",
  description:
    "The second step of the password grant for an account with two-factor authentication. The password step " +
    "(`POST /api/v1/login/access-token`) answers 401 `{\"detail\": \"Second factor required\", \"reason\": " +
    "\"mfa_required\", \"mfa_token\": \"…\", \"methods\": [\"totp\", \"recovery_code\"]}`; send that `mfa_token` here " +
    "with the app's current `code`, or with one `recovery_code`, and get the same answer as a password login " +
    "(access and refresh tokens).\n\nThe `mfa_token` is valid for 5 minutes, for 5 codes, and once: a wrong code " +
    "answers 400 `Invalid code` (try again with the same token), an expired, used or exhausted one 400 " +
    "`invalid_grant` (start again with the password). Codes count towards the same throttle as passwords (429). " +
    "A code is accepted once (a second use of it in its 30-second window is refused).",
  auth: "none",
  body: { schema: MfaLogin },
  responses: {
    "200": tokensIssued,
    "400": {
      description: "A wrong code (`Invalid code`), or a challenge that is unknown, expired, used or out of tries",
      content: {
        "application/json": {
          schema: { oneOf: [schemaRef(OAuth2Error), schemaRef(HTTPError)] },
          example: { detail: "Invalid code", error: "invalid_grant", error_description: "Invalid code" },
        },
      },
    },
    "403": emailNotVerified,
    "429": codeThrottled,
  },
});
