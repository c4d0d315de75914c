/**
 * Runs before every page: a page URL with a trailing slash redirects to the one without, and each
 * response gets a fresh nonce, put in the Content-Security-Policy header (Next.js reads it from the
 * request and adds the nonce to its own scripts).
 */
import { NextResponse, type NextRequest } from "next/server";
import { contentSecurityPolicy } from "@/lib/http/csp";

export function proxy(request: NextRequest) {
  // One URL per page: next.config.mjs turns Next.js's own trailing-slash redirect off for the API's sake.
  const { pathname, search } = request.nextUrl;
  if (pathname.length > 1 && pathname.endsWith("/")) {
    return NextResponse.redirect(new URL(pathname.replace(/\/+$/, "") + search, request.url), 308);
  }
  const nonce = btoa(crypto.randomUUID());
  const csp = contentSecurityPolicy(nonce, request.nextUrl.pathname, process.env.NODE_ENV === "production");
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", csp);
  return response;
}

export const config = {
  // Pages only: API answers are JSON and static assets carry no markup. Prefetches included: a browser
  // keeps a prefetched page and shows it later, so it must carry the policy (and its scripts the nonce).
  matcher: ["/((?!api/|_next/static|_next/image|favicon.ico|icon.svg).*)"],
};
