import { MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS } from "@/lib/schemas/password-policy";

/**
 * The password rules as the pages state them (sign-up, reset, change password), in one place. The
 * server's limit is 72 bytes of UTF-8 (bcrypt's), which is 72 plain letters and fewer accented ones or
 * emoji: said in letters, since hardly anyone counts bytes.
 */
export const PASSWORD_RULES =
  `At least ${MIN_PASSWORD_CHARS} characters, at most ${MAX_PASSWORD_BYTES} letters ` +
  `(fewer with accents or emoji), and not a common password.`;
