/**
 * Encryption at rest for the few secrets the server must read back (TOTP secrets): AES-256-GCM under a
 * key derived with HKDF-SHA256 from the server secret (lib/auth/secret.ts: AUTH_SECRET, or the one kept
 * in the data folder), never stored itself. A database dump alone reveals nothing. Each value is bound
 * to its `context` (e.g. the user id) as associated data, so a ciphertext copied to another row does
 * not decrypt. Values sealed under a secret now listed in AUTH_SECRET_PREVIOUS still open.
 */
import crypto from "node:crypto";
import { getSecrets } from "./secret";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

function keyFor(secret: string, purpose: string): Buffer {
  return Buffer.from(crypto.hkdfSync("sha256", Buffer.from(secret, "utf8"), Buffer.alloc(0), `signin-system ${purpose} ${VERSION}`, 32));
}

/** `v1.<iv>.<ciphertext>.<tag>` (base64url) of `plaintext`, for `purpose`, bound to `context`. */
export function seal(plaintext: string, purpose: string, context: string): string {
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv("aes-256-gcm", keyFor(getSecrets().current, purpose), iv);
  cipher.setAAD(Buffer.from(context, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, iv, body, cipher.getAuthTag()].map((part) => (typeof part === "string" ? part : part.toString("base64url"))).join(".");
}

/** The plaintext `seal` sealed, or null when no known secret opens it (tampered, other context, secret gone). */
export function open(sealed: string, purpose: string, context: string): string | null {
  const [version, iv, body, tag] = sealed.split(".");
  if (version !== VERSION || !iv || body === undefined || !tag) return null;
  const { current, previous } = getSecrets();
  for (const secret of [current, ...previous]) {
    try {
      const decipher = crypto.createDecipheriv("aes-256-gcm", keyFor(secret, purpose), Buffer.from(iv, "base64url"), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(context, "utf8"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
    } catch {
      // Not this secret: try the previous ones.
    }
  }
  return null;
}
