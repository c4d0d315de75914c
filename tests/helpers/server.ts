/**
 * Starts the real production server the way a user does (`node --import tsx scripts/start.ts`), on a free port with
 * a fresh data folder, and talks to it over HTTP. One server per test file; `restart()` keeps the data
 * folder, database and port, so anything stored there (database, generated secret) must survive.
 *
 * The database is SQLite in the data folder, a copy of a migrated template (tests/helpers/sqlite.ts), or,
 * when TEST_DATABASE_URL is set, a fresh PostgreSQL database of the server's own (tests/helpers/postgres.ts).
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { exited, freePort, groupAlive, productionServerEnv, START_ARGS, stopGroup } from "./processes";
import { createTestDatabase, TEST_DATABASE_URL } from "./postgres";
import { copySqliteTemplate } from "./sqlite";

/** Which database this run's servers use. */
export const DATABASE: "sqlite" | "postgresql" = TEST_DATABASE_URL ? "postgresql" : "sqlite";

const root = path.resolve(import.meta.dirname, "..", "..");

export const ADMIN_EMAIL = "admin@example.com";
export const ADMIN_PASSWORD = "admin-password-for-tests";

type Env = Record<string, string | undefined>;

export type ApiInit = Omit<RequestInit, "body"> & {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Sent as JSON (`Content-Type: application/json`). */
  json?: unknown;
  /** Sent as an OAuth2/HTML form (`application/x-www-form-urlencoded`). */
  form?: Record<string, string>;
  body?: RequestInit["body"];
};

/** JSON from the server: its shape is what the tests assert, so it is deliberately untyped here. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export type ApiResponse = { status: number; headers: Headers; text: string; body: Json };

/** One entry of a 422 body's `detail`. */
export type FieldError = { loc: (string | number)[]; msg: string; type: string };

/** A 422 answer's field errors, checked for shape, as dotted locations: `["body.email", ...]`. */
export function errorLocations(res: ApiResponse): string[] {
  assert.equal(res.status, 422, res.text);
  assert.ok(Array.isArray(res.body?.detail) && res.body.detail.length > 0, res.text);
  return (res.body.detail as FieldError[]).map((e) => {
    assert.ok(Array.isArray(e.loc) && typeof e.msg === "string" && typeof e.type === "string", res.text);
    return e.loc.join(".");
  });
}

export type Server = {
  url: string;
  port: number;
  dataDir: string;
  /** The PostgreSQL database's URL; null on SQLite (the database is in dataDir). */
  databaseUrl: string | null;
  /** The start script's pid, which is also its process group's id (none while stopped). */
  pid: () => number | undefined;
  /** Everything the start script printed so far (stdout and stderr). */
  output: () => string;
  api: (path: string, init?: ApiInit) => Promise<ApiResponse>;
  stop: () => Promise<void>;
  /** Stops, then starts again on the same port and data folder; `env` replaces the overrides in use. */
  restart: (env?: Env) => Promise<void>;
  /**
   * Sends `signal` to the start script alone (as an orchestrator does; it passes it on to the server
   * process) and resolves with its exit code once it has exited.
   */
  signal: (signal: NodeJS.Signals) => Promise<number | null>;
  /** Stops and removes the data folder, and the database unless it belongs to another server. */
  close: () => Promise<void>;
};

export type StartOptions = {
  /**
   * Another server whose database this one shares: its PostgreSQL database, or on SQLite its data
   * folder (database file and generated secret). Close this server before that one.
   */
  sameDatabaseAs?: Server;
  /**
   * The database URL the server is given, made from its database's own (PostgreSQL): a route to the same
   * database through a TCP proxy, for a test that cuts the proxy. `Server.databaseUrl` stays the direct one.
   */
  databaseUrlForServer?: (url: string) => string;
};

/**
 * Bursts of sign-ups and logins in the suites must not be shed for load on a busy shared machine, where a
 * hash can take seconds: a long max wait, unless a test (faults-load-shedding) sets its own.
 */
const TEST_QUEUE = { BCRYPT_QUEUE_MAX_WAIT_SECONDS: "120" };

/**
 * API test servers hash at bcrypt cost 4, allowed by BCRYPT_ALLOW_TEST_COST (lib/config): the suite signs
 * up and logs in thousands of times, and at cost 10 those hashes were, after server starts, most of its
 * CPU. What a test asserts does not depend on the cost, except where it compares answer times or fires
 * concurrent password checks at the throttle: such a file calls keepProductionBcryptCost() first
 * (docs/testing.md lists them). The end-to-end server stays at 10, a user's real experience.
 */
