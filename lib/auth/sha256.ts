/**
 * SHA-256 (hex) of a one-time value stored only hashed: mailed links' tokens, recovery codes, `mfa_token`s,
 * WebAuthn challenges. These are random (or, for recovery codes, long enough) that a plain hash suffices.
 */
import crypto from "node:crypto";

export const sha256 = (value: string) => crypto.createHash("sha256").update(value, "utf8").digest("hex");
