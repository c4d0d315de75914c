/**
 * How large a request body may be, per family of routes: the one place that says so. The server
 * process (scripts/serve.mjs) refuses a larger body with 413 before anything reads it, and the API's
 * body reader (lib/http/handler.ts) applies the same number again to what it reads.
 *
 * - The API (`/api/…` except Auth.js, and `/.well-known/…`): 64 KiB. Its largest bodies are a user's
 *   fields and a password, each a few KiB at most.
 * - Auth.js (`/api/auth/…`): 32 KiB. Its forms carry a CSRF token, a callback URL and, for the
 *   Credentials provider, an email and a password of up to 1,024 characters each, which percent-encoded
 *   can reach about 9 KiB apiece.
 * - Pages and server actions (everything else): 16 KiB. No page takes a body today; this leaves room for
 *   a small server-action form (Next.js's own limit for those, next.config.mjs, is this number too).
 *
 * Plain JavaScript so that scripts/serve.mjs (which runs without a TypeScript loader), next.config.mjs
 * and the TypeScript app share this one definition.
 */

export const API_BODY_LIMIT = 64 * 1024;
export const AUTHJS_BODY_LIMIT = 32 * 1024;
export const PAGE_BODY_LIMIT = 16 * 1024;

/**
 * Which family a path belongs to ("api", "authjs" or "page") and its limit in bytes.
 * @param {string} pathname the request's path, without the query
 * @returns {{ family: "api" | "authjs" | "page", limit: number }}
 */
export function bodyLimitFor(pathname) {
  if (/^\/api\/auth(\/|$)/.test(pathname)) return { family: "authjs", limit: AUTHJS_BODY_LIMIT };
  if (/^\/(api|\.well-known)(\/|$)/.test(pathname)) return { family: "api", limit: API_BODY_LIMIT };
  return { family: "page", limit: PAGE_BODY_LIMIT };
}

/** "64 KiB": a limit as the 413's detail says it. */
export function describeLimit(bytes) {
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}