const TEST_BCRYPT_COST = { BCRYPT_COST: "4", BCRYPT_ALLOW_TEST_COST: "true" };
let bcryptSettings: Env = TEST_BCRYPT_COST;

/** This file's servers hash at cost 10, the production floor (tests/helpers/processes.ts), without the test flag. */
export function keepProductionBcryptCost(): void {
  bcryptSettings = {};
}

const serverEnv = (port: number, dataDir: string, databaseUrl: string | null, overrides: Env) =>
  productionServerEnv(
    { port, dataDir, databaseUrl, admin: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } },
    { ...TEST_QUEUE, ...bcryptSettings, ...overrides },
  );

/** Servers and data folders not cleaned up yet; cleaned if the test process ends early (Ctrl-C, crash). */
const running = new Set<number>();
const dataDirs = new Set<string>();
function cleanUp() {
  for (const pid of running) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
}
process.on("exit", cleanUp);
for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  process.once(signal, () => {
    cleanUp();
    process.exit(code);
  });
}

function makeDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "signin-api-test-"));
  dataDirs.add(dir);
  return dir;
}

function removeDataDir(dir: string) {
  fs.rmSync(dir, { recursive: true, force: true });
  dataDirs.delete(dir);
}

function spawnStart(env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  let output = "";
  const child = spawn(process.execPath, START_ARGS, {
    cwd: root,
    env,
    detached: true, // its own process group, so stop() reaches next-start and every helper
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child.pid!);
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  return { child, output: () => output };
}

async function killGroup(child: ChildProcess): Promise<void> {
  await stopGroup(child);
  running.delete(child.pid!);
}

async function waitHealthy(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`The server exited (${child.exitCode ?? child.signalCode}) before it was healthy:\n${output()}`);
    }
    try {
      if ((await fetch(`${url}/api/health`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await killGroup(child);
  throw new Error(`The server was not healthy after 90 s:\n${output()}`);
}

/** The server's database: its own (created here, dropped on close) or the one it shares. */
async function provideDatabase(options: StartOptions): Promise<{ url: string | null; drop: () => Promise<void> }> {
  if (options.sameDatabaseAs) return { url: options.sameDatabaseAs.databaseUrl, drop: async () => {} };
  if (!TEST_DATABASE_URL) return { url: null, drop: async () => {} };
  return createTestDatabase(TEST_DATABASE_URL);
}

export async function startServer(overrides: Env = {}, options: StartOptions = {}): Promise<Server> {
  const port = await freePort();
  const sharedDataDir = DATABASE === "sqlite" ? options.sameDatabaseAs?.dataDir : undefined;
  const dataDir = sharedDataDir ?? makeDataDir();
  // Already migrated, as PostgreSQL's copies are (tests/helpers/sqlite.ts).
  if (DATABASE === "sqlite" && !sharedDataDir) copySqliteTemplate(dataDir);
  const database = await provideDatabase(options);
  const cleanUpStorage = async () => {
    if (!sharedDataDir) removeDataDir(dataDir);
    await database.drop();
  };
  const url = `http://127.0.0.1:${port}`;
  let current: ReturnType<typeof spawnStart> | undefined;
  let pastOutput = "";
  let env = overrides;

  const start = async () => {
    const serverDatabaseUrl = database.url && options.databaseUrlForServer ? options.databaseUrlForServer(database.url) : database.url;
    current = spawnStart(serverEnv(port, dataDir, serverDatabaseUrl, env));
    await waitHealthy(url, current.child, () => pastOutput + current!.output());
  };
  const stop = async () => {
    if (!current) return;
    const proc = current;
    current = undefined;
    await killGroup(proc.child);
    pastOutput += proc.output();
  };

  try {
    await start();
  } catch (error) {
    await cleanUpStorage();
    throw error;
  }
  return {
    url,
    port,
    dataDir,
    databaseUrl: database.url,
    pid: () => current?.child.pid,
    output: () => pastOutput + (current?.output() ?? ""),
    api: (p, init) => api(url, p, init),
    stop,
    restart: async (newEnv = env) => {
      await stop();
      env = newEnv;
      await start();
    },
    signal: async (signal) => {
      if (!current) return null;
      const proc = current;
      process.kill(proc.child.pid!, signal);
      await exited(proc.child);
      current = undefined;
      await killGroup(proc.child); // anything of the group still there (there should be nothing)
      pastOutput += proc.output();
      return proc.child.exitCode;
    },
    close: async () => {
      await stop();
      await cleanUpStorage();
    },
  };
}

/**
 * Runs the start script expecting it to fail (a bad configuration): resolves with its exit code and
 * output. A server that starts anyway is stopped and reported with code `null`.
 */
export async function runStartExpectingFailure(overrides: Env, timeoutMs = 30_000) {
  const port = await freePort();
  const dataDir = makeDataDir();
  const { child, output } = spawnStart(serverEnv(port, dataDir, null, overrides));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void killGroup(child);
  }, timeoutMs);
  await exited(child);
  clearTimeout(timer);
  const code = timedOut || child.signalCode ? null : child.exitCode;
  if (groupAlive(child.pid!)) await killGroup(child);
  running.delete(child.pid!);
  removeDataDir(dataDir);
  return { code, output: output() };
}

export async function api(baseUrl: string, p: string, init: ApiInit = {}): Promise<ApiResponse> {
  const { token, json, form, ...rest } = init;
  const headers = new Headers(rest.headers);
  let body = rest.body;
  if (token !== undefined) headers.set("authorization", `Bearer ${token}`);
  if (json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(json);
  }
  if (form !== undefined) {
    headers.set("content-type", "application/x-www-form-urlencoded");
    body = new URLSearchParams(form).toString();
  }
  const response = await fetch(`${baseUrl}${p}`, { ...rest, headers, body });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

/**
 * The app's URL as the start banner printed it (`Ready: <url>`; the last start's): the tokens' issuer
 * without AUTH_URL. The banner follows the server's first health check, so it is waited for.
 */
export async function bannerUrl(server: Server): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const urls = [...server.output().matchAll(/Ready: (\S+)/g)].map((m) => m[1]!);
    if (urls.length) return urls.at(-1)!;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`no start banner:\n${server.output()}`);
}

