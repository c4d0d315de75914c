import { test } from "node:test";
import assert from "node:assert/strict";
import { Validator } from "@seriousme/openapi-schema-validator";
import { openApiDocument } from "../../lib/api/openapi";
import { declarations } from "../../lib/api/endpoints";

type Doc = { openapi: string; paths: Record<string, Record<string, unknown>> };
const doc = openApiDocument() as Doc;

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
  assert.equal(example("Body_login_login_access_token", "username"), "user@example.com");
  assert.equal(example("UserPublic", "email"), "user@example.com");
});

type Media = { schema: { $ref?: string; oneOf?: { $ref?: string }[] }; example?: unknown; examples?: Record<string, { value: unknown }> };
type Operation = { responses: Record<string, { description: string; content?: Record<string, Media> }> };

/** The examples of a response's JSON body, one or several. */
const examplesOf = (media: Media | undefined) =>
  media?.examples ? Object.values(media.examples).map((e) => e.value) : media?.example === undefined ? [] : [media.example];

test("every authenticated operation not open before enrolment documents the 403 mfa_enrolment_required, beside its other 403", () => {
  const enrolment = { detail: "Set up two-factor authentication first", reason: "mfa_enrolment_required" };
  const held = declarations.filter((d) => d.auth !== "none" && !d.beforeEnrolment);
  assert.ok(held.length > 20, "most authenticated operations are held until enrolment");
  for (const declaration of held) {
    const name = `${declaration.method} ${declaration.path}`;
    const forbidden = (doc.paths[declaration.path]![declaration.method.toLowerCase()] as Operation).responses["403"];
    assert.ok(forbidden, `${name} documents a 403`);
    assert.match(forbidden.description, /MFA_REQUIRED/, name);
    const media = forbidden.content!["application/json"]!;
    const examples = examplesOf(media);
    assert.deepEqual(examples.at(-1), enrolment, `${name}: the enrolment example`);
    const refs = media.schema.oneOf?.map((s) => s.$ref) ?? [media.schema.$ref];
    assert.ok(refs.includes("#/components/schemas/MfaEnrolmentRequiredError"), `${name}: the schema`);
    // The operation's own 403 (inactive user, not a superuser, …) is still there.
    if (declaration.auth !== "user") {
      assert.ok(examples.length >= 2, `${name} keeps its other 403 example`);
      assert.notDeepEqual(examples[0], enrolment, name);
    }
  }
  // The operations an enrolment needs do not answer it.
  for (const declaration of declarations.filter((d) => d.beforeEnrolment)) {
    const responses = (doc.paths[declaration.path]![declaration.method.toLowerCase()] as Operation).responses;
    const all = Object.values(responses).flatMap((r) => examplesOf(r.content?.["application/json"]));
    assert.ok(!all.some((e) => (e as { reason?: string })?.reason === "mfa_enrolment_required"), `${declaration.method} ${declaration.path}`);
  }
});

test("the three ways of signing in declare one and the same token answer", () => {
  const answer = (path: string) => (doc.paths[path]!.post as Operation).responses["200"];
  const password = answer("/api/v1/login/access-token");
  assert.equal(answer("/api/v1/login/mfa"), password);
  assert.equal(answer("/api/v1/login/passkey"), password);
  assert.deepEqual(password!.content!["application/json"]!.schema, { $ref: "#/components/schemas/Token" });
});
