/**
 * Property-based fuzzing of every operation in the OpenAPI document, against a production server.
 *
 * For each operation of `/api/openapi.json` (as served), fast-check generates requests from the
 * document: valid bodies from the request schema, the same with one field mutated (wrong type, long,
 * Unicode with lone surrogates and NUL, null, extra keys, missing keys), broken JSON, wrong content
 * types, invalid UTF-8, odd path segments and query values, with no token, a junk or revoked one, a
 * user's and the superuser's. Every answer must hold:
 *
 *   1. no 5xx;
 *   2. an error (≥ 400) is JSON with a non-empty `detail`;
 *   3. a 4xx left the database as it was: every row of every table (users, access_tokens, sessions,
 *      accounts, verification_tokens) except the audit trail (`auth_events`) and the sign-in throttle
 *      (`login_throttles`), which a refused sign-in rightly writes, and except `access_tokens.last_used_at`,
 *      which any authenticated request updates; and the requesting user (`GET /users/me`) is unchanged.
 *
 * A 2xx may change data; the suite follows along (new password, new email, revoked token → signs in
 * again; deleted account → a new one). Requests that would destroy the suite's own user (sign out,
 * delete my account) use a fresh user instead.
 *
 * A second property works below the document, on raw sockets: request lines with any method (served,
 * known to Node's parser but not served such as TRACE and PROPFIND, unknown such as FOO, lower-case),
 * any request target (paths, absolute URLs, `*`, `host:port`, garbage), odd protocol versions, with or
 * without Host, a body, a chunked body, Expect: 100-continue or a body over every limit. Every one gets
 * an answer within seconds, never a 5xx; an error is JSON with a `detail` when its target is a path
 * under /api (or /.well-known), an HTML page otherwise; and the server logs no stack trace.
 *
 * FUZZ_SEED (default 1) fixes the generated requests; FUZZ_RUNS (default below) is the number of
 * requests per operation; FUZZ_OPERATION ("POST /api/v1/users/signup", or "request lines" for the
 * socket-level property, FUZZ_LINE_RUNS of them) runs one; FUZZ_PATH replays one counterexample of it
 * (printed on failure, with the seed and the exact request).
 */
import assert from "node:assert/strict";
import crypto from "node:crypto";
import http from "node:http";
import path from "node:path";
import { after, before, test } from "node:test";
import Database from "better-sqlite3";
import fc from "fast-check";
import pg from "pg";
import {
  arbitraryFor,
  brokenJsonText,
  contentTypes,
  httpVersion,
  lineExtras,
  requestMethod,
  requestTarget,
  type LineExtras,
  integerQueryValue,
  invalidUtf8,
  isKnown,
  junkAuthorization,
  known,
  mutatedObject,
  oddSegment,
  resolveRef,
  weirdString,
  type Hints,
  type KnownName,
  type Schema,
} from "../helpers/fuzz";
import { rawRequest } from "../helpers/raw-http";
import { ADMIN_EMAIL, ADMIN_PASSWORD, login, startServer, uniqueEmail, type Json, type Server } from "../helpers/server";

