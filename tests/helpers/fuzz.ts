/**
 * Generators for the API fuzz suite (tests/api/fuzz.test.ts), driven by the OpenAPI document: a JSON
 * Schema → fast-check arbitrary converter for the subset the document uses ($ref, object, string,
 * integer, number, boolean, null, array, const, enum, anyOf/oneOf), and the hostile variants of a
 * request: mutated fields, broken JSON, wrong content types, odd path segments and query values, odd
 * Authorization headers.
 *
 * A generated request is plain data (printable, replayable). Values only known while the suite runs (a
 * real password, a real user id) are placeholders, `{ $known: name }`, filled in just before sending.
 */
import fc from "fast-check";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Schema = Record<string, any>;

/** Live values filled in at send time: the requesting user's email and password, a real id, ... */
export type KnownName = "email" | "password" | "loginEmail" | "loginPassword" | "victimId" | "spareSessionId";
export type Known = { $known: KnownName };
export const known = (name: KnownName): Known => ({ $known: name });
export const isKnown = (v: unknown): v is Known =>
  typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && "$known" in v;

/** Per property name, values the document cannot describe (real accounts), used beside generated ones. */
export type Hints = Record<string, fc.Arbitrary<unknown>>;

export function resolveRef(doc: Schema, schema: Schema): Schema {
  let s = schema;
  for (let i = 0; s?.$ref && i < 20; i++) {
    s = (s.$ref as string)
      .replace(/^#\//, "")
      .split("/")
      .reduce((node: Schema, key) => node?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], doc);
  }
  if (!s) throw new Error(`unresolvable schema ${JSON.stringify(schema)}`);
  return s;
}

/** A string valid for `schema`: mostly its documented example made unique by a prefix, sometimes anything. */
function validString(schema: Schema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.max(min, Math.min(schema.maxLength ?? 64, 64));
  const plain = fc.string({ minLength: min, maxLength: max });
  if (typeof schema.example !== "string") return plain;
  const example: string = schema.example;
  const fromExample = fc
    .stringMatching(/^[a-z0-9]{1,10}$/)
    .map((prefix) => `${prefix}.${example}`)
    .filter((s) => s.length <= (schema.maxLength ?? Infinity));
  return fc.oneof({ arbitrary: fromExample, weight: 4 }, { arbitrary: fc.constant(example), weight: 1 }, { arbitrary: plain, weight: 1 });
}

/** Values that satisfy `schema` (as far as a JSON Schema can say: the server may still refuse some). */
export function arbitraryFor(doc: Schema, schema: Schema, hints: Hints = {}, property?: string): fc.Arbitrary<unknown> {
  const s = resolveRef(doc, schema);
  const generated = fromSchema(doc, s, hints);
  const hint = property === undefined ? undefined : hints[property];
  return hint ? fc.oneof({ arbitrary: hint, weight: 3 }, { arbitrary: generated, weight: 1 }) : generated;
}

function fromSchema(doc: Schema, s: Schema, hints: Hints): fc.Arbitrary<unknown> {
  if ("const" in s) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum);
  const alternatives: Schema[] | undefined = s.anyOf ?? s.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((a) => arbitraryFor(doc, a, hints)));
  switch (s.type) {
    case "object": {
      const properties: Record<string, Schema> = s.properties ?? {};
      const model = Object.fromEntries(
        Object.entries(properties).map(([name, p]) => [name, arbitraryFor(doc, p, hints, name)]),
      );
      return fc.record(model, { requiredKeys: (s.required ?? []) as string[] });
    }
    case "array":
      return fc.array(s.items ? arbitraryFor(doc, s.items, hints) : fc.jsonValue(), { maxLength: 4 });
    case "string":
      return validString(s);
    case "integer":
      return fc.integer({ min: s.minimum ?? -1_000_000, max: s.maximum ?? 1_000_000 });
    case "number":
      return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

// ── Hostile values ────────────────────────────────────────────────────────────────────────────────

/** Strings that have broken parsers, databases and log lines before. */
const nastyStrings = [
  "",
  " ",
  "\uFEFF",
  "\u202Eevil", // right-to-left override
  "\u200B",
  "😀",
  "𝕏",
  "é",
  "e\u0301",
  "ﬀ",
  "İ",
  "ß",
  "\r\n",
  "\t",
  "\\",
  '"',
  "'",
  "<script>alert(1)</script>",
  "' OR 1=1 --",
  "../../etc/passwd",
  "%00",
  "%s%n%x",
  "${jndi:ldap://x}",
  "__proto__",
  "constructor",
  "admin@example.com",
  "ADMIN@EXAMPLE.COM",
  " admin@example.com ",
  "a@b",
  "@example.com",
  "user@",
  "password",
  "12345678",
];

/** Strings that are not well-formed Unicode, or that hold NUL, which databases refuse. */
const malformedStrings = [
  "\u0000",
  "a\u0000b",
  "\ud800", // lone high surrogate
  "x\udfffy", // lone low surrogate
  "\udc00\ud800", // reversed pair
  "\ud83d", // half an emoji
];

export const weirdString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...nastyStrings), weight: 4 },
  { arbitrary: fc.constantFrom(...malformedStrings), weight: 3 },
  { arbitrary: fc.string({ unit: "binary", maxLength: 40 }), weight: 2 }, // any code point, lone surrogates too
  { arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }), weight: 1 },
  { arbitrary: fc.string({ unit: fc.constantFrom("\ud800", "\udc00", "\u0000", "a", "é"), maxLength: 12 }), weight: 2 },
  {
    // around the limits: 72 bytes (bcrypt), 254/255 (email, name), 1024 (given passwords), 64 KiB (bodies)
    arbitrary: fc
      .tuple(fc.constantFrom(71, 72, 73, 254, 255, 256, 1024, 1025, 5000, 70_000), fc.constantFrom("a", "é", "😀", "\u0000"))
      .map(([n, c]) => c.repeat(Math.ceil(n / c.length))),
    weight: 1,
  },
);

