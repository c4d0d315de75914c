/**
 * The secret of Auth.js's session cookies, which also signed HS256 access tokens before they were signed
 * with an asymmetric key (lib/auth/signing-keys.ts); such tokens still verify until they expire.
 * AUTH_SECRET when set; otherwise one generated on first start, kept in the data
 * folder (owner-only permissions) and reused, so a restart never invalidates the tokens already issued.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { getConfig } from "../config";
import type { Keyring } from "./tokens";
import { keyringFromSecrets } from "./tokens";

export const SECRET_FILE_NAME = "auth-secret";

export type SecretSource = { secret: string; source: "env" | "file-created" | "file" ; file?: string };

/** Reads the stored secret, or creates it atomically (two processes starting at once agree). */
export function loadOrCreateSecret(dataDir: string, envSecret: string | undefined): SecretSource {
  if (envSecret) return { secret: envSecret, source: "env" };
  const file = path.join(dataDir, SECRET_FILE_NAME);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    const secret = crypto.randomBytes(48).toString("base64url");
    fs.writeFileSync(file, secret + "\n", { mode: 0o600, flag: "wx" });
    return { secret, source: "file-created", file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  // Tighten permissions someone may have loosened; the secret signs every token.
  if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  const secret = fs.readFileSync(file, "utf8").trim();
  if (Buffer.byteLength(secret) < 32) {
    throw new Error(`${file} holds a secret shorter than 32 bytes; delete it to generate a new one`);
  }
  return { secret, source: "file", file };
}

let secrets: { current: string; previous: string[] } | undefined;
let keyring: Keyring | undefined;

/** The current secret and the previous ones (AUTH_SECRET_PREVIOUS); Auth.js uses the same list. */
export function getSecrets(): { current: string; previous: string[] } {
  if (!secrets) {
    const config = getConfig();
    const { secret } = loadOrCreateSecret(config.dataDir, config.authSecret);
    secrets = { current: secret, previous: config.authSecretPrevious };
  }
  return secrets;
}

/** The HS256 secrets (current and previous) that tokens from before asymmetric signing still verify with. */
export function getKeyring(): Keyring {
  if (!keyring) {
    const { current, previous } = getSecrets();
    keyring = keyringFromSecrets(current, previous);
  }
  return keyring;
}
