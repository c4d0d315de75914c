/**
 * Second factors (TOTP with recovery codes): enrolment, status, the proofs a sensitive change accepts,
 * and the token endpoint's challenge step.
 */
import { z } from "zod";
import { GivenPassword, TIME_EXAMPLE, Time } from "./fields";
import { AuthenticationResponse } from "./passkeys";

export const TotpCode = z
  .string()
  .min(1, { message: "Code is required" })
  .max(32)
  .meta({ description: "The 6-digit code the authenticator app shows now", example: "123456" });

export const RecoveryCodeText = z
  .string()
  .min(1, { message: "Recovery code is required" })
  .max(64)
  .meta({ description: "One of the account's unused recovery codes (single-use)", example: "k7dq-m2xp-9tfa" });

const proofFields = {
  password: GivenPassword.optional().meta({ description: "The account's password" }),
  code: TotpCode.optional(),
  recovery_code: RecoveryCodeText.optional(),
  passkey: AuthenticationResponse.optional().meta({
    description: "A passkey's assertion (what `startAuthentication()` resolves to) for the options of POST /api/v1/login/reauthenticate/passkey/options",
  }),
};
const PROOF_KEYS = ["password", "code", "recovery_code", "passkey"] as const;
const given = (proof: Partial<Record<(typeof PROOF_KEYS)[number], unknown>>) => PROOF_KEYS.filter((k) => proof[k] !== undefined);

const PASSKEY_PROOF_EXAMPLE = {
  passkey: {
    id: "dGhlLWNyZWRlbnRpYWwtaWQ",
    rawId: "dGhlLWNyZWRlbnRpYWwtaWQ",
    type: "public-key",
    response: { clientDataJSON: "eyJ0eXBlIjoid2ViYXV0aG4uZ2V0Ii…", authenticatorData: "SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MFAAAABQ", signature: "MEUCIQD…" },
    clientExtensionResults: {},
  },
};

/** A fresh proof of a factor: exactly one of the password, a TOTP code, a recovery code or a passkey's assertion. */
export const Reauthenticate = z
  .object(proofFields)
  .strict()
  .refine((proof) => given(proof).length === 1, { message: "Give exactly one of password, code, recovery_code or passkey" })
  .meta({
    id: "Reauthenticate",
    description:
      "Exactly one of `password`, `code` (TOTP), `recovery_code` or `passkey` (an assertion for the options of " +
      "POST /api/v1/login/reauthenticate/passkey/options); a code needs two-factor authentication on.",
    examples: [{ password: "correct horse battery" }, { code: "123456" }, PASSKEY_PROOF_EXAMPLE],
  });

/** The optional proof a sensitive request may carry in its own body: at most one of the four. */
export const FactorProof = z
  .object(proofFields)
  .strict()
  .refine((proof) => given(proof).length <= 1, { message: "Give at most one of password, code, recovery_code or passkey" })
  .meta({
    id: "FactorProof",
    description:
      "Optional proof for this request, instead of a recent POST /api/v1/login/reauthenticate: at most one of " +
      "`password`, `code` (TOTP), `recovery_code` or `passkey` (an assertion for the options of " +
      "POST /api/v1/login/reauthenticate/passkey/options).",
    examples: [{ password: "correct horse battery" }, PASSKEY_PROOF_EXAMPLE],
  });
export type FactorProofT = z.output<typeof FactorProof>;

export const MfaStatus = z
  .object({
    totp_enabled: z.boolean().meta({ description: "Whether sign-ins ask for a code from an authenticator app" }),
    enabled_at: Time.nullable().meta({ example: TIME_EXAMPLE }),
    recovery_codes_left: z.number().int().meta({ description: "Unused recovery codes", example: 10 }),
    reauthentication_proofs: z.array(z.enum(PROOF_KEYS)).meta({
      description:
        "The proofs this account can give when a sensitive change asks for one (POST /api/v1/login/reauthenticate " +
        "and the sensitive bodies), by field name: `password` when it has one, `code` and `recovery_code` with " +
        "two-factor authentication on, `passkey` when it has a passkey",
      example: ["password", "passkey"],
    }),
  })
  .meta({ id: "MfaStatus" });

export const TotpEnrolment = z
  .object({
    secret: z.string().meta({ description: "The shared secret (base32), to type into an app", example: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" }),
    otpauth_uri: z.string().meta({
      description: "The same secret as an `otpauth://` URI (what the QR code holds)",
      example: "otpauth://totp/Sign-in%20system:user%40example.com?issuer=Sign-in%20system&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30",
    }),
  })
  .meta({ id: "TotpEnrolment" });

export const TotpConfirm = z.object({ code: TotpCode }).strict().meta({ id: "TotpConfirm" });

export const RecoveryCodes = z
  .object({
    recovery_codes: z.array(z.string()).meta({
      description: "Ten single-use codes, shown this once: keep them somewhere safe",
      example: ["k7dq-m2xp-9tfa", "w3hn-c8rv-2jye"],
    }),
  })
  .meta({ id: "RecoveryCodes" });

/** The token endpoint's second step: the challenge's `mfa_token` and exactly one of a code or a recovery code. */
export const MfaLogin = z
  .object({
    mfa_token: z.string().min(1).max(256).meta({ description: "From the 401 `mfa_required` answer of the password step" }),
    code: TotpCode.optional(),
    recovery_code: RecoveryCodeText.optional(),
    passkey: AuthenticationResponse.optional().meta({
      description: "A passkey's assertion for the options of POST /api/v1/login/mfa/passkey-options",
    }),
  })
  .strict()
  .refine((body) => [body.code, body.recovery_code, body.passkey].filter((v) => v !== undefined).length === 1, {
    message: "Give exactly one of code, recovery_code or passkey",
  })
  .meta({ id: "MfaLogin", examples: [{ mfa_token: "Xb3…", code: "123456" }, { mfa_token: "Xb3…", recovery_code: "k7dq-m2xp-9tfa" }] });

export const MfaRequiredError = z
  .object({
    detail: z.string().meta({
      description:
        "\"Second factor required\"; for an account with an authenticator app it also says how to finish from a " +
        "password form (the password followed by the 6-digit code) or with POST /api/v1/login/mfa",
      example: "Second factor required",
    }),
    reason: z.literal("mfa_required"),
    mfa_token: z.string().meta({ description: "Send it to POST /api/v1/login/mfa within 5 minutes; single-use" }),
    methods: z.array(z.enum(["totp", "recovery_code", "passkey"])),
  })
  .meta({ id: "MfaRequiredError" });

export type ProofKind = (typeof PROOF_KEYS)[number];
export type MfaStatusT = z.output<typeof MfaStatus>;
export type TotpEnrolmentT = z.output<typeof TotpEnrolment>;