/** Any JSON value of the wrong kind, or a nasty string. */
export const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: weirdString, weight: 7 },
  { arbitrary: fc.constantFrom(null, true, false, 0, -1, 1e308, -1e-308, Number.MAX_SAFE_INTEGER + 2, 1.5), weight: 2 },
  { arbitrary: fc.integer(), weight: 1 },
  { arbitrary: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }), weight: 1 },
  { arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }), weight: 1 },
);

/** Keys a request should not be able to set (mass assignment) or that upset object handling. */
const extraKey = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "prototype", "id", "is_superuser", "isSuperuser", "is_active", "hashed_password", "hashedPassword", "email_verified", "created_at", "user_id", ""),
  fc.string({ maxLength: 12 }),
);

export type BodyMutation =
  | { kind: "replace"; key: string; value: unknown }
  | { kind: "extra"; key: string; value: unknown }
  | { kind: "drop"; key: string }
  | { kind: "whole"; value: unknown };

/** A valid object body with one thing wrong with it. */
export function mutatedObject(valid: fc.Arbitrary<unknown>, properties: string[]): fc.Arbitrary<{ value: unknown; mutation: BodyMutation }> {
  const mutations: fc.Arbitrary<BodyMutation>[] = [
    fc.record({ kind: fc.constant("extra" as const), key: extraKey, value: weirdValue }),
    fc.record({
      kind: fc.constant("whole" as const),
      value: fc.oneof(fc.constantFrom(null, [], "", 0, true, "{}", [{}]), fc.array(weirdValue, { maxLength: 2 }), weirdString),
    }),
  ];
  if (properties.length) {
    const key = fc.constantFrom(...properties);
    mutations.push(
      fc.record({ kind: fc.constant("replace" as const), key, value: weirdValue }),
      // three times: the main case
      fc.record({ kind: fc.constant("replace" as const), key, value: weirdValue }),
      fc.record({ kind: fc.constant("replace" as const), key, value: weirdValue }),
      fc.record({ kind: fc.constant("drop" as const), key }),
    );
  }
  return fc.tuple(valid, fc.oneof(...mutations)).map(([body, mutation]) => ({ value: applyMutation(body, mutation), mutation }));
}

function applyMutation(body: unknown, m: BodyMutation): unknown {
  if (m.kind === "whole") return m.value;
  const copy: Record<string, unknown> = typeof body === "object" && body !== null ? { ...(body as object) } : {};
  if (m.kind === "drop") delete copy[m.key];
  // defineProperty, so "__proto__" becomes an own key that JSON.stringify sends
  else Object.defineProperty(copy, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
  return copy;
}

/** Bodies that are not JSON, or JSON that is hard to parse. */
export function brokenJsonText(validText: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(
      "",
      " ",
      "{",
      "}",
      "[",
      "nul",
      "NaN",
      "undefined",
      "{'a': 1}",
      '{"a": 1,}',
      '{"a":1}{"b":2}',
      '{"a" 1}',
      "\u0000",
      "\uFEFF{}",
      "1e999999",
      '"\\ud800"',
      '{"a": "\\u00"}',
      '{"a": "\\x41"}',
      '{"__proto__": {"is_superuser": true}}',
      "[".repeat(20_000),
      "[".repeat(20_000) + "]".repeat(20_000),
      '{"a":'.repeat(5_000),
      "x".repeat(70_000),
    ),
    validText.chain((t) => fc.nat({ max: Math.max(0, t.length - 1) }).map((n) => t.slice(0, n))), // truncated
    validText.map((t) => `${t}garbage`),
    fc.string({ unit: "binary", maxLength: 60 }),
  );
}