function envInteger(name: string, fallback: number, min: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, not "${raw}"`);
  return n;
}

const SEED = envInteger("FUZZ_SEED", 1, -(2 ** 31));
/** Requests per operation: 19 operations × 25 ≈ 475 requests, about a minute on a loaded 2-core machine. */
const RUNS = envInteger("FUZZ_RUNS", 25, 1);
const ONLY = process.env.FUZZ_OPERATION?.trim() || undefined;
/** FUZZ_OPERATION's name for the socket-level fuzzing of request lines (methods, targets, versions). */
const REQUEST_LINES = "request lines";
/** Request lines sent by that property. */
const LINE_RUNS = envInteger("FUZZ_LINE_RUNS", 300, 1);
const REPLAY_PATH = process.env.FUZZ_PATH?.trim() || undefined;

// ── The server and the suite's users ───────────────────────────────────────────────────────────────

type Account = { email: string; password: string; token: string; id: string };

let server: Server;
let doc: Json;
let database: DatabaseReader;
/** The user most requests are made as; its email, password and token follow successful changes. */
let main: Account;
let admin: Account;
/** An account whose email and password the login fuzzing uses (its throttle may fill up: that is fine). */
let loginTarget: { email: string; password: string };
/** A user the superuser's requests on /users/{id} act on; replaced when deleted. */
let victimId: string | null = null;
/** Another live token of `main`, the target of DELETE /sessions/{id}; replaced when revoked. */
let spareSessionId: string | null = null;
/** A token that was signed out: valid signature, revoked row. */
let revokedToken: string;
/** How the current operation's requests were answered: shows the valid ones get through, too. */
const statuses = new Map<number, number>();

before(async () => {
  // One address makes every request, hundreds of them failed sign-ins: the per-address limit would
  // soon refuse the suite's own sign-ins. The throttle has its own tests (security-throttle.test.ts).
  server = await startServer({ LOGIN_THROTTLE_IP_FAILURES: "100000" });
  const res = await server.api("/api/openapi.json");
  assert.equal(res.status, 200, res.text);
  doc = res.body;
  database = await openDatabase(server);
  admin = await signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
  main = await newAccount("fuzz-main");
  loginTarget = { email: uniqueEmail("fuzz-login"), password: "login target password 1" };
  await createUser(loginTarget.email, loginTarget.password);
  const signedOut = await newAccount("fuzz-revoked");
  revokedToken = signedOut.token;
  const out = await server.api("/api/v1/logout", { method: "POST", token: revokedToken });
  assert.equal(out.status, 200, out.text);
});

after(async () => {
  await database?.close();
  await server?.close();
});

async function createUser(email: string, password: string): Promise<string> {
  const res = await server.api("/api/v1/users/signup", { method: "POST", json: { email, password } });
  assert.equal(res.status, 201, `signup ${email}: ${res.text}`);
  return res.body.id;
}

async function signIn(email: string, password: string): Promise<Account> {
  const token = await login(server, email, password);
  const me = await server.api("/api/v1/users/me", { token });
  assert.equal(me.status, 200, me.text);
  return { email, password, token, id: me.body.id };
}

async function newAccount(label: string): Promise<Account> {
  const email = uniqueEmail(label);
  const password = `${label} password 1`;
  await createUser(email, password);
  return signIn(email, password);
}

/** After a 2xx that may have changed an account: the account's token still works, or it signs in again. */
async function resync(account: Account, replace: () => Promise<Account>): Promise<Account> {
  if ((await server.api("/api/v1/users/me", { token: account.token })).status === 200) return account;
  const res = await server.api("/api/v1/login/access-token", {
    method: "POST",
    form: { username: account.email, password: account.password },
  });
  if (res.status === 200) return signIn(account.email, account.password);
  return replace(); // deleted or deactivated
}

async function ensureVictim(): Promise<string> {
  if (victimId && (await server.api(`/api/v1/users/${victimId}`, { token: admin.token })).status === 200) return victimId;
  const res = await server.api("/api/v1/users", {
    method: "POST",
    token: admin.token,
    json: { email: uniqueEmail("fuzz-victim"), password: "victim password 1" },
  });
  assert.equal(res.status, 201, res.text);
  return (victimId = res.body.id as string);
}

async function ensureSpareSession(): Promise<string> {
  const live = await server.api("/api/v1/sessions", { token: main.token });
  assert.equal(live.status, 200, live.text);
  if (spareSessionId && live.body.data.some((s: Json) => s.id === spareSessionId)) return spareSessionId;
  await login(server, main.email, main.password);
  const again = await server.api("/api/v1/sessions", { token: main.token });
  const spare = again.body.data.find((s: Json) => !s.current);
  assert.ok(spare, again.text);
  return (spareSessionId = spare.id as string);
}

// ── Reading the database directly (read-only) ─────────────────────────────────────────────────────

/** Tables a refused request may legitimately write: the audit trail and the sign-in throttle. */
const MAY_CHANGE_ON_4XX = new Set(["auth_events", "login_throttles", "_prisma_migrations"]);
/** Columns any authenticated request updates. */
const VOLATILE_COLUMNS: Record<string, string[]> = { access_tokens: ["last_used_at"] };

type DatabaseReader = { rows: (table: string) => Promise<Record<string, unknown>[]>; tables: string[]; close: () => Promise<void> };

async function openDatabase(s: Server): Promise<DatabaseReader> {
  if (s.databaseUrl) {
    const client = new pg.Client({ connectionString: s.databaseUrl });
    await client.connect();
    const { rows } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    );
    return {
      tables: rows.map((r) => r.table_name).filter((t) => !MAY_CHANGE_ON_4XX.has(t)),
      rows: async (table) => (await client.query(`SELECT * FROM "${table}"`)).rows,
      close: () => client.end(),
    };
  }
  const db = new Database(path.join(s.dataDir, "app.db"), { readonly: true, fileMustExist: true });
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[])
    .map((r) => r.name)
    .filter((t) => !MAY_CHANGE_ON_4XX.has(t));
  return {
    tables,
    rows: async (table) => db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[],
    close: async () => void db.close(),
  };
}

/** Every row of every table that a 4xx must not touch, as sorted JSON lines per table. */
async function snapshot(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of database.tables) {
    const volatile = VOLATILE_COLUMNS[table] ?? [];
    out[table] = (await database.rows(table))
      .map((row) => JSON.stringify(Object.entries(row).filter(([k]) => !volatile.includes(k)).sort(([a], [b]) => a.localeCompare(b))))
      .sort();
  }
  return out;
}

function describeChanges(before: Record<string, string[]>, after: Record<string, string[]>): string[] {
  const changes: string[] = [];
  for (const table of Object.keys(before)) {
    const removed = before[table]!.filter((r) => !after[table]!.includes(r));
    const added = after[table]!.filter((r) => !before[table]!.includes(r));
    if (removed.length || added.length) {
      changes.push(`${table}: ${before[table]!.length} → ${after[table]!.length} rows; removed ${removed.slice(0, 2).join(" ")} added ${added.slice(0, 2).join(" ")}`);
    }
  }
  return changes;
}

// ── Requests ──────────────────────────────────────────────────────────────────────────────────────

type AuthKind = "none" | "user" | "admin" | "junk" | "revoked";

/** A generated request: plain data, printed as fast-check's counterexample. */
type FuzzRequest = {
  variant: string;
  /** A method the path does not document, instead of the operation's. */
  otherMethod?: string;
  auth: AuthKind;
  junkAuthorization?: string;
  /** Path parameter values: a raw wire segment, or a placeholder for a real id. */
  params: Record<string, string | { $known: KnownName }>;
  query: string;
  contentType?: string;
  body?: { json: unknown } | { text: string } | { bytes: number[] } | { form: [string, unknown][] };
};

/** What went on the wire, for the failure report. */
type SentRequest = { method: string; url: string; headers: Record<string, string>; bodyText?: string; bodyBytes?: number[] };

type Operation = { method: string; path: string; op: Json };

function operations(): Operation[] {
  const out: Operation[] = [];
  for (const [p, item] of Object.entries<Json>(doc.paths)) {
    for (const method of ["get", "post", "put", "patch", "delete"]) {
      if (item[method]) out.push({ method: method.toUpperCase(), path: p, op: item[method] });
    }
  }
  return out;
}

/** Values the document cannot know: real accounts' emails and passwords, per property name. */
function hintsFor(o: Operation): Hints {
  if (o.path === "/api/v1/login/access-token") {
    return {
      username: fc.constantFrom(known("loginEmail"), known("loginEmail"), "admin@example.com", "nobody@example.com"),
      password: fc.constant(known("loginPassword")),
      grant_type: fc.constant("password"),
    };
  }
  return { current_password: fc.constant(known("password")) };
}

/** Where a path parameter's real values come from (the document only says "string"). */
function realIdFor(o: Operation): KnownName {
  return o.path.startsWith("/api/v1/sessions/") ? "spareSessionId" : "victimId";
}

/** Operations that would sign out or delete the suite's own user: made as a fresh user instead. */
const destroysItsUser = (o: Operation) => (o.method === "DELETE" && o.path === "/api/v1/users/me") || o.path === "/api/v1/logout";

function requestArbitrary(o: Operation): fc.Arbitrary<FuzzRequest> {
  const secured = Array.isArray(o.op.security) && o.op.security.length > 0;
  const auth: fc.Arbitrary<AuthKind> = secured
    ? fc.constantFrom<AuthKind>("user", "user", "user", "admin", "admin", "admin", "none", "junk", "revoked")
    : fc.constantFrom<AuthKind>("none", "none", "none", "junk", "user");

  const pathParams: Json[] = (o.op.parameters ?? []).filter((p: Json) => p.in === "path");
  const queryParams: Json[] = (o.op.parameters ?? []).filter((p: Json) => p.in === "query");
  const params: fc.Arbitrary<FuzzRequest["params"]> = fc.record(
    Object.fromEntries(
      pathParams.map((p) => [
        p.name as string,
        fc.oneof({ arbitrary: fc.constant(known(realIdFor(o))), weight: 2 }, { arbitrary: oddSegment, weight: 3 }),
      ]),
    ),
  );
  // A string query value at most about 1 KiB: a request line past Node's 16 KiB header limit never
  // reaches the app (Node answers 431 and closes the connection, which the client may see only as a
  // reset), so a 70 000-character value tests Node, not us.
  const queryString = weirdString.filter((s) => s.length <= 1025).map(encodeLatin);
  const validQuery = fc
    .tuple(
      ...queryParams.map((p) =>
        fc.option(resolveRef(doc, p.schema).type === "integer" ? integerQueryValue(resolveRef(doc, p.schema)) : queryString, { nil: undefined }).map((v) =>
          v === undefined ? "" : `${p.name}=${v}`,
        ),
      ),
    )
    .map((parts) => parts.filter(Boolean).join("&"));
  const query = fc
    .oneof(
      { arbitrary: validQuery, weight: 4 },
      { arbitrary: fc.tuple(validQuery, oddSegment, oddSegment).map(([q, k, v]) => [q, `${k}=${v}`].filter(Boolean).join("&")), weight: 1 },
      { arbitrary: fc.constantFrom("", "a&&b", "=", "&=&", "skip=1&skip=2&limit=1&limit=x", "x=" + "%".repeat(200)), weight: 1 },
    )
    .map((q) => (q ? `?${q}` : ""));

  const undocumented = ["GET", "POST", "PUT", "PATCH", "DELETE"].filter((m) => !doc.paths[o.path][m.toLowerCase()]);
  const method = fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 12 },
    { arbitrary: undocumented.length ? fc.constantFrom(...undocumented) : fc.constant(undefined), weight: 1 },
  );
  const common = { auth, junkAuthorization: junkAuthorization, params, query, method };
  const body = bodyVariants(o);
  return fc
    .tuple(fc.record(common), body)
    .map(([c, b]) => {
      const request: FuzzRequest = { variant: b.variant, auth: c.auth, params: c.params, query: c.query };
      if (c.method) request.otherMethod = c.method;
      if (c.auth === "junk") request.junkAuthorization = c.junkAuthorization;
      if (b.contentType !== undefined) request.contentType = b.contentType;
      if (b.body !== undefined) request.body = b.body;
      return request;
    });
}

type BodyVariant = Pick<FuzzRequest, "contentType" | "body"> & { variant: string };

function bodyVariants(o: Operation): fc.Arbitrary<BodyVariant> {
  const content: Record<string, Json> | undefined = o.op.requestBody?.content;
  if (!content) {
    // No body in the document: send none, or some anyway.
    return fc.oneof(
      { arbitrary: fc.constant({ variant: "no body" }), weight: 4 },
      { arbitrary: fc.record({ variant: fc.constant("unexpected body"), contentType: contentTypes, body: brokenJsonText(fc.constant("{}")).map((text) => ({ text })) }), weight: 1 },
    );
  }
  const jsonSchema = content["application/json"]?.schema;
  const formSchema = content["application/x-www-form-urlencoded"]?.schema;
  const schema: Schema = resolveRef(doc, jsonSchema ?? formSchema);
  const valid = arbitraryFor(doc, schema, hintsFor(o));
  const properties = Object.keys(schema.properties ?? {});
  const validText = valid.map((v) => JSON.stringify(v));
  const variants: { arbitrary: fc.Arbitrary<BodyVariant>; weight: number }[] = [
    { arbitrary: valid.map((json) => ({ variant: "valid", contentType: "application/json", body: { json } })), weight: 3 },
    {
      arbitrary: mutatedObject(valid, properties).map(({ value, mutation }) => ({
        variant: `mutated: ${mutation.kind}${"key" in mutation ? ` ${JSON.stringify(mutation.key)}` : ""}`,
        contentType: "application/json",
        body: { json: value },
      })),
      weight: 6,
    },
    { arbitrary: brokenJsonText(validText).map((text) => ({ variant: "broken JSON", contentType: "application/json", body: { text } })), weight: 2 },
    { arbitrary: fc.tuple(validText, contentTypes).map(([text, contentType]) => ({ variant: "content type", contentType, body: { text } })), weight: 2 },
    { arbitrary: invalidUtf8.map((bytes) => ({ variant: "invalid UTF-8", contentType: "application/json", body: { bytes } })), weight: 1 },
    { arbitrary: fc.constant({ variant: "no body" }), weight: 1 },
  ];
  if (formSchema) {
    const formFields = (v: unknown): [string, unknown][] => Object.entries((v ?? {}) as object);
    variants.push(
      { arbitrary: valid.map((v) => ({ variant: "valid form", contentType: "application/x-www-form-urlencoded", body: { form: formFields(v) } })), weight: 3 },
      {
        arbitrary: mutatedObject(valid, properties).map(({ value, mutation }) => ({
          variant: `mutated form: ${mutation.kind}`,
          contentType: "application/x-www-form-urlencoded",
          body: { form: typeof value === "object" && value !== null && !Array.isArray(value) ? formFields(value) : [["x", value]] },
        })),
        weight: 3,
      },
      {
        arbitrary: fc.array(fc.tuple(fc.constantFrom(...properties, "x"), oddSegment), { maxLength: 4 }).map((pairs) => ({
          variant: "raw form",
          contentType: "application/x-www-form-urlencoded",
          body: { text: pairs.map(([k, v]) => `${k}=${v}`).join("&") },
        })),
        weight: 2,
      },
    );
  }
  return fc.oneof(...variants);
}

/** A string as Latin-1-safe, percent-encoded query text. */
function encodeLatin(s: string): string {
  return [...Buffer.from(s, "utf8")].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("");
}

function fill(value: unknown, values: Record<KnownName, () => string>): unknown {
  if (isKnown(value)) return values[value.$known]();
  if (Array.isArray(value)) return value.map((v) => fill(v, values));
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, { value: fill(v, values), enumerable: true, configurable: true, writable: true });
    }
    return out;
  }
  return value;
}

/** Turns the generated request into one on the wire, as the given account. */
async function realize(o: Operation, r: FuzzRequest, as: Account | null): Promise<SentRequest> {
  const ids: Partial<Record<KnownName, string>> = {};
  for (const v of Object.values(r.params)) {
    if (typeof v !== "string" && v.$known === "victimId") ids.victimId = await ensureVictim();
    if (typeof v !== "string" && v.$known === "spareSessionId") ids.spareSessionId = await ensureSpareSession();
  }
  // Placeholders in bodies (a real password) refer to the requesting account, or the suite's user.
  const values: Record<KnownName, () => string> = {
    email: () => as?.email ?? main.email,
    password: () => as?.password ?? main.password,
    loginEmail: () => loginTarget.email,
    loginPassword: () => loginTarget.password,
    victimId: () => ids.victimId!,
    spareSessionId: () => ids.spareSessionId!,
  };
  const pathname = o.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = r.params[name]!;
    return typeof v === "string" ? v : values[v.$known]();
  });
  const headers: Record<string, string> = {};
  if (r.auth === "junk") headers.authorization = r.junkAuthorization!;
  else if (r.auth === "revoked") headers.authorization = `Bearer ${revokedToken}`;
  else if (as) headers.authorization = `Bearer ${as.token}`;
  if (r.contentType !== undefined) headers["content-type"] = r.contentType;
  const sent: SentRequest = { method: r.otherMethod ?? o.method, url: `${server.url}${onTheWire(pathname + r.query)}`, headers };
  if (r.body && "json" in r.body) sent.bodyText = JSON.stringify(fill(r.body.json, values)) ?? "";
  else if (r.body && "text" in r.body) sent.bodyText = r.body.text;
  else if (r.body && "bytes" in r.body) sent.bodyBytes = r.body.bytes;
  else if (r.body && "form" in r.body) {
    const form = new URLSearchParams();
    for (const [k, v] of r.body.form) {
      const filled = fill(v, values);
      form.append(k, typeof filled === "string" ? filled : JSON.stringify(filled) ?? "");
    }
    sent.bodyText = form.toString();
  }
  return sent;
}

type Answer = { status: number; contentType: string; text: string; body: Json };

/**
 * Sends it with node:http rather than fetch: the path goes out exactly as generated (fetch would resolve
 * "..", and refuses a body on GET), on a connection of its own (a 413 closes it).
 */
function send(s: SentRequest): Promise<Answer> {
  const body = s.bodyBytes ? Buffer.from(s.bodyBytes) : s.bodyText === undefined ? undefined : Buffer.from(s.bodyText, "utf8");
  const headers: Record<string, string> = { ...s.headers };
  if (body) headers["content-length"] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = http.request(s.url, { method: s.method, headers, agent: false });
    req.on("error", reject);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let parsed: Json;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode!, contentType: String(res.headers["content-type"] ?? ""), text, body: parsed });
      });
    });
    req.end(body);
  });
}

/** What may go into a request line: printable ASCII; anything else is percent-encoded as UTF-8. */
const onTheWire = (s: string) =>
  [...Buffer.from(s, "utf8")].map((b) => (b > 0x20 && b < 0x7f ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`)).join("");

