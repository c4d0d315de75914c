/**
 * The browser's side of passkeys, on @simplewebauthn/browser: getting an assertion for a sign-in (with
 * a button, or the browser's autofill: conditional UI), for a password sign-in's second step, or as the
 * fresh proof of a sensitive change (sudo mode), and saying plainly why a ceremony failed.
 */
import {
  browserSupportsWebAuthn,
  browserSupportsWebAuthnAutofill,
  startAuthentication,
  startRegistration,
  WebAuthnAbortService,
  WebAuthnError,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/browser";
import { apiJson, publicJson } from "./api";

export { browserSupportsWebAuthn, browserSupportsWebAuthnAutofill };

/** The person closed the passkey prompt, or it timed out: nothing to report as an error. */
export class PasskeyCancelledError extends Error {}

function ceremonyError(error: unknown): Error {
  const name = error instanceof WebAuthnError ? (error.cause as Error | undefined)?.name : (error as Error | undefined)?.name;
  if (name === "NotAllowedError" || name === "AbortError" || (error instanceof WebAuthnError && error.code === "ERROR_CEREMONY_ABORTED")) {
    return new PasskeyCancelledError("The passkey prompt was closed before it finished.");
  }
  if (name === "InvalidStateError") return new Error("This device already holds a passkey for your account.");
  return new Error("Your browser could not use a passkey here.");
}

/** Runs a WebAuthn ceremony, with its failures as messages a person can read. */
export async function ceremony<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw ceremonyError(error);
  }
}

/**
 * An assertion for a passkey sign-in. With `autofill`, the browser offers the passkeys in the email
 * field's suggestions (conditional UI) and this resolves when one is picked.
 */
export async function passkeySignInAssertion(autofill = false): Promise<AuthenticationResponseJSON> {
  const optionsJSON = await publicJson<PublicKeyCredentialRequestOptionsJSON>("/api/v1/login/passkey/options", { method: "POST" });
  return ceremony(() => startAuthentication({ optionsJSON, useBrowserAutofill: autofill }));
}

/** An assertion by one of the account's passkeys, for the second step of the password sign-in `mfaToken` began. */
export async function secondFactorAssertion(mfaToken: string): Promise<AuthenticationResponseJSON> {
  const optionsJSON = await publicJson<PublicKeyCredentialRequestOptionsJSON>("/api/v1/login/mfa/passkey-options", {
    method: "POST",
    body: JSON.stringify({ mfa_token: mfaToken }),
  });
  return ceremony(() => startAuthentication({ optionsJSON }));
}

/** An assertion by one of the signed-in account's passkeys, proving it is the owner before a sensitive change. */
export async function reauthenticationAssertion(): Promise<AuthenticationResponseJSON> {
  const optionsJSON = await apiJson<PublicKeyCredentialRequestOptionsJSON>("/api/v1/login/reauthenticate/passkey/options", { method: "POST" });
  return ceremony(() => startAuthentication({ optionsJSON }));
}

/** A new passkey made by the device for the registration options the server gave. */
export function registrationResponse(optionsJSON: PublicKeyCredentialCreationOptionsJSON): Promise<RegistrationResponseJSON> {
  return ceremony(() => startRegistration({ optionsJSON }));
}

/** Stops a pending ceremony (the autofill one, when the page moves on). */
export const cancelPasskeyCeremony = () => WebAuthnAbortService.cancelCeremony();