let counter = 0;
/** A unique email per call, so tests never collide on the unique index. */
export function uniqueEmail(label = "user"): string {
  return `${label}-${process.pid}-${Date.now().toString(36)}-${counter++}@example.com`;
}

export async function signup(server: Server, email: string, password: string, fullName?: string) {
  const res = await server.api("/api/v1/users/signup", {
    method: "POST",
    json: { email, password, ...(fullName === undefined ? {} : { full_name: fullName }) },
  });
  assert.equal(res.status, 201, `signup ${email}: ${res.text}`);
  return res.body as { id: string; email: string; full_name: string | null; is_active: boolean; is_superuser: boolean };
}

/** Logs in with the OAuth2 password form; returns the access token. */
export async function login(server: Server, email: string, password: string): Promise<string> {
  const res = await server.api("/api/v1/login/access-token", {
    method: "POST",
    form: { username: email, password },
  });
  assert.equal(res.status, 200, `login ${email}: ${res.text}`);
  return res.body.access_token as string;
}

/** Signs a new user up and logs in: the common start of a test. */
export async function newUser(server: Server, label = "user", password = "password-1234") {
  const email = uniqueEmail(label);
  const user = await signup(server, email, password);
  return { user, email, password, token: await login(server, email, password) };
}

export const adminToken = (server: Server) => login(server, ADMIN_EMAIL, ADMIN_PASSWORD);

/** The Auth.js session cookie's name over plain HTTP. */
export const SESSION_COOKIE = "authjs.session-token";

/** Signs in on the sign-in page's Credentials provider, as the page does; returns the session cookie's value. */
export async function browserSignIn(server: Server, email: string, password: string): Promise<string> {
  const csrf = await fetch(`${server.url}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookie = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const res = await fetch(`${server.url}/api/auth/callback/credentials`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-auth-return-redirect": "1", cookie },
    body: new URLSearchParams({ email, password, csrfToken, callbackUrl: server.url }).toString(),
    redirect: "manual",
  });
  const session = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  assert.ok(session, `no session cookie: ${res.status} ${res.headers.getSetCookie().join(" | ")}`);
  return session.split(";")[0]!.slice(SESSION_COOKIE.length + 1);
}

/** POST /login/session-token with a session cookie: what the pages do to get an access token. */
export const mintFromCookie = (server: Server, cookie: string) =>
  server.api("/api/v1/login/session-token", { method: "POST", headers: { cookie: `${SESSION_COOKIE}=${cookie}` } });
