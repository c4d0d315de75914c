/**
 * Where Auth.js sends the browser after a sign-in or sign-out: its `callbackUrl`, from the query string,
 * the posted form (or JSON) and its `authjs.callback-url` cookie. Only a path on this site is kept,
 * before Auth.js sees any of them:
 * - a path (`/profile?tab=x`) stays; this site's own absolute URL becomes its path;
 * - anything else (another origin, `//host`, `/\host`, a relative word, `javascript:`) becomes `/` in a
 *   query or a form, and a cookie holding it is dropped (Auth.js then sets a good one);
 * - a query parameter that is not an http(s) URL at all is the client's mistake: 400.
 * Auth.js would otherwise throw over some of them (a 302 to /login?error=Configuration, a stack trace
 * in the log), answer 500 on every endpoint for as long as a browser keeps such a cookie, or pass a
 * `//host` path along.
 */
import { NextRequest } from "next/server";

type Handler = (request: NextRequest) => Promise<Response>;

const CALLBACK_URL_COOKIE = /^(__Secure-)?authjs\.callback-url$/;

/**
 * `value` as a path on the site at `origin`, or null when it points anywhere else. Only a path (`/x`,
 * which the URL parser must not read as `//host`) or an absolute URL of `origin` itself.
 */
export function sameSitePath(value: string, origin: string): string | null {
  if (!value.startsWith("/") && !/^https?:\/\//i.test(value)) return null;
  let url: URL;
  try {
    url = new URL(value, origin);
  } catch {
    return null;
  }
  if (url.origin !== origin) return null;
  // One leading slash: `//x` as a path is another host to a browser.
  return `${url.pathname.replace(/^\/+/, "/")}${url.search}${url.hash}`;
}

/** Auth.js's own test of a callback URL: http(s), absolute or a path. */
function isHttpUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value, value.startsWith("/") ? "http://localhost" : undefined).protocol);
  } catch {
    return false;
  }
}

/** The request's cookies without an `authjs.callback-url` that is off this site; null when none was. */
function withoutForeignCallbackCookie(cookie: string, origin: string): string | null {
  const pairs = cookie.split(";");
  const kept = pairs.filter((pair) => {
    const eq = pair.indexOf("=");
    if (eq < 0 || !CALLBACK_URL_COOKIE.test(pair.slice(0, eq).trim())) return true;
    let value: string;
    try {
      value = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      return false;
    }
    return sameSitePath(value, origin) !== null;
  });
  return kept.length === pairs.length ? null : kept.join(";");
}

/** The posted body with its `callbackUrl` kept on this site; null when it needs no change (or is not a form or JSON). */
async function withSiteCallbackBody(request: NextRequest, origin: string): Promise<string | null> {
  const type = request.headers.get("content-type") ?? "";
  // As Auth.js reads bodies (@auth/core's toInternalRequest): a form, or JSON.
  if (type.includes("application/x-www-form-urlencoded")) {
    const form = new URLSearchParams(await request.text());
    const value = form.get("callbackUrl");
    if (value === null) return form.toString();
    form.set("callbackUrl", sameSitePath(value, origin) ?? "/");
    return form.toString();
  }
  if (type.includes("application/json")) {
    const text = await request.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return text;
    }
    if (!body || typeof body !== "object" || !("callbackUrl" in body)) return text;
    const value = (body as { callbackUrl: unknown }).callbackUrl;
    return JSON.stringify({ ...body, callbackUrl: typeof value === "string" ? (sameSitePath(value, origin) ?? "/") : "/" });
  }
  return null;
}

/** Wraps an Auth.js handler (behind `atBrowserOrigin`, so that `request.url` is the browser's own origin). */
export function withSiteCallbackUrl(handler: Handler): Handler {
  return async (request: NextRequest) => {
    const origin = new URL(request.url).origin;
    const url = new URL(request.url);
    const param = url.searchParams.get("callbackUrl");
    if (param !== null) {
      if (!isHttpUrl(param)) return Response.json({ detail: "Invalid callback URL" }, { status: 400 });
      url.searchParams.set("callbackUrl", sameSitePath(param, origin) ?? "/");
    }
    const cookie = request.headers.get("cookie");
    const cookies = cookie === null ? null : withoutForeignCallbackCookie(cookie, origin);
    // The body was bounded by the server process (lib/http/body-limits.mjs) before it got here.
    const body = request.method === "POST" ? await withSiteCallbackBody(request, origin) : null;
    if (param === null && cookies === null && body === null) return handler(request);

    const headers = new Headers(request.headers);
    if (cookies !== null) headers.set("cookie", cookies);
    if (body !== null) headers.delete("content-length");
    // From the URL and an init, not `new NextRequest(request, …)`: on Node 22+ a Request built from a
    // request of another realm's Request class throws ("Cannot read private member #state").
    const sane = new NextRequest(url, {
      method: request.method,
      headers,
      body: body ?? (request.bodyUsed ? null : request.body),
      // A streamed body needs half-duplex; not in the DOM typings yet.
      ...({ duplex: "half" } as object),
    });
    Object.defineProperty(sane, "url", { value: url.href });
    return handler(sane);
  };
}
