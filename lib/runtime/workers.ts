/**
 * How `npm start` divides one machine among its server processes (WEB_CONCURRENCY, one per core by
 * default): each process gets its share of the bcrypt threads, so the pools together match the cores
 * rather than each claiming them all, and its share of DATABASE_POOL_SIZE, which stays the limit for
 * the whole instance (docs/deployment.md's connection arithmetic for PostgreSQL holds whatever the core count).
 * scripts/start.ts passes each share to its process as BCRYPT_THREADS and DATABASE_POOL_SIZE.
 */
import type { Config } from "../config";

export type WorkerShare = { bcryptThreads: number; databasePoolSize: number };

/** `total` split into `parts` whole numbers as even as possible, each at least 1. */
export function splitEvenly(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => Math.max(1, base + (i < total % parts ? 1 : 0)));
}

/** One share per server process. An explicit BCRYPT_THREADS is per process and is kept as it is. */
export function planWorkers(
  config: Pick<Config, "webConcurrency" | "bcryptThreads" | "databasePoolSize">,
  cores: number,
): WorkerShare[] {
  const n = config.webConcurrency;
  const threads = config.bcryptThreads === null ? splitEvenly(cores, n) : Array<number>(n).fill(config.bcryptThreads);
  const pools = splitEvenly(config.databasePoolSize, n);
  return threads.map((bcryptThreads, i) => ({ bcryptThreads, databasePoolSize: pools[i]! }));
}
