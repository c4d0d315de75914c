/**
 * `npm run test:api`: the API suite (tests/api, over HTTP against real production servers) on SQLite,
 * then the whole suite again on PostgreSQL when TEST_DATABASE_URL is set. Without it, the PostgreSQL
 * pass is reported as skipped, loudly, rather than silently passing.
 *
 * Files to run can be given: `npm run test:api -- tests/api/login.test.ts`.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { redactUrl } from "../lib/config";

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, "..");
const apiDir = path.join(root, "tests", "api");

const requested = process.argv.slice(2);
const files = requested.length
  ? requested
  : fs.readdirSync(apiDir).filter((f) => f.endsWith(".test.ts")).sort().map((f) => path.join("tests", "api", f));

const postgresUrl = process.env.TEST_DATABASE_URL?.trim() || undefined;

function runSuite(label: string, databaseUrl: string | undefined): boolean {
  console.log(`\n━━ API suite on ${label} (${files.length} files) ━━\n`);
  const env = { ...process.env };
  delete env.TEST_DATABASE_URL;
  if (databaseUrl) env.TEST_DATABASE_URL = databaseUrl;
  const result = spawnSync(
    process.execPath,
    [require.resolve("tsx/cli"), "--test", "--test-concurrency=1", ...files],
    { cwd: root, env, stdio: "inherit" },
  );
  return result.status === 0;
}

const results: string[] = [];
let ok = runSuite("SQLite", undefined);
results.push(`SQLite: ${ok ? "passed" : "FAILED"}`);
if (postgresUrl) {
  const pgOk = runSuite(`PostgreSQL, ${redactUrl(postgresUrl)}`, postgresUrl);
  results.push(`PostgreSQL: ${pgOk ? "passed" : "FAILED"}`);
  ok &&= pgOk;
} else {
  results.push("PostgreSQL: SKIPPED (TEST_DATABASE_URL is not set; e.g. TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/signin_test)");
}
console.log(`\n━━ API suite ━━\n${results.map((r) => `  ${r}`).join("\n")}\n`);
process.exit(ok ? 0 : 1);
