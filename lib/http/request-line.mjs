/**
 * Which request lines reach Next.js: a method it serves (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS)
 * and a target that is a path. Anything else is the client's mistake, answered by the server process
 * (scripts/serve.mjs) with a 4xx, where Next.js would answer 500 (TRACE, CONNECT: "HTTP method is
 * unsupported"; `*`: "Invalid URL") or 400 with no body (PROPFIND and other methods it does not know).
 *
 * - A method not served (OPTIONS included, on a page): 405 with `Allow`, the methods the path does serve: for an API path the ones its
 *   declaration lists (the same `Allow` as the route's own 405), Auth.js's GET and POST, a page's GET
 *   and HEAD. An API path that does not exist: 404, as for any other method.
 * - A target that is neither a path (`/…`) nor an absolute http(s) URL (`*`, `host:443`, `foo`): 400.
 *   An absolute URL is reduced to its path (RFC 9112 §3.2.2: a server accepts that form).
 *
 * Plain JavaScript: scripts/serve.mjs runs without a TypeScript loader.
 */
import { answersInJson } from "./refusal.mjs";

/** The methods Next.js's route handlers and pages serve; any other never reaches it. */
export const SERVED_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** A method is a token (RFC 9110 §9.1), case-sensitive: `get` is not GET. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Where the app publishes which methods each API path serves (lib/api/allowed-methods.ts, at start-up):
 * a function from a path to its methods, or null for a path the API does not serve. A global, because
 * the app is a separate bundle this plain script cannot import (as with lib/runtime/shutdown.ts's hooks).
 */
const API_METHODS = Symbol.for("signin-system.api-allowed-methods");

/**
 * The request target as a path and query, or null when it is not one. Origin-form (`/path?q`) as is;
 * absolute-form (`http://host/path?q`) reduced to its path and query.
 * @param {string | undefined} target
 */
export function originFormOf(target) {
  if (!target) return null;
  if (target.startsWith("/")) return target;
  const absolute = /^https?:\/\/[^/?#]*([^#]*)/i.exec(target);
  if (!absolute) return null;
  const rest = absolute[1];
  return rest.startsWith("/") ? rest : `/${rest}`;
}

/** The path of an origin-form target as sent, without its query. */
export const rawPathOf = (originForm) => originForm.split("?")[0];

/**
 * The path an origin-form target names, the way Next.js resolves it: dot segments (`/api/../login` is
 * /login, a page) resolved, `\` read as `/`. What decides a request's family (API or page) and so its
 * body limit and the shape of a refusal.
 */
export function pathOf(originForm) {
  try {
    return new URL(originForm, "http://host.invalid").pathname;
  } catch {
    return rawPathOf(originForm);
  }
}

export const BAD_TARGET = {
  status: 400,
  title: "Bad request target",
  detail: "The request target must be a path (or an absolute http URL).",
};

/**
 * The answer to a method the app does not serve, on `pathname`.
 * @param {string} pathname
 */
export function unservedMethodRefusal(pathname) {
  const notAllowed = { status: 405, detail: "Method Not Allowed" };
  if (/^\/api\/auth(\/|$)/.test(pathname)) return { ...notAllowed, json: true, headers: { allow: "GET, POST" } };
  if (answersInJson(pathname)) {
    const lookUp = globalThis[API_METHODS];
    const allowed = typeof lookUp === "function" ? lookUp(pathname) : null;
    if (!allowed) return { status: 404, detail: "Not Found", json: true };
    return { ...notAllowed, json: true, headers: { allow: allowed.join(", ") } };
  }
  return { ...notAllowed, json: false, headers: { allow: "GET, HEAD" } };
}

/**
 * What to answer instead of letting the request through, or null to let it through.
 * @param {string} method
 * @param {string | undefined} target
 * @returns {null | { status: number, detail: string, title?: string, json: boolean, headers?: Record<string, string> }}
 */
export function requestLineRefusal(method, target) {
  const originForm = originFormOf(target);
  if (originForm === null) {
    // CONNECT's target is `host:port` by definition: the method is what is not served.
    if (method === "CONNECT") return unservedMethodRefusal("/");
    return { ...BAD_TARGET, json: false };
  }
  const pathname = pathOf(originForm);
  if (!TOKEN.test(method)) return { status: 400, detail: "Malformed request method", json: answersInJson(pathname) };
  if (!SERVED_METHODS.has(method)) return unservedMethodRefusal(pathname);
  // OPTIONS is the API's (CORS preflights); Next.js answers it on a page with a bare 400.
  if (method === "OPTIONS" && !answersInJson(pathname)) return unservedMethodRefusal(pathname);
  return null;
}

/**
 * The method and target of a request line Node's parser refused (`clientError`'s `rawPacket`), when
 * its first line has the shape of one.
 * @param {Buffer | undefined} rawPacket
 */
export function requestLineOf(rawPacket) {
  const line = rawPacket?.subarray(0, 16 * 1024).toString("latin1").split("\r\n")[0] ?? "";
  // The version may be what the parser refused (`HTTP/1`, `HTTP/2.0`): method and target are still the first two words.
  const parts = /^([^ ]+) ([^ ]+)(?: .*)?$/.exec(line);
  return parts ? { method: parts[1], target: parts[2], line } : { method: null, target: null, line };
}
