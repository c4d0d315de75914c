/** Mail: password recovery (the FastAPI template's endpoints), email verification and the test email. */
import { endpoint } from "../endpoint";
import { errorResponse, jsonContent, throttled } from "../responses";
import { EmailChangeToken, HTTPError, Message, NewPassword, RecoveryPath, TestEmailQuery, VerifyEmail } from "../../schemas";

const linkThrottled = throttled(
  "Too many failed attempts for this account or address (the sign-in limits)",
  "Too many failed sign-in attempts. Try again in 30 seconds.",
);

const invalidLink = (what: string) => ({
  description: `${what}: \`Invalid token\` (unknown, expired, used, superseded, or its account changed or is gone) or \`Inactive user\``,
  content: jsonContent(HTTPError, { detail: "Invalid token" }),
});

export const recoverPassword = endpoint({
  method: "POST",
  path: "/api/v1/password-recovery/{email}",
  tag: "login",
  operationId: "login-recover_password",
  summary: "Password recovery",
  description:
    "Mails a password reset link to the address when it belongs to an active account (at most 3 an hour " +
    "per address). The answer is the same, and as fast, whether or not it does: it says nothing about the " +
    "address. The link works once, for `EMAIL_RESET_TOKEN_EXPIRE_HOURS` (1 by default), and a newer link " +
    "or a password change ends it.",
  auth: "none",
  params: RecoveryPath,
  responses: {
    "200": {
      description: "Always, for any well-formed address",
      content: jsonContent(Message, { message: "If that email is registered, we sent a password recovery link" }),
    },
  },
});

export const resetPassword = endpoint({
  method: "POST",
  path: "/api/v1/reset-password/",
  tag: "login",
  operationId: "login-reset_password",
  summary: "Reset password",
  description:
    "Sets a new password with the token of a reset (or invitation) link. The new password passes the " +
    "sign-up policy. On success every access token and browser sign-in of the user is revoked, the address " +
    "counts as verified and a notice is mailed. Attempts count toward the sign-in throttle of the account and address.",
  auth: "none",
  body: { schema: NewPassword },
  responses: {
    "200": { description: "Password updated", content: jsonContent(Message, { message: "Password updated successfully" }) },
    "400": invalidLink("The token cannot be used"),
    "429": linkThrottled,
  },
});

export const recoverPasswordHtmlContent = endpoint({
  method: "POST",
  path: "/api/v1/password-recovery-html-content/{email}",
  tag: "login",
  operationId: "login-recover_password_html_content",
  summary: "Password recovery mail, as HTML (superuser)",
  description:
    "The HTML of the recovery mail the address would get, for previewing. Its link carries a placeholder, " +
    "not a working token, and nothing is sent.",
  auth: "superuser",
  params: RecoveryPath,
  responses: {
    "200": { description: "The mail's HTML", content: { "text/html": { schema: { type: "string" } } } },
    "404": errorResponse("No account has this address", "The user with this email does not exist in the system."),
  },
});

export const testEmail = endpoint({
  method: "POST",
  path: "/api/v1/utils/test-email/",
  tag: "utils",
  operationId: "utils-test_email",
  summary: "Test email (superuser)",
  description:
    "Sends a test mail to `email_to`, after answering: the answer does not say whether it was delivered. " +
    "A failure is logged and recorded in the superuser's activity (`email_send_failed`).",
  auth: "superuser",
  query: TestEmailQuery,
  responses: { "201": { description: "Queued", content: jsonContent(Message, { message: "Test email sent" }) } },
});

export const verifyEmail = endpoint({
  method: "POST",
  path: "/api/v1/verify-email/",
  tag: "login",
  operationId: "login-verify_email",
  summary: "Verify email",
  description:
    "Confirms the account's address with the token of a verification link (mailed at sign-up, on an email " +
    "change, or on request). Single use; a newer link or an email change ends it.",
  auth: "none",
  body: { schema: VerifyEmail },
  responses: {
    "200": { description: "Verified", content: jsonContent(Message, { message: "Email verified" }) },
    "400": invalidLink("The token cannot be used"),
    "429": linkThrottled,
  },
});

export const requestEmailVerification = endpoint({
  method: "POST",
  path: "/api/v1/users/me/verify-email",
  tag: "users",
  operationId: "users-request_email_verification",
  summary: "Send me a new verification link",
  description: "Mails a new verification link to the account's address (5 verification mails an hour), superseding earlier ones.",
  auth: "active",
  responses: {
    "202": { description: "Queued", content: jsonContent(Message, { message: "Verification email sent" }) },
    "400": errorResponse("The address is already verified", "Email already verified"),
    "429": throttled("Too many verification mails (5 an hour)", "Too many verification emails. Try again in 3600 seconds."),
  },
});

export const confirmEmailChange = endpoint({
  method: "POST",
  path: "/api/v1/confirm-email-change/",
  tag: "login",
  operationId: "login-confirm_email_change",
  summary: "Confirm an email change",
  description:
    "Moves the account to the new address with the token of the link mailed there (`PATCH /users/me` asked " +
    "for it). The address counts as verified. Single use; lives `EMAIL_CHANGE_TOKEN_EXPIRE_HOURS` (24); a newer " +
    "change request or a cancel ends it. Attempts count toward the sign-in throttle of the account and address.",
  auth: "none",
  body: { schema: EmailChangeToken },
  responses: {
    "200": { description: "Changed", content: jsonContent(Message, { message: "Email changed to new@example.com" }) },
    "400": invalidLink("The token cannot be used"),
    "409": errorResponse("The new address was taken by another account meanwhile", "This address now belongs to another account"),
    "429": linkThrottled,
  },
});

export const cancelEmailChange = endpoint({
  method: "POST",
  path: "/api/v1/cancel-email-change/",
  tag: "login",
  operationId: "login-cancel_email_change",
  summary: "Undo an email change",
  description:
    "With the token of the link mailed to the **old** address when a change was asked: cancels the change, or, " +
    "if the new address already confirmed it, moves the account back to the old address; and in both cases " +
    "signs out everywhere (every access token, refresh token and browser session of the user). Single use; " +
    "lives `EMAIL_CHANGE_CANCEL_EXPIRE_HOURS` (168), whatever changes follow.",
  auth: "none",
  body: { schema: EmailChangeToken },
  responses: {
    "200": {
      description: "Undone, signed out everywhere",
      content: jsonContent(Message, {
        message: "The email change was undone and every device was signed out. Sign in with old@example.com.",
      }),
    },
    "400": invalidLink("The token cannot be used"),
    "409": errorResponse(
      "Signed out everywhere, but the old address now belongs to another account",
      "Every device was signed out, but old@example.com now belongs to another account: the account keeps new@example.com. Contact the administrator.",
    ),
    "429": linkThrottled,
  },
});
