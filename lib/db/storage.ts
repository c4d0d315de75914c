/**
 * Free space under the folders the server writes to: the SQLite file's folder and DATA_DIR (secrets,
 * signing keys, the mail outbox). Readiness (`/api/health`) fails while one of them is nearly full, so a
 * load balancer stops sending writes that could only be refused with 507.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { getConfig } from "../config";

/** Below this many free bytes the server is not ready: SQLite needs room for its WAL and journal pages. */
export const MIN_FREE_BYTES = 1024 * 1024;

/** The first watched folder with less than MIN_FREE_BYTES available, with what it has; null when all have room. */
export async function lowStorage(): Promise<{ folder: string; freeBytes: number } | null> {
  const config = getConfig();
  const folders = new Set([config.dataDir, ...(config.sqlitePath ? [path.dirname(config.sqlitePath)] : [])]);
  for (const folder of folders) {
    let stats;
    try {
      stats = await fs.statfs(folder);
    } catch {
      continue; // not created yet (nothing written there) or not a local filesystem: nothing to measure
    }
    const freeBytes = Number(stats.bavail) * Number(stats.bsize);
    if (freeBytes < MIN_FREE_BYTES) return { folder, freeBytes };
  }
  return null;
}
