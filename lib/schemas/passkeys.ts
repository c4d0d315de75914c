/**
 * Passkeys (WebAuthn): the options the server gives the browser, the browser's responses (the JSON
 * shapes of `@simplewebauthn/browser`, i.e. WebAuthn Level 3's `toJSON()`), and the passkeys listed.
 * Responses are checked here for shape and size only; SimpleWebAuthn checks what they say.
 */
import { z } from "zod";
import { Id, Time } from "./fields";

const B64 = z.string().min(1).max(16_384).regex(/^[A-Za-z0-9_-]+={0,2}$/, { message: "Expected base64url" });
const Transports = z.array(z.string().max(32)).max(10);

export const PasskeyName = z
  .string()
  .trim()
  .min(1, { message: "Name is required" })
  .max(60)
  .meta({ description: "A name to tell this passkey from the others", example: "MacBook Touch ID" });

export const RegistrationResponse = z
  .object({
    id: B64,
    rawId: B64,
    type: z.literal("public-key"),
    response: z.object({
      clientDataJSON: B64,
      attestationObject: B64,
      transports: Transports.optional(),
      authenticatorData: B64.optional(),
      publicKey: B64.optional(),
      publicKeyAlgorithm: z.number().int().optional(),
    }),
    authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
    clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  })
  .meta({ id: "PasskeyRegistrationResponse", description: "What `startRegistration()` (@simplewebauthn/browser) resolves to" });

export const AuthenticationResponse = z
  .object({
    id: B64,
    rawId: B64,
    type: z.literal("public-key"),
    response: z.object({
      clientDataJSON: B64,
      authenticatorData: B64,
      signature: B64,
      userHandle: B64.optional(),
    }),
    authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
    clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  })
  .meta({ id: "PasskeyAuthenticationResponse", description: "What `startAuthentication()` (@simplewebauthn/browser) resolves to" });

const CHALLENGE_EXAMPLE = "q7Hk2yq1s6rB0n3kQw9xVt5mZp8aLc4dEf1gHi2jKl0";

/** Options for `navigator.credentials.create()`, as `startRegistration({ optionsJSON })` takes them. */
export const PasskeyRegistrationOptions = z
  .record(z.string(), z.unknown())
  .meta({
    id: "PasskeyRegistrationOptions",
    description: "PublicKeyCredentialCreationOptionsJSON: pass it to `startRegistration({ optionsJSON })`",
    example: {
      challenge: CHALLENGE_EXAMPLE,
      rp: { name: "Sign-in system", id: "example.com" },
      user: { id: "Y21iMHgxeTJ6MDAwMGFiY2QxMjM0ZWZnaA", name: "user@example.com", displayName: "Ada Lovelace" },
      pubKeyCredParams: [{ alg: -8, type: "public-key" }, { alg: -7, type: "public-key" }, { alg: -257, type: "public-key" }],
      timeout: 120000,
      attestation: "none",
      excludeCredentials: [],
      authenticatorSelection: { residentKey: "required", userVerification: "preferred", requireResidentKey: true },
      extensions: { credProps: true },
    },
  });

/** Options for `navigator.credentials.get()`, as `startAuthentication({ optionsJSON })` takes them. */
export const PasskeyAuthenticationOptions = z
  .record(z.string(), z.unknown())
  .meta({
    id: "PasskeyAuthenticationOptions",
    description: "PublicKeyCredentialRequestOptionsJSON: pass it to `startAuthentication({ optionsJSON })`",
    example: { rpId: "example.com", challenge: CHALLENGE_EXAMPLE, timeout: 120000, userVerification: "preferred", allowCredentials: [] },
  });

export const PasskeyRegister = z
  .object({ name: PasskeyName, response: RegistrationResponse })
  .strict()
  .meta({ id: "PasskeyRegister" });

export const PasskeyRename = z.object({ name: PasskeyName }).strict().meta({ id: "PasskeyRename" });

export const PasskeyPublic = z
  .object({
    id: Id,
    name: z.string().meta({ example: "MacBook Touch ID" }),
    created_at: Time,
    last_used_at: Time.nullable(),
  })
  .meta({ id: "PasskeyPublic" });

export const PasskeysPublic = z
  .object({ data: z.array(PasskeyPublic), count: z.number().int() })
  .meta({ id: "PasskeysPublic" });

export const PasskeyIdParams = z.object({ id: z.string().max(64).meta({ description: "The passkey's id", example: "cmb0x1y2z0000abcd1234efgh" }) });

/** A passkey sign-in: the assertion, and the client it is for (as the password grant's `client_id`). */
export const PasskeyLogin = z
  .object({ response: AuthenticationResponse, client_id: z.string().max(255).optional() })
  .strict()
  .meta({ id: "PasskeyLogin" });

export const MfaPasskeyOptionsRequest = z
  .object({ mfa_token: z.string().min(1).max(256).meta({ description: "From the 401 `mfa_required` answer of the password step" }) })
  .strict()
  .meta({ id: "MfaPasskeyOptionsRequest" });

export type AuthenticationResponseT = z.output<typeof AuthenticationResponse>;
export type RegistrationResponseT = z.output<typeof RegistrationResponse>;
export type PasskeyPublicT = z.output<typeof PasskeyPublic>;
