/** Who is calling: the user agent and address recorded with a token (never used to authorize). */
import { getConfig } from "../config";

export type ClientInfo = {
  userAgent: string | null;
  ip: string | null;
};

export function clientInfo(request: Request): ClientInfo {
  const userAgent = request.headers.get("user-agent")?.slice(0, 512) || null;
  // The server process (scripts/serve.mjs) replaces X-Forwarded-For with the one address it decided is the
  // client's: the socket's, or what the proxies TRUST_PROXY names say. A client's own header never gets here.
  const forwarded = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return { userAgent, ip: forwarded ? forwarded.slice(0, 64) : null };
}

/**
 * The app's public URL (scheme, host, port): AUTH_URL when set; otherwise the one the request came to,
 * from its Host header (X-Forwarded-Host and -Proto, which scripts/serve.mjs lets through only from a
 * proxy TRUST_PROXY names). Next.js's own `request.url` names its listening host instead.
 */
export function publicOrigin(request: Request): string {
  const configured = getConfig().publicUrl;
  if (configured) return configured;
  const first = (name: string) => request.headers.get(name)?.split(",")[0]?.trim() || undefined;
  const own = new URL(request.url);
  const host = first("x-forwarded-host") ?? first("host");
  const protocol = first("x-forwarded-proto") ?? own.protocol.replace(/:$/, "");
  if (host && /^https?$/.test(protocol)) {
    try {
      const url = new URL(`${protocol}://${host}`);
      // A Host header with a path, credentials or junk is not an origin.
      if (url.host === host.toLowerCase()) return url.origin;
    } catch {
      // fall through
    }
  }
  return own.origin;
}