const clip = (s: string, n = 600) => (s.length > n ? `${s.slice(0, n)}… (${s.length} characters)` : s);

function describeRequest(s: SentRequest, r: FuzzRequest): string {
  const headers = Object.entries(s.headers)
    .map(([k, v]) => `  ${k}: ${clip(v, 200)}${k === "authorization" ? `   (${r.auth === "user" ? "the user's token" : r.auth === "admin" ? "the superuser's token" : r.auth})` : ""}`)
    .join("\n");
  const body = s.bodyBytes
    ? `  (bytes) ${Buffer.from(s.bodyBytes).toString("hex")}`
    : s.bodyText === undefined
      ? "  (none)"
      : `  ${clip(JSON.stringify(s.bodyText))}   (as a JSON string literal)`;
  return `${s.method} ${clip(s.url, 300)}   [${r.variant}]\nheaders:\n${headers || "  (none)"}\nbody:\n${body}`;
}

/** Sends one generated request and checks the three properties; throws a description when one fails. */
async function exercise(o: Operation, r: FuzzRequest): Promise<void> {
  let as: Account | null = null;
  if (r.auth === "admin") as = admin;
  else if (r.auth === "user") as = destroysItsUser(o) ? await newAccount("fuzz-fresh") : main;
  const sent = await realize(o, r, as);

  const before = await snapshot();
  const meBefore = as ? await server.api("/api/v1/users/me", { token: as.token }) : null;
  const answer = await send(sent);
  statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
  const problems: string[] = [];

  if (answer.status >= 500) {
    problems.push(`answered ${answer.status}: a 5xx to a client's request`);
  }
  if (answer.status >= 400) {
    const detail = answer.body?.detail;
    const hasDetail = typeof detail === "string" ? detail.length > 0 : Array.isArray(detail) && detail.length > 0;
    if (!/^application\/json\b/.test(answer.contentType) || !hasDetail) {
      problems.push(`error ${answer.status} is not JSON with a "detail" (Content-Type "${answer.contentType}")`);
    }
  }
  if (answer.status >= 400 && answer.status < 500) {
    const changes = describeChanges(before, await snapshot());
    if (changes.length) problems.push(`answered ${answer.status} but changed the database:\n    ${changes.join("\n    ")}`);
    if (as && meBefore) {
      const meAfter = await server.api("/api/v1/users/me", { token: as.token });
      if (meAfter.status !== meBefore.status || meAfter.text !== meBefore.text) {
        problems.push(`answered ${answer.status} but the user changed: ${meBefore.status} ${meBefore.text} → ${meAfter.status} ${meAfter.text}`);
      }
    }
  }
  if (answer.status < 300 && sent.method !== "GET") await followChanges(sent, answer);

  if (problems.length) {
    throw new Error(
      `${problems.join("\n")}\n\nrequest:\n${describeRequest(sent, r)}\n\nresponse: ${answer.status} ${answer.contentType}\n  ${clip(answer.text)}`,
    );
  }
}

