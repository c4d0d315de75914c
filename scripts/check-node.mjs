/**
 * Stops `npm start` and `npm test` at once, with one line, on a Node.js the project does not support,
 * or when the native SQLite module was built for another Node.js (after switching versions).
 * Plain JavaScript with no imports of ours, so it runs on any Node.js.
 */
import { createRequire } from "node:module";

const MINIMUM_MAJOR = 22; // Node 24 (active LTS) is the target; 22 (maintenance LTS) still works.
const found = process.versions.node;
const major = Number(found.split(".")[0]);

if (major < MINIMUM_MAJOR) {
  console.error(
    `✖ Node.js ${MINIMUM_MAJOR} or newer is needed (24 recommended), found ${found}: install it (nodejs.org, or ` +
      "`nvm install`, which reads .nvmrc), or run `. scripts/node-env.sh` to put Node 24 from the npm registry on PATH.",
  );
  process.exit(1);
}

try {
  const Database = createRequire(import.meta.url)("better-sqlite3");
  new Database(":memory:").close();
} catch (error) {
  if (error?.code === "ERR_DLOPEN_FAILED" || /NODE_MODULE_VERSION/.test(String(error?.message))) {
    console.error(
      `✖ The SQLite driver (better-sqlite3) was built for another Node.js than this one (${found}): run \`npm rebuild better-sqlite3\`.`,
    );
    process.exit(1);
  }
  if (error?.code !== "MODULE_NOT_FOUND") throw error; // not installed yet: npm install reports that
}
