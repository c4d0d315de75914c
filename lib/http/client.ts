/** Who is calling: the user agent and address recorded with a token (never used to authorize). */
export type ClientInfo = { userAgent: string | null; ip: string | null };

export function clientInfo(request: Request): ClientInfo {
  const userAgent = request.headers.get("user-agent")?.slice(0, 512) || null;
  // The Next.js server (scripts/serve.mjs) sets x-forwarded-for to the socket's address when no proxy did.
  const forwarded = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return { userAgent, ip: forwarded ? forwarded.slice(0, 64) : null };
}