/** After a successful change: learn the requesting account's new password or email, sign in again if needed. */
async function followChanges(sent: SentRequest, answer: Answer): Promise<void> {
  const isAdmin = sent.headers.authorization === `Bearer ${admin.token}`;
  const isMain = sent.headers.authorization === `Bearer ${main.token}`;
  const account = isAdmin ? admin : isMain ? main : null;
  // By the path sent, not the operation's: /users/{id} with the id "me" is /users/me.
  const target = `${sent.method} ${new URL(sent.url).pathname}`;
  if (account && target === "PATCH /api/v1/users/me/password") account.password = JSON.parse(sent.bodyText!).new_password;
  // 202 is an email change asked for, not made: the address changes only when the mailed link is used.
  if (account && target === "PATCH /api/v1/users/me" && answer.status === 200) account.email = answer.body.email;
  admin = await resync(admin, () => {
    throw new Error("the superuser can no longer sign in");
  });
  main = await resync(main, () => newAccount("fuzz-main"));
}

/** Each operation's own seed, from FUZZ_SEED and its name: otherwise every operation would draw alike. */
function operationSeed(o: Operation): number {
  return (SEED ^ crypto.createHash("sha256").update(`${o.method} ${o.path}`).digest().readInt32LE(0)) | 0;
}

