/**
 * `npm start`: validate the configuration, make sure the signing secret exists, apply pending
 * migrations (to SQLite or PostgreSQL, from DATABASE_URL), create the first superuser, build when there
 * is no build, then serve: one server process (scripts/serve.mjs, which shuts down cleanly on SIGTERM)
 * per core, or WEB_CONCURRENCY of them, under a cluster primary (scripts/cluster.mjs) when more than one.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { ConfigError, getConfig, MIN_BCRYPT_COST, redactUrl, type Config } from "../lib/config";
import { loadOrCreateSecret } from "../lib/auth/secret";
import { loadOrCreateSigningKey } from "../lib/auth/signing-keys";
import { OWNER_ONLY_UMASK, restrictDataFiles } from "../lib/auth/file-permissions";
import { planWorkers } from "../lib/runtime/workers";
import { describeMailTarget } from "../lib/mail/transport";

// Before anything is created: the data folder, the database (the Prisma CLI inherits the umask) and the
// secret are no one else's business.
process.umask(OWNER_ONLY_UMASK);

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, "..");

function fail(message: string): never {
  console.error(`\n✖ ${message}\n`);
  process.exit(1);
}

function loadConfig(): Config {
  try {
    return getConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
}

function run(command: string, args: string[], label: string, quiet: boolean) {
  const result = spawnSync(process.execPath, [command, ...args], {
    cwd: root,
    env: process.env,
    stdio: quiet ? "pipe" : "inherit",
    encoding: "utf8",
  });
  if (result.status !== 0) {
    if (quiet) process.stderr.write(`${result.stdout ?? ""}${result.stderr ?? ""}`);
    fail(`${label} failed`);
  }
}

/** The migrations of this database's folder (prisma.config.ts picks the same one), by name. */
function migrationNames(config: Config): string[] {
  const folder = path.join(root, config.databaseProvider === "postgresql" ? "prisma/postgresql" : "prisma", "migrations");
  return fs.readdirSync(folder, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
}

// What Prisma counts as applied: a row of its own table that finished and was not rolled back.
const APPLIED_MIGRATIONS =
  "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL";

/** The migrations the database records as applied; empty when it cannot say (no database or table yet, unreachable). */
async function appliedMigrations(config: Config): Promise<Set<string>> {
  try {
    if (config.sqlitePath !== null) {
      if (!fs.existsSync(config.sqlitePath)) return new Set();
      const { default: Database } = await import("better-sqlite3");
      const db = new Database(config.sqlitePath, { fileMustExist: true, timeout: 10_000 });
      try {
        return new Set(db.prepare(APPLIED_MIGRATIONS).pluck().all() as string[]);
      } finally {
        db.close();
      }
    }
    const { default: pg } = await import("pg");
    const client = new pg.Client({ connectionString: config.databaseUrl, connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
      return new Set((await client.query<{ migration_name: string }>(APPLIED_MIGRATIONS)).rows.map((r) => r.migration_name));
    } finally {
      await client.end();
    }
  } catch {
    return new Set();
  }
}

/**
 * True when the database records every migration of the folder as applied. Read here rather than by
 * `prisma migrate status`, a second Prisma CLI process (about a second of CPU) on every start; whenever
 * this finds anything missing, or cannot tell, `migrate deploy` decides, and reports what is wrong.
 */
async function migrationsUpToDate(config: Config): Promise<boolean> {
  const applied = await appliedMigrations(config);
  return migrationNames(config).every((name) => applied.has(name));
}

async function prepareDatabase(config: Config) {
  const prismaCli = require.resolve("prisma/build/index.js");
  // `migrate deploy` locks the database: on PostgreSQL an advisory lock (so instances starting together
  // migrate one at a time), after which Prisma 6.19's JS engine idles on the lock's 10-second timer;
  // on SQLite a lock that another running instance's open file blocks. Reading which migrations are applied takes no lock,
  // so deploy runs only when a migration is pending.
  if (!(await migrationsUpToDate(config))) {
    run(prismaCli, ["migrate", "deploy"], "Applying database migrations", true);
  }
  const { getDb } = await import("../lib/db/client");
  const { ensureFirstSuperuser } = await import("../lib/accounts/users");
  if (config.databaseProvider === "sqlite") {
    // WAL lets readers and a writer work at once; the setting is stored in the database file.
    await getDb().$queryRawUnsafe("PRAGMA journal_mode=WAL");
  }
  const admin = await ensureFirstSuperuser();
  if (admin.created) console.log(`No superuser yet: created ${admin.email} (FIRST_SUPERUSER).`);
  else if (admin.skipped === "email-taken") {
    console.warn(
      `No superuser, but ${admin.email} (FIRST_SUPERUSER) is an ordinary account: not promoted, no superuser created.`,
    );
  } else console.log("A superuser exists: FIRST_SUPERUSER not created.");
  const { describePrune, pruneStaleRecords } = await import("../lib/db/maintenance");
  const pruned = describePrune(await pruneStaleRecords());
  if (pruned) console.log(`Pruned ${pruned}.`);
  await getDb().$disconnect();
  return admin;
}

function describeSecret(config: Config) {
  const secret = loadOrCreateSecret(config.dataDir, config.authSecret);
  if (secret.source === "env") return "Browser sign-ins use AUTH_SECRET.";
  if (config.databaseProvider === "postgresql") {
    // Several instances on one database must share the cookie secret, or each rejects the others' sign-ins.
    console.warn(
      "Note: with PostgreSQL, every instance of this app must use the same secret. Set AUTH_SECRET " +
        "(the same value on each instance) unless this is the only instance.",
    );
  }
  if (secret.source === "file-created") {
    return `Generated a secret for browser sign-ins in ${path.relative(root, secret.file!) || secret.file} (owner-only); it is reused on every start, so sign-ins survive restarts.`;
  }
  return `Browser sign-ins use the secret stored in ${path.relative(root, secret.file!) || secret.file}.`;
}

/** Made here, before the server processes start, so they all find it (they would agree anyway). */
function describeSigningKey(config: Config) {
  let key: ReturnType<typeof loadOrCreateSigningKey>;
  try {
    key = loadOrCreateSigningKey(config.dataDir, config.signingKey, config.signingAlg);
  } catch (error) {
    fail((error as Error).message);
  }
  const where = key.file ? path.relative(root, key.file) || key.file : "";
  if (key.source === "env") return `Signing access tokens (${key.alg}) with AUTH_SIGNING_KEY.`;
  if (key.source === "file-created") {
    return `Generated an ${key.alg} signing key in ${where} (owner-only); it is reused on every start, and its public half is published at /.well-known/jwks.json.`;
  }
  return `Signing access tokens (${key.alg}) with the key stored in ${where}.`;
}

/** API_COMPAT=fastapi-template relaxes rules of ours: said at every start (docs/fastapi-template.md). */
function describeTemplateCompat(config: Config) {
  const minutes = Math.round(config.reauthMaxAgeSeconds / 60);
  return [
    "Note: API_COMPAT=fastapi-template answers as the FastAPI template's backend, which relaxes:",
    `  - a sign-in counts as the fresh proof sensitive changes need (sudo mode: the email, deleting the account, …) for ${minutes} minutes after it (REAUTH_MAX_AGE_MINUTES);`,
    "  - PATCH /users/me changes the email at once (409 when taken), without a confirmation link to the new address;",
    "  - PATCH /users/me/password checks the current password before refusing the same password again;",
    "  - sign-up and POST /users/ answer 200 (not 201) and 400 (not 409) for a taken email;",
    config.templateCompat.privateUsers
      ? "  - ENVIRONMENT=local: POST /api/v1/private/users/ creates accounts without signing in. Never expose this server."
      : `  - (ENVIRONMENT=${config.templateCompat.environment}: no POST /api/v1/private/users/).`,
  ].join("\n");
}

async function waitForHealth(url: string, child: ReturnType<typeof spawn>): Promise<boolean> {
  for (let i = 0; i < 600 && child.exitCode === null; i++) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

async function main() {
  const config = loadConfig();
  if (config.bcryptTestCostAllowed) {
    // A test server's setting: passwords hashed now stay this weak until their owners change them.
    console.warn(
      `\n⚠ BCRYPT_ALLOW_TEST_COST is set: passwords are hashed at BCRYPT_COST=${config.bcryptCost}` +
        `${config.bcryptCost < MIN_BCRYPT_COST ? `, below the floor of ${MIN_BCRYPT_COST}` : ""}. ` +
        "This is for test servers only; never use it where real passwords are stored.\n",
    );
  }
  for (const change of restrictDataFiles(config)) console.log(`Permissions: ${change} (owner-only).`);
  const workers = planWorkers(config, os.availableParallelism());
  console.log(describeSecret(config));
  if (config.databaseProvider === "postgresql" && !config.publicUrl) {
    // Instances on one database are one issuer: each refuses tokens naming another (lib/auth/tokens.ts).
    console.warn(
      `Note: access tokens name ${config.issuer} (this instance's URL) as their issuer, and an instance refuses ` +
        "tokens naming another. Set AUTH_URL (the app's public URL, the same on each instance) unless this is the only instance.",
    );
  }
  console.log(describeSigningKey(config));
  console.log(
    config.databaseProvider === "postgresql"
      ? `Database: PostgreSQL (${redactUrl(config.databaseUrl)}), up to ${sum(workers.map((w) => w.databasePoolSize))} connections.`
      : `Database: SQLite (${path.relative(root, config.sqlitePath!) || config.sqlitePath}).`,
  );
  console.log(
    config.corsOrigins.length
      ? `Cross-origin API access (CORS) for: ${config.corsOrigins.join(", ")}.`
      : "Cross-origin API access (CORS): none (FRONTEND_HOST or BACKEND_CORS_ORIGINS allow a frontend on another origin).",
  );
  console.log(describeMailTarget(config));
  if (config.templateCompat.enabled) console.warn(describeTemplateCompat(config));
  const admin = await prepareDatabase(config);

  const nextBin = require.resolve("next/dist/bin/next");
  if (!fs.existsSync(path.join(root, ".next", "BUILD_ID"))) {
    console.log("No production build yet: building (about a minute)…");
    run(nextBin, ["build", "--webpack"], "next build", false);
  }

  // Each server process's share of the machine, in the variables lib/config/index.ts reads.
  const workerEnvs = workers.map((w) => ({
    BCRYPT_THREADS: String(w.bcryptThreads),
    DATABASE_POOL_SIZE: String(w.databasePoolSize),
  }));
  const trustProxy = JSON.stringify(config.trustProxy);
  const serverArgs =
    workers.length === 1
      ? [path.join(root, "scripts", "serve.mjs"), String(config.port), config.hostname, trustProxy]
      : [path.join(root, "scripts", "cluster.mjs"), String(config.port), config.hostname, trustProxy, JSON.stringify(workerEnvs)];
  const child = spawn(process.execPath, serverArgs, {
    cwd: root,
    env: { ...process.env, NODE_ENV: "production", ...(workers.length === 1 ? workerEnvs[0] : {}) },
    stdio: ["ignore", "inherit", "inherit"],
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => child.kill(signal));
  }
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));

  const url = config.listenUrl;
  if (await waitForHealth(`http://${config.hostname.includes(":") ? `[${config.hostname}]` : config.hostname}:${config.port}`, child)) {
    const threads = workers.map((w) => w.bcryptThreads);
    const lines = [
      `Ready: ${url}`,
      `${workers.length} server process${workers.length === 1 ? "" : "es"} (WEB_CONCURRENCY; one per core by default), ` +
        `${sum(threads)} bcrypt thread${sum(threads) === 1 ? "" : "s"} in all (${threads.join(" + ")})`,
      `Sign in: ${url}/login · API docs: ${url}/docs (OpenAPI: ${url}/api/openapi.json)`,
      config.mail.smtp
        ? `Mail goes out through SMTP ${config.mail.smtp.host}:${config.mail.smtp.port}.`
        : `Mail (password recovery, verification) is written to ${path.relative(root, config.mail.outboxDir) || config.mail.outboxDir}/ as .eml files: no SMTP_HOST.`,
    ];
    if (admin.generatedPassword) {
      lines.push(
        `Sign in as ${admin.email} with password: ${admin.generatedPassword}`,
        "(generated for you and shown only this once; set FIRST_SUPERUSER_PASSWORD to choose it)",
      );
    } else if (admin.created) {
      lines.push(`Sign in as ${admin.email} with FIRST_SUPERUSER_PASSWORD.`);
    } else {
      lines.push("Sign in as a superuser (the first one's password was printed on its first start), or sign up a new account.");
    }
    lines.push(
      `Try: curl -s -X POST ${url}/api/v1/login/access-token -d 'username=${admin.email}&password=…'`,
    );
    console.log(`\n${lines.map((l) => `  ${l}`).join("\n")}\n`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
