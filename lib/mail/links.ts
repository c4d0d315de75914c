/**
 * Links in mails. Their base is FRONTEND_HOST, or the app's own URL from its configuration (HOSTNAME and
 * PORT) — never the request's Host header: a recovery request sent with `Host: evil.example` would
 * otherwise mail the victim a working reset link that leaks its token to that host (reset poisoning).
 */
import { getConfig } from "../config";

export function appBaseUrl(): string {
  const config = getConfig();
  if (config.frontendHost) return config.frontendHost.replace(/\/+$/, "");
  const host = ["0.0.0.0", "::"].includes(config.hostname) ? "localhost" : config.hostname;
  return `http://${host.includes(":") ? `[${host}]` : host}:${config.port}`;
}

/** An absolute link to one of the app's pages, with a query (e.g. the token). */
export function pageLink(pathname: string, query: Record<string, string> = {}): string {
  // Relative to the base, so a FRONTEND_HOST with a path (https://example.com/app) keeps it.
  const url = new URL(pathname.replace(/^\/+/, ""), `${appBaseUrl()}/`);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return url.toString();
}