// ── The properties, one test per operation ────────────────────────────────────────────────────────

test("every operation of the OpenAPI document, fuzzed", async (t) => {
  if (ONLY === REQUEST_LINES) return;
  const ops = operations().filter((o) => !ONLY || `${o.method} ${o.path}` === ONLY);
  assert.ok(ops.length > 0, ONLY ? `no operation "${ONLY}" in the document` : "the document lists no operations");
  console.log(`fuzz: FUZZ_SEED=${SEED}, FUZZ_RUNS=${RUNS} requests per operation, ${ops.length} operations`);
  for (const o of ops) {
    await t.test(`${o.method} ${o.path}`, async () => {
      statuses.clear();
      const details = await fc.check(
        fc.asyncProperty(requestArbitrary(o), (r) => exercise(o, r)),
        { seed: operationSeed(o), numRuns: RUNS, ...(REPLAY_PATH ? { path: REPLAY_PATH } : {}) },
      );
      const summary = [...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(" ");
      console.log(`fuzz: ${o.method} ${o.path}: ${summary}`);
      if (details.failed) {
        const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
        assert.fail(
          `${o.method} ${o.path} failed after ${details.numRuns} request(s)` +
            `${details.numShrinks ? `, shrunk ${details.numShrinks} time(s)` : ""}.\n` +
            `Replay: FUZZ_SEED=${SEED} FUZZ_PATH=${details.counterexamplePath} FUZZ_OPERATION="${o.method} ${o.path}" ` +
            `npx tsx --test tests/api/fuzz.test.ts\n` +
            `Generated: ${fc.stringify(details.counterexample)}\n\n${error}`,
        );
      }
    });
  }
});

// ── Request lines at the socket level ─────────────────────────────────────────────────────────────

type LineRequest = { method: string; target: string; version: string; extras: LineExtras };

/** The request as bytes: request line, Host, what `extras` adds, and `Connection: close`. */
function lineRequestBytes(r: LineRequest): string {
  const line = `${r.method} ${r.target}${r.version ? ` ${r.version}` : ""}`;
  const headers = ["Connection: close"];
  if (r.extras !== "no host") headers.push("Host: 127.0.0.1");
  let body = "";
  if (r.extras === "small body" || r.extras === "expect continue") {
    headers.push("Content-Type: application/json", "Content-Length: 2");
    if (r.extras === "expect continue") headers.push("Expect: 100-continue");
    body = "{}";
  } else if (r.extras === "chunked body") {
    headers.push("Content-Type: application/json", "Transfer-Encoding: chunked");
    body = "2\r\n{}\r\n0\r\n\r\n";
  } else if (r.extras === "body over limits") {
    headers.push("Content-Type: application/json", "Content-Length: 100000000"); // never sent
  }
  return `${line}\r\n${headers.join("\r\n")}\r\n\r\n${body}`;
}

/**
 * The path a target names on this server (dot segments resolved, as a browser or Next.js would), or
 * null when it is not a path (`*`, `host:443`, garbage).
 */
function targetPath(target: string): string | null {
  const absolute = /^https?:\/\/[^/?#]*(\/[^?#]*)?/i.exec(target);
  const raw = target.startsWith("/") ? target.split(/[?#]/)[0]! : absolute ? (absolute[1] ?? "/") : null;
  if (raw === null) return null;
  try {
    return new URL(raw, "http://host.invalid").pathname;
  } catch {
    return raw;
  }
}

test("request lines at the socket level: any method, target and version gets a 4xx (or a real answer), never a 5xx", async () => {
  if (ONLY && ONLY !== REQUEST_LINES) return;
  const logStart = server.output().length;
  const seen = new Map<number, number>();
  const details = await fc.check(
    fc.asyncProperty(fc.record({ method: requestMethod, target: requestTarget, version: httpVersion, extras: lineExtras }), async (r) => {
      const res = await rawRequest(server.port, lineRequestBytes(r), { timeoutMs: 5000, headOnly: r.method === "HEAD" });
      seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
      const what = `${JSON.stringify(r)} → ${res.status} ${JSON.stringify(res.headers)} ${clip(res.body, 300)}`;
      assert.ok(res.status >= 200 && res.status < 500, what);
      if (res.status < 400 || r.method === "HEAD") return;
      const path = targetPath(r.target);
      if (path !== null && /^\/(api|\.well-known)(\/|$)/.test(path)) {
        assert.match(res.headers["content-type"] ?? "", /^application\/json/, what);
        const detail = JSON.parse(res.body).detail;
        assert.ok(typeof detail === "string" ? detail.length > 0 : Array.isArray(detail) && detail.length > 0, what);
      } else {
        // A missing static asset is Next.js's plain-text 404; everything else is a page.
        const asset = path !== null && path.startsWith("/_next/");
        assert.match(res.headers["content-type"] ?? "", asset ? /^text\/(html|plain)/ : /^text\/html/, what);
        assert.ok(res.body.length > 0, what);
      }
      if (res.status === 405) assert.ok(res.headers.allow, `405 without Allow: ${what}`);
    }),
    { seed: SEED, numRuns: LINE_RUNS, ...(ONLY === REQUEST_LINES && REPLAY_PATH ? { path: REPLAY_PATH } : {}) },
  );
  console.log(`fuzz: request lines: ${[...seen].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(" ")}`);
  if (details.failed) {
    const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    assert.fail(
      `A request line failed after ${details.numRuns} request(s).\n` +
        `Replay: FUZZ_SEED=${SEED} FUZZ_PATH=${details.counterexamplePath} FUZZ_OPERATION="${REQUEST_LINES}" npx tsx --test tests/api/fuzz.test.ts\n` +
        `Generated: ${fc.stringify(details.counterexample)}\n\n${error}`,
    );
  }
  await new Promise((r) => setTimeout(r, 300));
  const logged = server.output().slice(logStart);
  assert.doesNotMatch(logged, /\n\s+at /, `a stack trace in the log:\n${clip(logged, 3000)}`);
});
