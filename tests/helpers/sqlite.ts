/**
 * A migrated SQLite database for the API tests' fresh data folders, as tests/helpers/postgres.ts gives
 * each PostgreSQL test server a copy of a migrated template: `prisma migrate deploy` runs once, into a
 * template file, and each new data folder starts with a copy of it, so the server's start finds every
 * migration applied and runs no Prisma CLI at all. A start on a folder with no database, which does
 * migrate, stays covered where a test gives the server a DATA_DIR of its own (file-permissions), by
 * `runStartExpectingFailure` and by the end-to-end server.
 *
 * tests/run-api.ts makes the template once for all the test processes (SQLITE_TEMPLATE_ENV); a file run
 * alone makes its own.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, "..", "..");

/** The template's path, set by tests/run-api.ts for the test processes it starts. */
export const SQLITE_TEMPLATE_ENV = "TEST_SQLITE_TEMPLATE";

/** Migrates a new SQLite file in a folder of its own; returns the file. Remove its folder when done. */
export function createSqliteTemplate(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "signin-api-template-"));
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dir };
  delete env.DATABASE_URL;
  const deploy = spawnSync(process.execPath, [require.resolve("prisma/build/index.js"), "migrate", "deploy"], {
    cwd: root,
    env,
    encoding: "utf8",
  });
  if (deploy.status !== 0) throw new Error(`migrating the SQLite template failed:\n${deploy.stdout}${deploy.stderr}`);
  return path.join(dir, "app.db");
}

let ownTemplate: string | undefined;

function template(): string {
  const given = process.env[SQLITE_TEMPLATE_ENV];
  if (given && fs.existsSync(given)) return given;
  if (!ownTemplate) {
    ownTemplate = createSqliteTemplate();
    const dir = path.dirname(ownTemplate);
    process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  return ownTemplate;
}

/** Puts a copy of the migrated template in `dataDir` as its database (app.db), owner-only as start-up makes it. */
export function copySqliteTemplate(dataDir: string): void {
  const file = path.join(dataDir, "app.db");
  fs.copyFileSync(template(), file);
  fs.chmodSync(file, 0o600);
}
