/**
 * One declaration per API endpoint — method, path, tag, operation id, who may call it, what it accepts
 * and what it answers — used twice: the route handler validates every request with it, and the OpenAPI
 * document (lib/api/openapi.ts) is generated from it. The two cannot drift, and
 * tests/unit/routes.test.ts fails when a route file exports a method without a declaration or a
 * declaration has no route.
 *
 * Declaring (lib/api/endpoints/<tag>.ts, listed in lib/api/endpoints/index.ts):
 *
 *     export const readUserById = endpoint({
 *       method: "GET", path: "/api/v1/users/{user_id}", tag: "users", operationId: "users-read_user_by_id",
 *       summary: "Read a user (superuser)", auth: "superuser", params: UserIdParams,
 *       responses: { "200": ok("The user", UserPublic), "404": errorResponse("No such user", "…") },
 *     });
 *
 * Serving (app/api/v1/users/[user_id]/route.ts; the folder names the path parameter):
 *
 *     export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
 *       readUserById.handler(async ({ params }) => json(toUserPublic(await getUserById(params.user_id)))),
 *       …
 *     );
 *
 * The handler receives `{ request, params, query, body, auth }`, already validated: the path parameters,
 * query and body by their schemas (422 with field errors), `auth` by the current-user chain the
 * declaration names (401/403). `route` answers the methods nobody declared with 405, answers OPTIONS
 * (CORS preflight, lib/http/cors.ts) and puts the CORS headers on every answer. The 401/403, 400/413/422
 * responses that follow from `auth`, `body`, `query` and `params` are added to the document here.
 */
import { z } from "zod";
import { type Authenticated, requireActiveUser, requireSuperuser, requireUser } from "../auth/current-user";
import { requireEnrolmentIfRequired } from "../accounts/mfa-enforcement";
import { preflight, withCors, type CorsScope } from "../http/cors";
import { errorResponse, errors } from "../http/errors";
import { parseFormOrJson, parseJson, parseQuery, validate } from "../http/handler";
import { asTemplateAnswers } from "./compat";

export const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type Method = (typeof METHODS)[number];

/**
 * Who may call: anyone; any holder of a live token, even of a deactivated account (signing out);
 * an active user; an active superuser.
 */
export type Access = "none" | "user" | "active" | "superuser";

/** An OpenAPI response object (lib/api/responses.ts builds them). */
export type ResponseObject = { description: string; headers?: Record<string, unknown>; content?: Record<string, unknown> };

export type Declaration = {
  method: Method;
  /** The OpenAPI path, as the FastAPI template writes it (a trailing slash where it has one); served with and without. */
  path: string;
  tag: string;
  /** `{tag}-{function name}`, as FastAPI names operations (the generated client's method names come from it). */
  operationId: string;
  summary: string;
  description?: string;
  auth: Access;
  /** Path parameters; each key is a `{name}` in `path` and a `[name]` folder of the route. */
  params?: z.ZodType<Record<string, unknown>>;
  query?: z.ZodType<Record<string, unknown>>;
  /** JSON, or with `form` also an HTML/OAuth2 form; `optional` accepts an empty body as `{}`. */
  body?: { schema: z.ZodType; form?: boolean; optional?: boolean };
  responses: Record<string, ResponseObject>;
  /** false: same-origin only (cookie-authenticated endpoints); no CORS headers for any other origin. */
  crossOrigin?: boolean;
  /**
   * Open to an account MFA_REQUIRED covers before it has a second factor (reading itself, enrolling,
   * re-authenticating, signing out); every other authenticated endpoint answers it 403 `mfa_enrolment_required`.
   */
  beforeEnrolment?: true;
  /**
   * With API_COMPAT=fastapi-template, these statuses are answered (and documented) as the template's
   * (lib/api/compat.ts), e.g. `CREATION_STATUSES`: 201 → 200, 409 → 400.
   */
  templateStatuses?: Readonly<Record<string, string>>;
  /** Served only while this says so: otherwise 404 as an unknown path, and not in the document. */
  served?: () => boolean;
};

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export type HandlerContext<D extends Declaration> = {
  request: Request;
  params: D["params"] extends z.ZodType ? z.output<D["params"]> : Record<string, never>;
  query: Out<D["query"]>;
  body: D["body"] extends { schema: infer S } ? Out<S> : undefined;
  auth: D["auth"] extends "none" ? undefined : Authenticated;
};