/** Content types a JSON endpoint should refuse (or, for the case-insensitive ones, accept). */
export const contentTypes = fc.constantFrom(
  "text/plain",
  "text/html",
  "application/xml",
  "application/x-www-form-urlencoded",
  "multipart/form-data",
  "multipart/form-data; boundary=x",
  "application/octet-stream",
  "application/jsonx",
  "application/json-patch+json",
  "application/json; charset=utf-16",
  "APPLICATION/JSON",
  "application/json;;;",
  "*/*",
  "json",
  "",
);

/** Raw bytes that are not UTF-8 (overlong, encoded surrogates, stray continuation bytes). */
export const invalidUtf8: fc.Arbitrary<number[]> = fc.constantFrom<number[]>(
  [0xff, 0xfe],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d], // {"a":"\xff"}
  [0xe0, 0x80],
  [0x80, 0x80, 0x80],
);

/** Percent-encodes UTF-8 bytes outside the unreserved set (lone surrogates become U+FFFD's bytes). */
const percentEncode = (s: string) =>
  [...Buffer.from(s, "utf8")]
    .map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`))
    .join("");

/** Path segments and query values as sent on the wire (not encoded further). */
export const oddSegment: fc.Arbitrary<string> = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      "0",
      "-1",
      "1e999",
      "9".repeat(400),
      "null",
      "undefined",
      "true",
      "[]",
      "%",
      "%%",
      "%zz",
      "%ff",
      "%FF%FE",
      "%00",
      "a%00b",
      "%2F",
      "%2e%2e",
      "..",
      ".",
      "%C0%AF",
      "%ED%A0%80", // an encoded surrogate
      "%E0%A4%A",
      "%uD800",
      "..%2F..%2Fetc%2Fpasswd",
      "%C3%A9",
      "%F0%9F%98%80",
      "é",
      "😀",
      "%22%3E%3Cscript%3E",
      "x".repeat(5000),
      "__proto__",
      "constructor",
      "%20",
      "+",
      "a;b=c",
      "me",
      "signup",
    ),
    weight: 4,
  },
  { arbitrary: fc.string({ unit: "binary", maxLength: 24 }).map(percentEncode), weight: 2 },
  {
    arbitrary: fc
      .array(fc.oneof(fc.constantFrom("%", "%z", "%e0%a4", "%ff", "%00", "%c3"), fc.stringMatching(/^[a-z0-9]{1,4}$/)), { minLength: 1, maxLength: 5 })
      .map((parts) => parts.join("")),
    weight: 2,
  },
  { arbitrary: fc.integer().map(String), weight: 1 },
);

/** Values for an integer query parameter: valid ones and every kind of almost-number. */
export function integerQueryValue(schema: Schema): fc.Arbitrary<string> {
  const valid = fc.integer({ min: schema.minimum ?? -1000, max: Math.min(schema.maximum ?? 1000, 2000) }).map(String);
  return fc.oneof(
    { arbitrary: valid, weight: 3 },
    {
      arbitrary: fc.constantFrom("-1", "0", "1e3", "1.5", "0x10", "%201", "1%20", "", "abc", "9".repeat(400), "Infinity", "NaN", "-0", "1e309", "%EF%BC%91", "1%00", "%zz"),
      weight: 3,
    },
    { arbitrary: oddSegment, weight: 1 },
  );
}

/** Authorization header values that are not a usable bearer token (Latin-1: what fetch can send). */
export const junkAuthorization = fc.oneof(
  fc.constantFrom(
    "Bearer",
    "Bearer ",
    "Bearer  ",
    "Bearer x",
    "Bearer a.b.c",
    "Bearer ....",
    "Basic YWRtaW46YWRtaW4=",
    "Token abc",
    "bearer",
    // alg "none", sub "x"
    "Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4IiwiZXhwIjo5OTk5OTk5OTk5fQ.",
    "Bearer eyJhbGciOiJIUzI1NiJ9.e30.AAAA",
    `Bearer ${"A".repeat(8000)}`,
  ),
  fc.stringMatching(/^[\x21-\x7e]{0,80}$/).map((s) => `Bearer ${s}`),
);

// ── Request lines, for the socket-level fuzzing ────────────────────────────────────────────────────

/** The methods Next.js serves. */
const SERVED_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
/** Methods Node's parser knows (so they reach the server's request handler) that the app does not serve. */
const PARSER_METHODS = [
  "TRACE", "CONNECT", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH", "REPORT", "MERGE",
  "M-SEARCH", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE", "PURGE", "LINK", "UNLINK", "SOURCE", "QUERY", "ACL", "BIND",
  "REBIND", "UNBIND", "MKCALENDAR", "MKACTIVITY", "CHECKOUT", "PRI",
];

/** Request methods: served, known to the parser but not served, unknown tokens, wrong case, not tokens. */
export const requestMethod: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...SERVED_METHODS), weight: 3 },
  { arbitrary: fc.constantFrom(...PARSER_METHODS), weight: 4 },
  { arbitrary: fc.constantFrom("get", "Get", "post", "hEAD", "FOO", "BREW", "X", "GET2", "DELETE-ALL", "TRACK", "DEBUG"), weight: 2 },
  { arbitrary: fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,12}$/), weight: 2 },
  { arbitrary: fc.constantFrom("G\u007fT", "GE\u0000T", "ÄÖÜ", "GET\t", "(GET)", "G:ET"), weight: 1 },
);

/** Paths of every kind the server has: the API (literal and with a parameter), Auth.js, documents, pages. */
const SERVER_PATHS = [
  "/", "/login", "/profile", "/docs", "/signup", "/no-such-page", "/api", "/api/", "/api/health", "/api/openapi.json",
  "/api/v1/users/me", "/api/v1/users/me/", "/api/v1/users/abc", "/api/v1/users/abc/sessions", "/api/v1/login/access-token",
  "/api/v1/login/revoke", "/api/v1/sessions/x", "/api/v1/nothing-here", "/api/auth/session", "/api/auth/csrf",
  "/api/auth/callback/credentials", "/api/auth/signout", "/.well-known/jwks.json", "/.well-known/nothing",
  "/_next/static/x.js", "/favicon.ico",
];

/**
 * Request targets: origin-form paths (with odd segments and queries), absolute URLs (this server's and
 * others'), `*`, authority-form, and things that are none of these.
 */
export const requestTarget: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...SERVER_PATHS), weight: 4 },
  {
    arbitrary: fc
      .tuple(fc.constantFrom(...SERVER_PATHS), oddSegment, fc.constantFrom("", "?", "?a=1", "?callbackUrl=%2F%2Fevil", "#x"))
      .map(([p, segment, query]) => `${p.replace(/\/$/, "")}/${segment}${query}`),
    weight: 3,
  },
  {
    arbitrary: fc
      .tuple(fc.constantFrom("http://127.0.0.1", "http://localhost:3000", "https://evil.example", "HTTP://X", "http://[::1]", "http://a@b", "ftp://x"), fc.constantFrom(...SERVER_PATHS, "", "?q=1"))
      .map(([origin, p]) => `${origin}${p}`),
    weight: 2,
  },
  {
    arbitrary: fc.constantFrom(
      "*", "**", "*/api/health", "example.com:443", "127.0.0.1:80", "[::1]:443", "localhost", "api/health", "?", "?a=1", "#",
      "//evil.example/x", "///api/health", "/\\evil.example", "/./api/health", "/api/../login", "/api/v1/../../etc/passwd",
      "/%", "/%zz", "/%00", "/\u007f", "/ä", `/${"a".repeat(8000)}`, "/api/v1/users/me?" + "x=1&".repeat(500),
    ),
    weight: 3,
  },
);

/** The request line's protocol: HTTP/1.1 mostly, and versions the server may not speak. */
export const httpVersion: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constant("HTTP/1.1"), weight: 6 },
  { arbitrary: fc.constantFrom("HTTP/1.0", "HTTP/2.0", "HTTP/0.9", "HTTP/9.9", "http/1.1", "HTTP/1.1 ", "HTTP/1", ""), weight: 1 },
);

/** What follows the request line: nothing more, a small body (declared or chunked), Expect, no Host. */
export type LineExtras = "none" | "no host" | "small body" | "chunked body" | "expect continue" | "body over limits";
export const lineExtras: fc.Arbitrary<LineExtras> = fc.constantFrom<LineExtras>(
  "none", "none", "none", "no host", "small body", "chunked body", "expect continue", "body over limits",
);
