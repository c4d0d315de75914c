import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { openApiDocument } from "../../lib/api/openapi";

type Doc = { openapi: string; paths: Record<string, Record<string, unknown>> };
const doc = openApiDocument() as Doc;
const appDir = path.resolve(import.meta.dirname, "../../app");

test("the document is valid OpenAPI 3.1 (checked against the official schema)", async () => {
  const validator = new Validator();
  const result = await validator.validate(structuredClone(doc));
  assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
  assert.equal(validator.version, "3.1");
  // The validator does refuse a broken document (a response without a description).
  const broken = structuredClone(doc) as Doc & { paths: Record<string, Record<string, { responses: Record<string, object> }>> };
  broken.paths["/api/health"]!.get!.responses["200"] = { content: {} };
  assert.equal((await new Validator().validate(broken)).valid, false);
});

/** Every route.ts under app/api with the HTTP methods it exports, as OpenAPI paths. */
function routeHandlers(): { path: string; methods: string[] }[] {
  const found: { path: string; methods: string[] }[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === "route.ts") {
        const source = fs.readFileSync(full, "utf8");
        const methods = [...source.matchAll(/\b(GET|POST|PUT|PATCH|DELETE)\b(?=\s*=|\s*[,}])/g)].map((m) => m[1]!);
        const route = "/" + path.relative(appDir, path.dirname(full)).split(path.sep).join("/");
        found.push({ path: route.replace(/\[([^\].]+)\]/g, "{$1}"), methods: [...new Set(methods)] });
      }
    }
  };
  walk(path.join(appDir, "api"));
  return found;
}

test("every route handler under app/api is in the document, with each of its methods", () => {
  // Framework routes that are not part of the API's contract.
  const outside = new Set(["/api/auth/[...nextauth]", "/api/v1/[...path]"]);
  const routes = routeHandlers().filter((r) => !outside.has(r.path));
  assert.ok(routes.length >= 12, `found only ${routes.length} route handlers`);
  for (const route of routes) {
    const entry = doc.paths[route.path];
    assert.ok(entry, `${route.path} is missing from the OpenAPI document`);
    for (const method of route.methods) {
      assert.ok(entry[method.toLowerCase()], `${method} ${route.path} is missing from the OpenAPI document`);
    }
  }
});

test("protected operations declare both security schemes and the 401 challenge", () => {
  const me = doc.paths["/api/v1/users/me"]!.get as { security: object[]; responses: Record<string, { headers?: object }> };
  assert.deepEqual(me.security, [{ OAuth2PasswordBearer: [] }, { HTTPBearer: [] }]);
  assert.ok(me.responses["401"]?.headers && "WWW-Authenticate" in me.responses["401"].headers);
});
