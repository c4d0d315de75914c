/**
 * The password policy, shared by the server's schemas and the browser's forms (no Node.js imports).
 */

/** bcrypt reads at most 72 bytes; longer passwords are refused rather than silently truncated. */
export const MAX_PASSWORD_BYTES = 72;
export const MIN_PASSWORD_CHARS = 8;

export function utf8Length(value: string): number {
  return new TextEncoder().encode(value).length;
}

export function passwordPolicyProblem(password: string): string | null {
  if ([...password].length < MIN_PASSWORD_CHARS) {
    return `Password must be at least ${MIN_PASSWORD_CHARS} characters long`;
  }
  if (utf8Length(password) > MAX_PASSWORD_BYTES) {
    return `Password must be at most ${MAX_PASSWORD_BYTES} bytes long in UTF-8 (bcrypt's limit)`;
  }
  return null;
}
