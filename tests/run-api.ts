/**
 * `npm run test:api`: the API suite (tests/api, over HTTP against real production servers) on SQLite,
 * and the suite again on PostgreSQL when TEST_DATABASE_URL is set (all but the few files about the HTTP
 * layer, which the database plays no part in: DATABASE_INDEPENDENT). Without it, the PostgreSQL pass is
 * reported as skipped, loudly, rather than silently passing.
 *
 * The two passes run at the same time, each `API_TEST_CONCURRENCY` files at a time (1 by default):
 * every file starts its own servers on free ports with their own data folders, and on PostgreSQL its
 * own copies of the template database, so files share nothing but the template, which is migrated
 * here once, before any file starts (tests/helpers/postgres.ts). Each pass's lines carry its name;
 * its summary and failures follow once it has ended. A failure in either pass fails the run.
 *
 * Files to run can be given: `npm run test:api -- tests/api/login.test.ts`.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import readline from "node:readline";
import { redactUrl } from "../lib/config";
import { MIGRATED_TEMPLATE_ENV, prepareTemplate } from "./helpers/postgres";
import { createSqliteTemplate, SQLITE_TEMPLATE_ENV } from "./helpers/sqlite";
import { COMPILE_CACHE_DIR } from "./helpers/processes";

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, "..");
const apiDir = path.join(root, "tests", "api");

const requested = process.argv.slice(2);
const files = requested.length
  ? requested
  : fs.readdirSync(apiDir).filter((f) => f.endsWith(".test.ts")).sort().map((f) => path.join("tests", "api", f));

/**
 * Files about the HTTP layer in front of the app (scripts/serve.mjs and the pages' headers): request lines,
 * undecodable paths, body limits, streamed bodies, how an answer is written, the pages' CSP. What they
 * assert happens before the app or after it, whatever the database; a user they sign up is only a way to
 * reach an endpoint. The PostgreSQL pass would repeat them exactly, so they run in the SQLite pass only.
 */
const DATABASE_INDEPENDENT = new Set([
  "body-limits",
  "malformed-path",
  "prefetch-csp",
  "request-line",
  "response-writes",
  "streamed-body-memory",
].map((name) => path.join("tests", "api", `${name}.test.ts`)));

const postgresUrl = process.env.TEST_DATABASE_URL?.trim() || undefined;
const concurrency = Number(process.env.API_TEST_CONCURRENCY ?? 1);
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error(`API_TEST_CONCURRENCY: a whole number of files at a time (1 or more), not "${process.env.API_TEST_CONCURRENCY}"`);
  process.exit(2);
}

type Pass = { name: string; label: string; files: string[]; databaseUrl?: string };
type Outcome = { pass: Pass; ok: boolean; seconds: number; tail: string[] };

/** Runs one pass, its lines prefixed with its name; keeps the reporter's closing summary to repeat at the end. */
function runPass(pass: Pass): Promise<Outcome> {
  // The test processes compile the same helpers and libraries (tests/helpers/processes.ts).
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_COMPILE_CACHE: COMPILE_CACHE_DIR };
  delete env.TEST_DATABASE_URL;
  if (pass.databaseUrl) env.TEST_DATABASE_URL = pass.databaseUrl;
  const started = Date.now();
  console.log(`[${pass.name}] ━━ API suite on ${pass.label} (${pass.files.length} files, ${concurrency} at a time) ━━`);
  const child = spawn(
    process.execPath,
    [require.resolve("tsx/cli"), "--test", `--test-concurrency=${concurrency}`, ...pass.files],
    { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  // The spec reporter ends with counts ("ℹ pass 40") and a "failing tests:" section: kept for the summary.
  const tail: string[] = [];
  let failures = false;
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream }).on("line", (line) => {
      console.log(`[${pass.name}] ${line}`);
      if (/^✖ failing tests:/.test(line)) failures = true;
      if (failures || /^ℹ (tests|pass|fail|cancelled|skipped) \d+$/.test(line)) tail.push(line);
    });
  }
  return new Promise((resolve) => {
    child.on("close", (code) => resolve({ pass, ok: code === 0, seconds: (Date.now() - started) / 1000, tail }));
  });
}

async function main() {
  const passes: Pass[] = [{ name: "sqlite", label: "SQLite", files }];
  // Every fresh SQLite data folder starts from a copy of this one migrated file (tests/helpers/sqlite.ts).
  const sqliteTemplate = createSqliteTemplate();
  process.on("exit", () => fs.rmSync(path.dirname(sqliteTemplate), { recursive: true, force: true }));
  process.env[SQLITE_TEMPLATE_ENV] = sqliteTemplate;
  if (postgresUrl) {
    // Migrated once here, not by each test process at once (a copy cannot be made while another session
    // is connected to the template).
    await prepareTemplate(postgresUrl);
    process.env[MIGRATED_TEMPLATE_ENV] = postgresUrl;
    const postgresFiles = files.filter((file) => !DATABASE_INDEPENDENT.has(path.relative(root, path.resolve(file))));
    if (postgresFiles.length) {
      const skipped = files.length - postgresFiles.length;
      const label = `PostgreSQL, ${redactUrl(postgresUrl)}${skipped ? ` (${skipped} database-independent files in the SQLite pass only)` : ""}`;
      passes.push({ name: "postgresql", label, files: postgresFiles, databaseUrl: postgresUrl });
    }
  }

  const outcomes = await Promise.all(passes.map(runPass));
  const lines = outcomes.flatMap(({ pass, ok, seconds, tail }) => [
    `${pass.label}: ${ok ? "passed" : "FAILED"} in ${seconds.toFixed(0)} s`,
    ...tail.map((l) => `    ${l}`),
  ]);
  if (!postgresUrl) {
    lines.push("PostgreSQL: SKIPPED (TEST_DATABASE_URL is not set; e.g. TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/signin_test)");
  }
  console.log(`\n━━ API suite ━━\n${lines.map((l) => `  ${l}`).join("\n")}\n`);
  process.exit(outcomes.every((o) => o.ok) ? 0 : 1);
}

void main();
