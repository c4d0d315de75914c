/**
 * Which methods each API path serves, published for the server process (scripts/serve.mjs), which
 * answers a method Next.js cannot route (TRACE, PROPFIND, FOO) itself: 405 with the same `Allow` as the
 * route's own 405 (lib/api/endpoint.ts `route`), or 404 for a path the API does not serve. Read from
 * the endpoint declarations, so the answer cannot drift from the routes.
 *
 * The server script is plain JavaScript outside the webpack bundle: it cannot import this module, but
 * shares the process's global object with it (as with lib/runtime/shutdown.ts). The key and the function's shape
 * (a path → its methods, or null) are the whole protocol; lib/http/request-line.mjs reads it.
 */
import { canonicalPath, type Declaration } from "./endpoint";
import { declarations } from "./endpoints";

const API_METHODS = Symbol.for("signin-system.api-allowed-methods");

type PathMethods = { pattern: RegExp; literal: boolean; methods: string[] };

/** A declaration's path as a pattern: `{name}` is one segment; with or without a trailing slash. */
function compile(path: string): RegExp {
  const source = canonicalPath(path)
    .split("/")
    .map((segment) => (/^\{[^}]+\}$/.test(segment) ? "[^/]+" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${source}/?$`);
}

/** The methods each path serves; literal paths first, as Next.js routes `/users/me` before `/users/{id}`. */
export function methodTable(served: Declaration[]): PathMethods[] {
  const byPath = new Map<string, string[]>();
  for (const d of served) {
    const path = canonicalPath(d.path);
    byPath.set(path, [...(byPath.get(path) ?? []), d.method]);
  }
  return [...byPath]
    .map(([path, methods]) => ({ pattern: compile(path), literal: !path.includes("{"), methods }))
    .sort((a, b) => Number(b.literal) - Number(a.literal));
}

/** The methods `pathname` serves, or null when the API serves no such path. */
export function allowedMethods(table: PathMethods[], pathname: string): string[] | null {
  return table.find((entry) => entry.pattern.test(pathname))?.methods ?? null;
}

export function publishAllowedMethods(): void {
  const table = methodTable(declarations);
  (globalThis as unknown as Record<symbol, unknown>)[API_METHODS] = (pathname: string) => allowedMethods(table, pathname);
}
