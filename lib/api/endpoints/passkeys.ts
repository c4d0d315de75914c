/** Passkeys (WebAuthn): my passkeys, signing in with one, and one as the second step of a password login. */
import { endpoint } from "../endpoint";
import { emailNotVerified, errorResponse, FRESH_PROOF_NOTE, jsonContent, reauthRequired, throttled, tokensIssued } from "../responses";
import {
  FactorProof,
  Message,
  MfaPasskeyOptionsRequest,
  OAuth2Error,
  PasskeyAuthenticationOptions,
  PasskeyIdParams,
  PasskeyLogin,
  PasskeyPublic,
  PasskeyRegister,
  PasskeyRegistrationOptions,
  PasskeyRename,
  PasskeysPublic,
} from "../../schemas";

const PASSKEY_EXAMPLE = { id: "cmb0x1y2z0000abcd1234efgh", name: "MacBook Touch ID", created_at: "2026-12-05T08:00:00.000Z", last_used_at: "2026-12-05T09:30:00.000Z" };

const passkeyThrottled = throttled(
  "Too many failed sign-in attempts (passwords, codes and passkeys count together) for this account or address",
  "Too many failed sign-in attempts. Try again in 30 seconds.",
);

const notFound = errorResponse("No such passkey of this user", "Passkey not found");

const refused = (description: string, detail: string) => ({
  description,
  content: jsonContent(OAuth2Error, { detail, error: "invalid_grant", error_description: detail }),
});

export const readPasskeys = endpoint({
  method: "GET",
  path: "/api/v1/users/me/passkeys",
  tag: "users",
  operationId: "users-read_passkeys",
  summary: "My passkeys",
  description: "The passkeys registered to this account, oldest first: name, when added, when last used.",
  auth: "active",
  responses: { "200": { description: "The passkeys", content: jsonContent(PasskeysPublic, { data: [PASSKEY_EXAMPLE], count: 1 }) } },
});

export const passkeyRegistrationOptions = endpoint({
  method: "POST",
  path: "/api/v1/users/me/passkeys/registration-options",
  tag: "users",
  operationId: "users-passkey_registration_options",
  summary: "Start adding a passkey",
  description:
    "The options for `navigator.credentials.create()` (pass them to `startRegistration({ optionsJSON })` of " +
    "`@simplewebauthn/browser`), then send its result to `POST /api/v1/users/me/passkeys` within 5 minutes. The " +
    "passkey is discoverable (it signs in without an email typed); user verification is preferred." + FRESH_PROOF_NOTE,
  auth: "active",
  body: { schema: FactorProof, optional: true },
  responses: {
    "200": { description: "The creation options", content: jsonContent(PasskeyRegistrationOptions) },
    "400": errorResponse("The proof given is wrong", "Incorrect password"),
    "401": reauthRequired,
    "409": errorResponse("The account has the most passkeys it may have", "An account can have at most 20 passkeys: remove one first"),
    "429": passkeyThrottled,
  },
});

export const registerPasskey = endpoint({
  method: "POST",
  path: "/api/v1/users/me/passkeys",
  tag: "users",
  operationId: "users-register_passkey",
  summary: "Add a passkey",
  description:
    "The browser's response to the options of `POST /api/v1/users/me/passkeys/registration-options` (their " +
    "challenge works once, for 5 minutes), with a name. The origin and RP ID are checked against the app's URL " +
    "(AUTH_URL, or the address it serves; FRONTEND_HOST on the same site). From now on a password sign-in of " +
    "this account asks for a second factor, which the passkey can give. Audited (`passkey_registered`) and " +
    "mailed as a notice.",
  auth: "active",
  body: { schema: PasskeyRegister },
  responses: {
    "201": { description: "The passkey", content: jsonContent(PasskeyPublic, { ...PASSKEY_EXAMPLE, last_used_at: null }) },
    "400": errorResponse("The challenge is unknown, used or expired, or the response does not verify", "The passkey registration expired or was already used: start again"),
    "409": errorResponse("The passkey is registered already", "This passkey is registered already"),
  },
});

export const renamePasskey = endpoint({
  method: "PATCH",
  path: "/api/v1/users/me/passkeys/{id}",
  tag: "users",
  operationId: "users-rename_passkey",
  summary: "Rename a passkey",
  auth: "active",
  params: PasskeyIdParams,
  body: { schema: PasskeyRename },
  responses: { "200": { description: "Renamed", content: jsonContent(PasskeyPublic, PASSKEY_EXAMPLE) }, "404": notFound },
});

