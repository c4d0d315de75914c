/**
 * One source of truth for routes: every method a route file under app/api serves comes from an endpoint
 * declaration (lib/api/endpoint.ts) at the route's own path, and every declaration is served.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { canonicalPath, type Declaration, type EndpointHandler, METHODS } from "../../lib/api/endpoint";
import { declarations } from "../../lib/api/endpoints";

const appDir = path.resolve(import.meta.dirname, "../../app");

/** Every route.ts under app/api and app/.well-known, with the URL path its folder gives it (`[user_id]` → `{user_id}`). */
function routeFiles(): { file: string; path: string }[] {
  const found: { file: string; path: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === "route.ts") {
        const folder = "/" + path.relative(appDir, path.dirname(full)).split(path.sep).join("/");
        found.push({ file: full, path: folder.replace(/\[([^\].]+)\]/g, "{$1}") });
      }
    }
  };
  walk(path.join(appDir, "api"));
  walk(path.join(appDir, ".well-known"));
  return found;
}

// Framework routes outside the API's contract: Auth.js's, and the 404s for unknown API and well-known paths.
const outside = new Set(["/api/auth/[...nextauth]", "/api/[[...path]]", "/.well-known/[...path]"]);

async function servedDeclarations(): Promise<{ route: string; method: string; declaration?: Declaration }[]> {
  const served: { route: string; method: string; declaration?: Declaration }[] = [];
  for (const { file, path: route } of routeFiles().filter((r) => !outside.has(r.path))) {
    const exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    for (const method of METHODS) {
      const handler = exports[method] as Partial<EndpointHandler> | undefined;
      assert.equal(typeof handler, "function", `${route} does not export ${method} (route() gives every method)`);
      // A handler without a declaration is route()'s 405 for a method nobody declared.
      if (handler!.declaration) served.push({ route, method, declaration: handler!.declaration });
    }
    assert.equal(typeof exports.OPTIONS, "function", `${route} does not answer OPTIONS (CORS preflight)`);
  }
  return served;
}

test("every method a route serves is declared for that route's path and method", async () => {
  const served = await servedDeclarations();
  assert.ok(served.length >= 20, `found only ${served.length} served operations`);
  for (const { route, method, declaration } of served) {
    assert.equal(canonicalPath(declaration!.path), route, `${method} ${route} serves the declaration of ${declaration!.path}`);
    assert.equal(declaration!.method, method, `${method} ${route} serves the declaration of ${declaration!.method}`);
  }
});

test("every declaration is served by a route file", async () => {
  const served = new Set((await servedDeclarations()).map((s) => s.declaration));
  const unserved = declarations.filter((d) => !served.has(d)).map((d) => `${d.method} ${d.path} (${d.operationId})`);
  assert.deepEqual(unserved, [], "declared but not served");
});

test("operation ids are unique", () => {
  const ids = declarations.map((d) => d.operationId);
  assert.deepEqual(ids.filter((id, i) => ids.indexOf(id) !== i), []);
});
