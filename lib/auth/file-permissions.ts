/**
 * The data folder holds the SQLite database (every password hash and token row) and the generated
 * signing secret: owner-only, like ~/.ssh. New files get that from the process umask (scripts/start.ts
 * and scripts/serve.mjs set 077 first thing; the Prisma CLI inherits it); folders and files left from
 * before, or copied in, are tightened at start-up, and each change is reported.
 */
import fs from "node:fs";
import path from "node:path";
import type { Config } from "../config";
import { SECRET_FILE_NAME } from "./secret";
import { SIGNING_ALGORITHMS, signingKeyFileName } from "./signing-keys";

/** Files and folders created from now on by this process and its children: no access for group or others. */
export const OWNER_ONLY_UMASK = 0o077;

const octal = (mode: number) => `0${mode.toString(8)}`;

/** Makes `target` `mode` if it exists and group or others have any access; returns what changed. */
function restrict(target: string, mode: number): string | null {
  let current: number;
  try {
    current = fs.statSync(target).mode & 0o777;
  } catch {
    return null; // not created yet: the umask covers it
  }
  if ((current & 0o077) === 0) return null;
  fs.chmodSync(target, mode);
  return `${target} was ${octal(current)}, now ${octal(mode)}`;
}

/**
 * Tightens DATA_DIR (0700), the SQLite database with its -wal, -shm and -journal files, and the secret
 * file (0600). Returns one line per change.
 */
export function restrictDataFiles(config: Pick<Config, "dataDir" | "sqlitePath">): string[] {
  const files = [SECRET_FILE_NAME, ...SIGNING_ALGORITHMS.map(signingKeyFileName)].map((f) => path.join(config.dataDir, f));
  if (config.sqlitePath) {
    files.push(...["", "-wal", "-shm", "-journal"].map((suffix) => `${config.sqlitePath}${suffix}`));
  }
  return [restrict(config.dataDir, 0o700), ...files.map((f) => restrict(f, 0o600))].filter(
    (line): line is string => line !== null,
  );
}
