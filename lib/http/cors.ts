/**
 * The API's cross-origin policy, and the only place that decides it. A frontend on another origin (the
 * FastAPI template's, on VITE_API_URL) may call the API when its origin is listed in FRONTEND_HOST or
 * BACKEND_CORS_ORIGINS (lib/config/index.ts). Nothing listed: no CORS headers at all, as before.
 *
 * Listed origins get their own origin back, never `*`, with `Vary: Origin` so that caches keep answers
 * apart. Credentials are allowed as the template allows them; that exposes no cookie-authenticated
 * endpoint, because those (the Auth.js routes and POST /login/session-token) are declared same-origin
 * (`crossOrigin: false`) and answer any other origin without CORS headers.
 */
import { getConfig } from "../config";

/** Headers a cross-origin request may send beyond the CORS-safelisted ones. */
const ALLOWED_REQUEST_HEADERS = ["Authorization", "Content-Type"];
/** Response headers a cross-origin page may read beyond the safelisted ones. */
const EXPOSED_HEADERS = ["WWW-Authenticate", "Retry-After", "Allow"];
/** How long a browser may reuse a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE = 600;

export type CorsScope = { crossOrigin: boolean; methods: string[] };

function allowedOrigin(request: Request, scope: CorsScope): string | null {
  const origin = request.headers.get("origin");
  if (!origin || !scope.crossOrigin) return null;
  return getConfig().corsOrigins.includes(origin) ? origin : null;
}

/** Adds the CORS headers `request`'s origin is entitled to (none for an origin not listed). */
export function withCors(request: Request, response: Response, scope: CorsScope): Response {
  if (getConfig().corsOrigins.length === 0) return response;
  // The answer depends on Origin whenever CORS is configured, allowed or not.
  response.headers.append("Vary", "Origin");
  const origin = allowedOrigin(request, scope);
  if (origin) {
    response.headers.set("Access-Control-Allow-Origin", origin);
    response.headers.set("Access-Control-Allow-Credentials", "true");
    response.headers.set("Access-Control-Expose-Headers", EXPOSED_HEADERS.join(", "));
  }
  return response;
}

/**
 * The answer to `OPTIONS`: for a preflight from a listed origin, 204 with the methods this path serves,
 * the request headers the API reads and a max-age; for any other origin, 403 without CORS headers (the
 * browser then refuses the real request). An OPTIONS that is not a preflight gets 204 with `Allow`.
 */
export function preflight(request: Request, scope: CorsScope): Response {
  const allow = [...scope.methods, "OPTIONS"].join(", ");
  const isPreflight = request.headers.has("origin") && request.headers.has("access-control-request-method");
  if (!isPreflight) return withCors(request, new Response(null, { status: 204, headers: { Allow: allow } }), scope);
  const origin = allowedOrigin(request, scope);
  if (!origin) {
    return withCors(
      request,
      Response.json({ detail: "Cross-origin request refused" }, { status: 403, headers: { "Cache-Control": "no-store" } }),
      scope,
    );
  }
  return withCors(
    request,
    new Response(null, {
      status: 204,
      headers: {
        Allow: allow,
        "Access-Control-Allow-Methods": allow,
        "Access-Control-Allow-Headers": ALLOWED_REQUEST_HEADERS.join(", "),
        "Access-Control-Max-Age": String(PREFLIGHT_MAX_AGE),
      },
    }),
    scope,
  );
}
