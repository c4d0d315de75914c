/** Who is calling: the user agent and address recorded with a token (never used to authorize). */
export type ClientInfo = { userAgent: string | null; ip: string | null };

export function clientInfo(request: Request): ClientInfo {
  const userAgent = request.headers.get("user-agent")?.slice(0, 512) || null;
  // The server process (scripts/serve.mjs) replaces X-Forwarded-For with the one address it decided is the
  // client's: the socket's, or what the proxies TRUST_PROXY names say. A client's own header never gets here.
  const forwarded = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return { userAgent, ip: forwarded ? forwarded.slice(0, 64) : null };
}
