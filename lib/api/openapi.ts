/**
 * The OpenAPI 3.1 document, generated from the endpoint declarations (lib/api/endpoints/) that also
 * validate requests, and the zod schemas they name: schemas with a `.meta({ id })` become
 * `components.schemas`, which the operations reference.
 */
import { z } from "zod";
import { canonicalPath, type Declaration } from "./endpoint";
import { declarations } from "./endpoints";
import { responsesOf, schemaRef } from "./responses";
import { asTemplateResponses, privateUsersServed } from "./compat";

const secured = [{ OAuth2PasswordBearer: [] }, { HTTPBearer: [] }];

/** OpenAPI parameters from a zod object schema: one per property, with its description. */
function parametersOf(schema: z.ZodType | undefined, where: "path" | "query"): object[] {
  if (!schema) return [];
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === "path" || ((json.required ?? []).includes(name) && !("default" in rest)),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

function requestBodyOf(declaration: Declaration): object | undefined {
  const body = declaration.body;
  if (!body) return undefined;
  const schema = schemaRef(body.schema);
  const content: Record<string, object> = {};
  // Form first: a client generated from the document (the template's) sends the login as a form.
  if (body.form) content["application/x-www-form-urlencoded"] = { schema };
  content["application/json"] = { schema };
  return { required: !body.optional, content };
}

function operationOf(declaration: Declaration): object {
  const parameters = [...parametersOf(declaration.params, "path"), ...parametersOf(declaration.query, "query")];
  const requestBody = requestBodyOf(declaration);
  return {
    tags: [declaration.tag],
    summary: declaration.summary,
    ...(declaration.description ? { description: declaration.description } : {}),
    operationId: declaration.operationId,
    ...(declaration.auth === "none" ? {} : { security: secured }),
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses: asTemplateResponses(declaration, responsesOf(declaration)),
  };
}

const isServed = (declaration: Declaration) => !declaration.served || declaration.served();

/** Every declared operation under its documented path (those not served now left out). */
function pathsOf(all: Declaration[]): Record<string, Record<string, object>> {
  const paths: Record<string, Record<string, object>> = {};
  for (const declaration of all) {
    if (!isServed(declaration)) continue;
    (paths[declaration.path] ??= {})[declaration.method.toLowerCase()] = operationOf(declaration);
  }
  return paths;
}

// A declaration documented under "/x/" and another under "/x" would be one route served twice.
function checkOnePathEach(all: Declaration[]): void {
  const spelled = new Map<string, string>();
  for (const { path } of all) {
    const canonical = canonicalPath(path);
    const seen = spelled.get(canonical);
    if (seen !== undefined && seen !== path) throw new Error(`${canonical} is declared as both ${seen} and ${path}`);
    spelled.set(canonical, path);
  }
}

/**
 * The registered schemas as `components.schemas`, referencing each other by `#/components/schemas/<id>`.
 * zod also stamps each one with `"$id": "#/components/schemas/<id>"`; that `$id` is dropped, because in
 * JSON Schema 2020-12 it sets the base URI that every `$ref` inside the schema resolves against, and
 * Swagger UI's OpenAPI 3.1 resolver then finds nothing: each schema shows as `any` and each example
 * as "string" (tests/unit/openapi.test.ts checks that no `$id` is left and that every `$ref` resolves).
 */
function componentSchemas(all: Declaration[]): Record<string, unknown> {
  // The request bodies of operations not served now (`POST /private/users/` without API_COMPAT) are
  // documented with them, or not at all.
  const unserved = new Set(
    all.filter((d) => !isServed(d) && d.body).map((d) => z.globalRegistry.get(d.body!.schema)?.id),
  );
  const { schemas } = z.toJSONSchema(z.globalRegistry, {
    target: "draft-2020-12",
    io: "input",
    unrepresentable: "any",
    uri: (id) => `#/components/schemas/${id}`,
  });
  const out: Record<string, unknown> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    if (unserved.has(id)) continue;
    const { $schema: _schema, $id: _id, ...rest } = schema as Record<string, unknown>;
    // The title names the schema where Swagger UI shows it inline, e.g. a `oneOf` as "HTTPError | TokenError".
    out[id] = { title: id, ...rest };
  }
  return out;
}

let cached: object | undefined;

export function openApiDocument(): object {
  cached ??= {
    openapi: "3.1.0",
    info: {
      title: "Sign-in system API",
      version: "1.0.0",
      description:
        "Log in at `POST /api/v1/login/access-token` (OAuth2 password form) to get a bearer token, then " +
        "send it as `Authorization: Bearer <token>`; API clients also get a refresh token, exchanged at the " +
        "same endpoint (`grant_type=refresh_token`) for new tokens. Every protected endpoint runs the same " +
        "current-user chain: verified JWT (EdDSA or ES256, `typ: at+jwt`, `exp` required) → token record not " +
        "revoked → user exists → active. Tokens are signed with a persisted key whose public half is at " +
        "`/.well-known/jwks.json`, and revocations are stored in the database, so both survive server restarts." +
        "\n\n**Two-factor accounts on this page:** Authorize (the password flow) answers 401 `mfa_required` for an " +
        "account with two-factor authentication. With an authenticator app, Authorize again with the password " +
        "followed directly by the app's current 6-digit code as the password. Or try out `POST /api/v1/login/mfa` with the `mfa_token` of that " +
        "answer (or of a tried-out `POST /api/v1/login/access-token`) and the app's `code`: the token it answers " +
        "authorizes this page and is saved for the whole app. Signed in through the sign-in page, the page is " +
        "authorized with that sign-in's token already.",
    },
    servers: [{ url: "/" }],
    tags: [
      { name: "login", description: "Tokens: log in, refresh, revoke, test, sign out" },
      { name: "users", description: "Accounts" },
      { name: "sessions", description: "Live tokens of the current user" },
      { name: "utils", description: "The FastAPI template's utilities: health check" },
      { name: "meta", description: "Health and this document" },
      { name: "well-known", description: "For other services: the public signing keys and the RFC 8414 metadata" },
      ...(privateUsersServed()
        ? [{ name: "private", description: "The FastAPI template's local-only user creation (API_COMPAT=fastapi-template, ENVIRONMENT=local)" }]
        : []),
    ],
    paths: (checkOnePathEach(declarations), pathsOf(declarations)),
    components: {
      schemas: componentSchemas(declarations),
      securitySchemes: {
        OAuth2PasswordBearer: {
          type: "oauth2",
          description: "Log in with email (as `username`) and password; the token is sent as a bearer token.",
          flows: { password: { tokenUrl: "/api/v1/login/access-token", scopes: {} } },
        },
        HTTPBearer: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "Paste an access token from the login endpoint.",
        },
      },
    },
  };
  return cached;
}
