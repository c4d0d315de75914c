/**
 * Strings every layer below can store and compare: well-formed Unicode (no lone surrogate, which UTF-8
 * cannot encode) and no NUL (which PostgreSQL text cannot hold). Every request string is checked
 * against this once, before its schema (lib/http/handler.ts: bodies, query strings, path parameters),
 * and the sign-in page's Credentials input through the schemas' `Text`. Pure: the forms use it too.
 */
export function illFormedTextProblem(value: string): string | null {
  if (!value.isWellFormed()) return "Text must be well-formed Unicode (no lone surrogate)";
  if (value.includes("\u0000")) return "Text must not contain NUL characters";
  return null;
}
