/**
 * Links in mails. Their base is FRONTEND_HOST, or the app's own URL as the start-up banner prints it
 * (`listenUrl`: HOSTNAME and PORT, `localhost` for a loopback or wildcard address), so that a link opens
 * the same origin as the tab the user already has (another origin would share no localStorage and no
 * cookie with it). Never the request's Host header: a recovery request sent with `Host: evil.example`
 * would otherwise mail the victim a working reset link that leaks its token to that host (reset poisoning).
 */
import { getConfig } from "../config";

export function appBaseUrl(): string {
  const config = getConfig();
  return (config.frontendHost ?? config.listenUrl).replace(/\/+$/, "");
}

/** An absolute link to one of the app's pages, with a query (e.g. the token). */
export function pageLink(pathname: string, query: Record<string, string> = {}): string {
  // Relative to the base, so a FRONTEND_HOST with a path (https://example.com/app) keeps it.
  const url = new URL(pathname.replace(/^\/+/, ""), `${appBaseUrl()}/`);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return url.toString();
}
