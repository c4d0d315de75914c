/**
 * Stops `npm start` and `npm test` at once, with one line, on a Node.js the project does not support,
 * or when the native SQLite module was built for another Node.js (after switching versions).
 * Plain JavaScript with no imports of ours, so it runs on any Node.js.
 */
import { createRequire } from "node:module";

import { fileURLToPath } from "node:url";

const MINIMUM_MAJOR = 22; // Node 24 (active LTS) is the target; 22 (maintenance LTS) still works.

/** The one line to stop with on this Node.js version, or null when it is supported. */
export function unsupportedNodeMessage(version) {
  if (Number(version.split(".")[0]) >= MINIMUM_MAJOR) return null;
  return (
    `✖ Node.js ${MINIMUM_MAJOR} or newer is needed (24 recommended), found ${version}: install it (nodejs.org, or ` +
    "`nvm install`, which reads .nvmrc), or run `. scripts/node-env.sh` to put Node 24 from the npm registry on PATH."
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) checkRuntime();

function checkRuntime() {
  const found = process.versions.node;
  const message = unsupportedNodeMessage(found);
  if (message) {
    console.error(message);
    process.exit(1);
  }
  checkNativeDriver(found);
}

function checkNativeDriver(found) {
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
}
