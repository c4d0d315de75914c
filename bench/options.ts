/**
 * What `npm run bench` was asked to do: its command-line options and environment, read once. Every
 * phase reads its lengths, connections and the database from here.
 */
import os from "node:os";
import path from "node:path";
import { root } from "./servers";

const argv = process.argv.slice(2);
export const flag = (name: string) => argv.includes(`--${name}`);
/** `--name=value`; the value keeps any "=" of its own (a database URL's query). */
export const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

export const BCRYPT_COST = 12;
export const LOGIN_CLIENTS_DURING_ME = 4;

export const quick = flag("quick");

/**
 * `BENCH_DURATION_SECONDS` (or `--duration=`): every measured window lasts this long, for a smoke run
 * of the whole script. Its figures are no results: the run is marked short, like `--quick`, and the
 * committed summary is left alone.
 */
const durationOverride = (() => {
  const value = option("duration") ?? process.env.BENCH_DURATION_SECONDS;
  if (value === undefined || value === "") return null;
  const seconds = Number(value);
  if (!(seconds > 0)) throw new Error(`BENCH_DURATION_SECONDS / --duration must be a positive number of seconds, not ${value}`);
  return seconds;
})();
const measured = (full: number, short: number) => durationOverride ?? (quick ? short : full);

export const phase = {
  /** The reference's warm-up, per route (CPython has no JIT to warm). */
  warmup: quick ? 1 : 3,
  /**
   * Ours is warmed by requests, per route and server process: V8 keeps optimizing Next.js's request path
   * for a long while (one process on the trivial route, in 3-second windows: 480 req/CPU-s in the
   * first, about 1,100 from the second, about 1,700 once past 20,000), and a comparison measured before
   * that favours whichever server and route was measured later. After 25,000 per route, both of our
   * servers still gained through all 8 comparison rounds (one process: 1,250 → 2,600 req/CPU-s on the
   * trivial route) while the reference stayed level.
   */
  warmupRequestsPerProcess: quick ? 2_000 : 75_000,
  /**
   * One process's requests per CPU-second, in 4-second windows on one route, wander by 10–15 % on this
   * (virtual) machine even when fully warm; more, shorter rounds pair each route with the other closely.
   */
  compareRounds: Number(option("rounds") ?? (quick ? 2 : 8)),
  compare: measured(3, 2),
  /**
   * Unmeasured load on a server just before each of its interleaved windows. A server that has idled
   * while the others were measured starts slower: one process's first window after its warm-up (and
   * about 100 s idle) served 14–32 % fewer requests per CPU-second than the same route a round later,
   * in four runs. The figures are for a server under load, not one coming back from idle.
   */
  leadIn: quick ? 0.5 : 1,
  trivial: measured(10, 3),
  me: measured(10, 3),
  login: measured(20, 5),
  mixedLead: quick ? 1 : 2,
  mixed: measured(10, 3),
};
/** A run whose figures are not results: `--quick` or a duration override. */
export const shortRun = quick || durationOverride !== null;

export const connections = Number(option("connections") ?? 50);
/** `--database=postgresql://u@h:5432/db`: an empty or migrated PostgreSQL database instead of temporary SQLite. */
export const databaseUrl = option("database");
export const databaseKind: "sqlite" | "postgresql" = databaseUrl ? "postgresql" : "sqlite";
export const cores = os.availableParallelism();
export const loginConnections = Math.max(4, 2 * cores);

/** Where the reference's app.py is (the seed's stack, FastAPI on uvicorn). */
export const peerDir = path.resolve(option("peer-dir") ?? path.join(root, "..", "shared", "bench", "fastapi-reference"));

export { resultsDir } from "./servers";

/** The committed summary that docs/performance.md cites; a full-length run rewrites its database's entry. */
export const summaryFile = path.join(root, "bench", "summary.json");
