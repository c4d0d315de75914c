/**
 * Reading requests for the endpoint declarations (lib/api/endpoint.ts): bodies read with a size limit,
 * bodies, query strings and path parameters validated with zod, and the JSON answer.
 */
import type { z } from "zod";
import { illFormedTextProblem } from "./well-formed-text";
import { API_BODY_LIMIT } from "./body-limits.mjs";
import { errors, type FieldError } from "./errors";

/** The API's body limit (lib/http/body-limits.mjs); the server process has already refused larger declared bodies. */
export const MAX_BODY_BYTES = API_BODY_LIMIT;

/** JSON response that is never cached: API answers carry user data or tokens. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { "Cache-Control": "no-store", ...headers } });
}

/** Reads the raw body, refusing (413) anything over the limit without buffering it all. */
async function readBodyBytes(request: Request): Promise<Buffer> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw errors.payloadTooLarge(MAX_BODY_BYTES);
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_BODY_BYTES) {
      await reader.cancel();
      throw errors.payloadTooLarge(MAX_BODY_BYTES);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

async function readBody(request: Request): Promise<string> {
  return new TextDecoder("utf-8", { fatal: false }).decode(await readBodyBytes(request));
}

function mediaType(request: Request): string {
  return (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}

export function toFieldErrors(error: z.ZodError, root: string): FieldError[] {
  return error.issues.map((issue) => ({
    loc: [root, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
    msg: issue.message,
    type: issue.code,
  }));
}

/** How deep a request's JSON may nest (objects and arrays); ours use two or three levels. */
const MAX_NESTING = 32;

/**
 * 422 for every string in `data` (at any depth, keys included) that is not well-formed Unicode or holds
 * a NUL: one check for every input, before any schema, database or hash sees it.
 */
function refuseIllFormedStrings(data: unknown, root: string): void {
  const found: FieldError[] = [];
  const walk = (value: unknown, loc: (string | number)[]) => {
    // No body of ours nests deeper than a few levels; a deeper one (40,000 `[`s fit in 64 KiB) would
    // exhaust the stack here or in the schema check, which must never become a 500.
    if (loc.length > MAX_NESTING) {
      found.push({ loc: [root, ...loc.slice(0, MAX_NESTING)], msg: `Nested more than ${MAX_NESTING} levels deep`, type: "too_deep" });
      return;
    }
    if (typeof value === "string") {
      const problem = illFormedTextProblem(value);
      if (problem) found.push({ loc: [root, ...loc], msg: problem, type: "ill_formed_string" });
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, [...loc, i]));
    } else if (value && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) {
        // An ill-formed key cannot be named in `loc` either: it is reported by its position.
        if (illFormedTextProblem(key)) {
          found.push({ loc: [root, ...loc], msg: "Field names must be well-formed Unicode without NUL", type: "ill_formed_string" });
        } else walk(item, [...loc, key]);
      }
    }
  };
  walk(data, []);
  if (found.length) throw errors.validation(found);
}

export function validate<S extends z.ZodType>(schema: S, data: unknown, root = "body"): z.output<S> {
  refuseIllFormedStrings(data, root);
  const result = schema.safeParse(data);
  if (!result.success) throw errors.validation(toFieldErrors(result.error, root));
  return result.data;
}

function wrongContentType(accepted: string[]): never {
  throw errors.validation([
    {
      loc: ["header", "content-type"],
      msg: `Content-Type must be ${accepted.join(" or ")}`,
      type: "content_type",
    },
  ]);
}

function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw errors.badRequest("Request body is not valid JSON");
  }
}

/**
 * A JSON body validated by `schema`. `optional` accepts an empty body (as `{}`), for endpoints whose
 * every field is optional.
 */
export async function parseJson<S extends z.ZodType>(
  request: Request,
  schema: S,
  { optional = false } = {},
): Promise<z.output<S>> {
  const text = await readBody(request);
  if (optional && text.trim() === "") return validate(schema, {});
  if (mediaType(request) !== "application/json") wrongContentType(["application/json"]);
  return validate(schema, parseJsonText(text));
}

/** A body sent either as an HTML/OAuth2 form (urlencoded or multipart) or as JSON. */
export async function parseFormOrJson<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
  const type = mediaType(request);
  if (type === "multipart/form-data") {
    // Read once, within the limit, then parsed from memory. Not `request.clone()`: cancelling one
    // branch of a tee'd body (over the limit) completes only once the other is cancelled too, so the
    // request was never answered and its body stayed in memory.
    const bytes = await readBodyBytes(request);
    let form: FormData;
    try {
      form = await new Response(new Uint8Array(bytes), { headers: { "content-type": request.headers.get("content-type")! } }).formData();
    } catch {
      throw errors.badRequest("Request body is not valid form data");
    }
    const fields: Record<string, string> = {};
    form.forEach((value, key) => {
      if (typeof value === "string") fields[key] = value;
    });
    return validate(schema, fields);
  }
  const text = await readBody(request);
  if (type === "application/x-www-form-urlencoded") {
    return validate(schema, Object.fromEntries(new URLSearchParams(text)));
  }
  if (type === "application/json") return validate(schema, parseJsonText(text));
  return wrongContentType(["application/x-www-form-urlencoded", "multipart/form-data", "application/json"]);
}

/** Validates the query string. */
export function parseQuery<S extends z.ZodType>(request: Request, schema: S): z.output<S> {
  return validate(schema, Object.fromEntries(new URL(request.url).searchParams), "query");
}

/**
 * Refuses cross-site requests to cookie-authenticated endpoints. Browsers send Sec-Fetch-Site (and
 * Origin on POST); clients that send neither carry no browser cookies to abuse.
 */
export function requireSameOrigin(request: Request): void {
  const site = request.headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") throw errors.forbidden("Cross-site request refused");
  const origin = request.headers.get("origin");
  if (origin) {
    // X-Forwarded-Host reaches here only from a trusted proxy (scripts/serve.mjs strips a client's own).
    const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
    let originHost: string | null = null;
    try {
      originHost = new URL(origin).host;
    } catch {
      // "null" or garbage
    }
    if (originHost !== host) throw errors.forbidden("Cross-site request refused");
  }
}
