/**
 * The pages' Content-Security-Policy: scripts only with this response's nonce (and what they load,
 * 'strict-dynamic'), nothing framed, no plugins, no <base>. The API docs page adds only what
 * swagger-ui needs: its icons are data: images.
 */
export function contentSecurityPolicy(nonce: string, pathname: string, production: boolean): string {
  const isDocs = pathname === "/docs" || pathname.startsWith("/docs/");
  const directives = [
    "default-src 'self'",
    // Next.js needs eval only for its development-time tooling.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${production ? "" : " 'unsafe-eval'"}`,
    // React and swagger-ui set style attributes.
    "style-src 'self' 'unsafe-inline'",
    isDocs ? "img-src 'self' data:" : "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ];
  return directives.join("; ");
}