export const removePasskey = endpoint({
  method: "DELETE",
  path: "/api/v1/users/me/passkeys/{id}",
  tag: "users",
  operationId: "users-remove_passkey",
  summary: "Remove a passkey",
  description:
    "It no longer signs in or serves as a second factor. Audited (`passkey_removed`) and mailed as a notice. " +
    "The last way to sign in of an account stays: 409 when no password, linked provider or other passkey would be left." +
    FRESH_PROOF_NOTE,
  auth: "active",
  params: PasskeyIdParams,
  body: { schema: FactorProof, optional: true },
  responses: {
    "200": { description: "Removed", content: jsonContent(Message, { message: "Passkey removed" }) },
    "400": errorResponse("The proof given is wrong", "Incorrect password"),
    "401": reauthRequired,
    "404": notFound,
    "409": errorResponse(
      "The passkey is the account's last way to sign in (no password, no linked provider, no other passkey)",
      "This passkey is the only way to sign in to this account; add another passkey or link a provider before removing it",
    ),
    "429": passkeyThrottled,
  },
});

export const passkeyLoginOptions = endpoint({
  method: "POST",
  path: "/api/v1/login/passkey/options",
  tag: "login",
  operationId: "login-passkey_options",
  summary: "Start a passkey sign-in",
  description:
    "The options for `navigator.credentials.get()` (pass them to `startAuthentication({ optionsJSON })`): no " +
    "`allowCredentials`, so any passkey of this site on the device can answer (no email needed; also for the " +
    "browser's passkey autofill). The challenge works once, for 5 minutes.",
  auth: "none",
  responses: { "200": { description: "The request options", content: jsonContent(PasskeyAuthenticationOptions) } },
});

export const passkeyLogin = endpoint({
  method: "POST",
  path: "/api/v1/login/passkey",
  tag: "login",
  operationId: "login-login_passkey",
  summary: "Sign in with a passkey",
  description:
    "The response of `startAuthentication()` to the options of `POST /api/v1/login/passkey/options`. Answers " +
    "what a password login answers: an access token and a refresh token, and the same refusals for the account " +
    "(inactive, unverified under EMAIL_VERIFICATION=required). No second factor is asked: the passkey is one. " +
    "A wrong or unknown passkey, a used or expired challenge, a signature counter that went back, or another " +
    "origin or RP ID answer 400 `invalid_grant`, and count as failed sign-ins in the throttle (429).",
  auth: "none",
  body: { schema: PasskeyLogin },
  responses: {
    "200": tokensIssued,
    "400": refused("Not a valid assertion of a registered passkey", "Passkey not recognized: try again, or sign in with your password"),
    "403": emailNotVerified,
    "429": passkeyThrottled,
  },
});

export const mfaPasskeyOptions = endpoint({
  method: "POST",
  path: "/api/v1/login/mfa/passkey-options",
  tag: "login",
  operationId: "login-mfa_passkey_options",
  summary: "Options for a passkey as the second factor",
  description:
    "For a password login answered with `mfa_required` whose `methods` include `\"passkey\"`: the options for " +
    "`startAuthentication({ optionsJSON })`, limited to the account's passkeys. Send the result as `passkey` " +
    "with the same `mfa_token` to `POST /api/v1/login/mfa`. Asking does not use up one of the challenge's tries.",
  auth: "none",
  body: { schema: MfaPasskeyOptionsRequest },
  responses: {
    "200": { description: "The request options", content: jsonContent(PasskeyAuthenticationOptions) },
    "400": refused("The challenge is unknown, expired, used or out of tries, or the account has no passkey", "No passkey for this sign-in: it expired, or the account has none"),
  },
});

export const reauthenticationPasskeyOptions = endpoint({
  method: "POST",
  path: "/api/v1/login/reauthenticate/passkey/options",
  tag: "login",
  operationId: "login-reauthenticate_passkey_options",
  summary: "Options for a passkey as the fresh proof of a sensitive change",
  description:
    "Sudo mode with a passkey: the options for `startAuthentication({ optionsJSON })`, limited to this account's " +
    "passkeys. Send the result as `passkey` to `POST /api/v1/login/reauthenticate`, or in the body of the sensitive " +
    "request itself. The challenge is this user's, works once, for 5 minutes, and only as such a proof (not to sign in).",
  auth: "active",
  beforeEnrolment: true,
  responses: {
    "200": {
      description: "The request options",
      content: jsonContent(PasskeyAuthenticationOptions, {
        rpId: "example.com",
        challenge: "q7Hk2yq1s6rB0n3kQw9xVt5mZp8aLc4dEf1gHi2jKl0",
        timeout: 120000,
        userVerification: "preferred",
        allowCredentials: [{ id: "dGhlLWNyZWRlbnRpYWwtaWQ", type: "public-key", transports: ["internal", "hybrid"] }],
      }),
    },
    "400": errorResponse("The account has no passkey", "This account has no passkey: confirm it is you with your password or a code"),
  },
});
