/**
 * Where to go after signing in (`?next=`): only a page of this site, never another origin.
 *
 * Decided by parsing, as the browser will: the candidate is resolved against the page's own origin with
 * the WHATWG URL parser, which drops tabs and newlines, reads `\` as `/` and resolves dot segments, so
 * `/\t/evil.example`, `/\evil.example` and `/.//evil.example` are seen for what they are. Only a result
 * on the same origin is kept, and it is returned as a path that cannot be read as another host: a
 * pathname starting with `//` would be scheme-relative once handed back to `location.assign`.
 *
 * `origin` is the page's (`window.location.origin`); call this where the navigation happens, in the browser.
 */
export function safeNext(next: string | null | undefined, origin: string, fallback = "/profile"): string {
  if (!next) return fallback;
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return fallback;
  }
  if (url.origin !== origin || (url.protocol !== "http:" && url.protocol !== "https:")) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Re-read the path we would navigate to: it must name the very same URL (this catches "//host").
  if (new URL(path, origin).href !== url.href) return fallback;
  // Back to the sign-in or sign-up page would only loop.
  if (url.pathname.startsWith("/login") || url.pathname.startsWith("/signup")) return fallback;
  return path;
}
