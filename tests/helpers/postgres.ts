/**
 * PostgreSQL for the API tests, when TEST_DATABASE_URL is set. That database is the template: it is
 * migrated once per test process (`prisma migrate deploy`, as `npm run db:migrate` does), and each test
 * server gets its own copy (`CREATE DATABASE … TEMPLATE …`), dropped when the server closes. So test
 * files are as isolated as they are on SQLite, where each server has its own data folder. The role
 * needs CREATEDB.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import pg from "pg";

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, "..", "..");

/** The database the API tests run on: PostgreSQL when TEST_DATABASE_URL is set, else SQLite. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL?.trim() || undefined;

function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ""));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`TEST_DATABASE_URL: use a plain database name, not "${name}"`);
  return name;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A connection to the server's `postgres` database, for CREATE/DROP DATABASE. */
async function admin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(url, "postgres") });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function prisma(args: string[], databaseUrl: string) {
  return spawnSync(process.execPath, [require.resolve("prisma/build/index.js"), ...args], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: "utf8",
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

let templateReady: Promise<void> | undefined;

/**
 * Set by tests/run-api.ts to the template's URL once it has migrated it: test processes running side by
 * side then leave the template alone (a copy cannot be made while another session is connected to it).
 */
export const MIGRATED_TEMPLATE_ENV = "TEST_DATABASE_MIGRATED";

/** Migrates the template once per process, and drops copies left behind by test processes that died. */
export function prepareTemplate(url: string): Promise<void> {
  templateReady ??= (async () => {
    const template = databaseName(url);
    const migrated = process.env[MIGRATED_TEMPLATE_ENV] === url;
    if (!migrated && prisma(["migrate", "status"], url).status !== 0) {
      const deploy = prisma(["migrate", "deploy"], url);
      if (deploy.status !== 0) throw new Error(`migrating ${template} failed:\n${deploy.stdout}${deploy.stderr}`);
    }
    await admin(url, async (client) => {
      const { rows } = await client.query<{ datname: string }>(
        "SELECT datname FROM pg_database WHERE datname LIKE $1",
        [`${template}\\_p%\\_%`],
      );
      for (const { datname } of rows) {
        const pid = Number(/_p(\d+)_\d+$/.exec(datname)?.[1]);
        if (pid && !processAlive(pid)) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      }
    });
  })();
  return templateReady;
}

let copies = 0;

/** A fresh, migrated database of its own for one test server; `drop()` removes it. */
export async function createTestDatabase(url: string): Promise<{ url: string; drop: () => Promise<void> }> {
  await prepareTemplate(url);
  const template = databaseName(url);
  const name = `${template.slice(0, 40)}_p${process.pid}_${copies++}`;
  await admin(url, async (client) => {
    // Another test process may be connected to the template for a moment (its own migrate status):
    // PostgreSQL then refuses the copy with 55006 (object in use). Try again, for a bounded time.
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        return await client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
      } catch (error) {
        if ((error as { code?: string }).code !== "55006" || Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  });
  return {
    url: withDatabase(url, name),
    drop: () => admin(url, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  };
}

/** How many connections the app (application_name "signin-system") holds to `databaseUrl` right now. */
export async function appConnections(databaseUrl: string): Promise<number> {
  return admin(databaseUrl, async (client) => {
    const { rows } = await client.query<{ n: string }>(
      "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'signin-system'",
      [databaseName(databaseUrl)],
    );
    return Number(rows[0]?.n ?? 0);
  });
}

/**
 * Simulates a database outage and its end: with `false`, the database refuses new connections and the
 * app's open ones are terminated (as a restart or failover does); with `true`, it accepts them again.
 */
export async function setAcceptingConnections(databaseUrl: string, accepting: boolean): Promise<void> {
  const name = databaseName(databaseUrl);
  await admin(databaseUrl, async (client) => {
    await client.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS ${accepting ? "true" : "false"}`);
    if (!accepting) {
      await client.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'signin-system'",
        [name],
      );
    }
  });
}