type NextContext = { params: Promise<unknown> };
/** A function Next.js calls for one method of a route, carrying the declaration it serves. */
export type EndpointHandler = ((request: Request, context: NextContext) => Promise<Response>) & {
  declaration: Declaration;
};

export type Endpoint<D extends Declaration> = D & {
  handler(fn: (context: HandlerContext<D>) => Promise<Response>): EndpointHandler;
};

/** Every declaration made, in order: the OpenAPI document lists them (lib/api/endpoints/index.ts imports them all). */
export const declarations: Declaration[] = [];

export function endpoint<const D extends Declaration>(declaration: D): Endpoint<D> {
  declarations.push(declaration);
  return {
    ...declaration,
    handler(fn) {
      const scope = corsScopeOf([declaration]);
      const serve = async (request: Request, context: NextContext): Promise<Response> => {
        if (declaration.served && !declaration.served()) {
          return withCors(request, errorResponse(errors.notFound("Not Found")), scope);
        }
        try {
          const params = validate(declaration.params ?? AnyParams, (await context.params) ?? {}, "path");
          const auth = await authenticate(declaration.auth, request);
          if (auth && !declaration.beforeEnrolment) await requireEnrolmentIfRequired(auth.user);
          const query = declaration.query ? parseQuery(request, declaration.query) : undefined;
          const body = await readBody(declaration, request);
          const response = await fn({ request, params, query, body, auth } as HandlerContext<D>);
          return withCors(request, asTemplateAnswers(declaration, response), scope);
        } catch (error) {
          return withCors(request, asTemplateAnswers(declaration, errorResponse(error, request)), scope);
        }
      };
      return Object.assign(serve, { declaration });
    },
  };
}

/** Path parameters of an endpoint that declares none (the catch-all's `path` segments). */
const AnyParams = z.record(z.string(), z.unknown());

async function authenticate(access: Access, request: Request): Promise<Authenticated | undefined> {
  switch (access) {
    case "none":
      return undefined;
    case "user":
      return requireUser(request);
    case "active":
      return requireActiveUser(request);
    case "superuser":
      return requireSuperuser(request);
  }
}

function readBody(declaration: Declaration, request: Request): Promise<unknown> | undefined {
  const body = declaration.body;
  if (!body) return undefined;
  if (body.form) return parseFormOrJson(request, body.schema);
  return parseJson(request, body.schema, { optional: body.optional });
}

function corsScopeOf(served: Declaration[]): CorsScope {
  return { crossOrigin: served.every((d) => d.crossOrigin !== false), methods: served.map((d) => d.method) };
}

/** A path without its trailing slash: the form a route folder has. */
export function canonicalPath(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, "") : path;
}

type RouteExports = Record<Method, (request: Request, context: NextContext) => Promise<Response>> & {
  OPTIONS: (request: Request) => Response;
};

/**
 * Everything a route file exports: the handlers for its declared methods, 405 (with `Allow`, in the
 * API's shape) for the rest, and OPTIONS for CORS preflights.
 */
export function route(...handlers: EndpointHandler[]): RouteExports {
  const served = handlers.map((h) => h.declaration);
  const paths = new Set(served.map((d) => canonicalPath(d.path)));
  if (paths.size !== 1) throw new Error(`route() serves one path, got: ${[...paths].join(", ")}`);
  const scope = corsScopeOf(served);
  const refuse = async (request: Request) =>
    withCors(request, errorResponse(errors.methodNotAllowed(scope.methods)), scope);
  const exports = Object.fromEntries(METHODS.map((m) => [m, refuse])) as unknown as RouteExports;
  for (const handler of handlers) exports[handler.declaration.method] = handler;
  exports.OPTIONS = (request) => preflight(request, scope);
  return exports;
}

/** The catch-all under /api: an unknown path answers 404 in the API's shape (with CORS, so a page can read it). */
export function unknownApiPath(): RouteExports {
  const scope: CorsScope = { crossOrigin: true, methods: [...METHODS] };
  const notFound = async (request: Request) => withCors(request, errorResponse(errors.notFound("Not Found")), scope);
  const exports = Object.fromEntries(METHODS.map((m) => [m, notFound])) as unknown as RouteExports;
  exports.OPTIONS = (request) => preflight(request, scope);
  return exports;
}
