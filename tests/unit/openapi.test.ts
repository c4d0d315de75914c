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
        // Methods answered only with 405 (`otherMethods(...)`) are not operations of the API.
        const source = fs
          .readFileSync(full, "utf8")
          .split("\n")
          .filter((line) => !line.includes("otherMethods("))
          .join("\n");
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

/** Every value in `node` with its JSON pointer, depth first. */
function* walk(node: unknown, pointer = "#"): Generator<[string, unknown]> {
  yield [pointer, node];
  if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      yield* walk(value, `${pointer}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`);
    }
  }
}

/** What a local `$ref` ("#/a/b") points at in the document, or undefined. */
function resolvePointer(root: unknown, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  let node = root;
  for (const raw of ref.slice(2).split("/")) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (!node || typeof node !== "object" || !(key in node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

test("no schema carries $id, and every $ref resolves within the document", () => {
  // A `$id` changes the base that a `$ref` beside or below it resolves against; Swagger UI's OpenAPI 3.1
  // resolver then finds nothing and shows every schema as `any` and every example as "string".
  const refs: string[] = [];
  for (const [pointer, node] of walk(doc)) {
    if (!node || typeof node !== "object" || Array.isArray(node)) continue;
    assert.ok(!("$id" in node), `${pointer} carries $id`);
    const ref = (node as { $ref?: unknown }).$ref;
    if (ref === undefined) continue;
    assert.equal(typeof ref, "string", `${pointer}/$ref is not a string`);
    assert.ok(resolvePointer(doc, ref as string) !== undefined, `${pointer}/$ref ${String(ref)} does not resolve in the document`);
    refs.push(ref as string);
  }
  assert.ok(refs.includes("#/components/schemas/UserPublic"), "the operations reference the component schemas");
});

test("the request bodies Swagger UI pre-fills carry real examples", () => {
  const schemas = (doc as unknown as { components: { schemas: Record<string, { properties: Record<string, { example?: unknown; examples?: unknown[] }> }> } }).components.schemas;
  const example = (schema: string, field: string) => {
    const property = schemas[schema]!.properties[field]!;
    return property.examples?.[0] ?? property.example;
  };
  assert.equal(example("UserRegister", "email"), "user@example.com");
  assert.equal(typeof example("UserRegister", "password"), "string");
  assert.equal(example("LoginRequest", "username"), "user@example.com");
  assert.equal(example("UserPublic", "email"), "user@example.com");
});
