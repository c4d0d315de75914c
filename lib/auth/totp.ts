/**
 * TOTP (RFC 6238) through the `otpauth` library: SHA-1, 6 digits, 30-second steps, the authenticator
 * apps' defaults. A code is accepted for its own step and one step either side (clock skew); which step
 * it matched is returned so the caller can refuse a code of that step or an earlier one again (replay).
 */
import crypto from "node:crypto";
import { Secret, TOTP } from "otpauth";

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of the server's current one. */
export const TOTP_WINDOW = 1;

const totp = (secret: string, issuer = "", label = "") =>
  new TOTP({ issuer, label, algorithm: "SHA1", digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS, secret: Secret.fromBase32(secret) });

/** A new random secret (160 bits, RFC 4226's recommendation), base32 as authenticator apps take it. */
export const newTotpSecret = () => new Secret({ size: 20 }).base32;

/** The `otpauth://totp/…` URI an authenticator app scans (the QR code) or is given as text. */
export const totpUri = (secret: string, issuer: string, label: string) => totp(secret, issuer, label).toString();

/** A code as typed: digits only, spaces and hyphens ignored. Null when it cannot be a code. */
export function normalizeTotpCode(code: string): string | null {
  const digits = code.replace(/[\s-]/g, "");
  return new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(digits) ? digits : null;
}

/** The time step `code` belongs to (within the window around `now`), or null when it is no valid code. */
export function matchTotpStep(secret: string, code: string, now = Date.now()): number | null {
  const digits = normalizeTotpCode(code);
  if (!digits) return null;
  const delta = totp(secret).validate({ token: digits, timestamp: now, window: TOTP_WINDOW });
  return delta === null ? null : Math.floor(now / 1000 / TOTP_PERIOD_SECONDS) + delta;
}

const RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"; // no 0/o, 1/l/i: read aloud, typed from paper

/** A recovery code: 12 characters (about 59 bits) in three groups, `xxxx-xxxx-xxxx`. */
export function newRecoveryCode(): string {
  const chars = Array.from({ length: 12 }, () => RECOVERY_ALPHABET[crypto.randomInt(RECOVERY_ALPHABET.length)]);
  return [chars.slice(0, 4), chars.slice(4, 8), chars.slice(8)].map((group) => group.join("")).join("-");
}

/** A recovery code as typed: case, spaces and hyphens ignored. */
export const normalizeRecoveryCode = (code: string) => code.toLowerCase().replace(/[\s-]/g, "");
