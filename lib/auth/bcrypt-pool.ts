/**
 * A pool of worker threads that runs bcrypt, so the thread serving requests never does: a burst of
 * logins costs worker CPU, not event-loop time. Sized to the machine (os.availableParallelism()), or
 * to BCRYPT_THREADS, this process's share of the cores when `npm start` runs several (lib/runtime/workers.ts).
 *
 * The worker's source is the string below, started with `new Worker(source, { eval: true })`: no
 * worker file has to survive the Next.js bundler (webpack or Turbopack) or be found at run time. In
 * that mode `require` resolves from the process's working directory, the app's root under `npm start`,
 * `next start`, `next dev` and the tests; the directories from `searchFrom()` are tried after it. The main thread
 * never loads bcryptjs.
 *
 * Workers start on first use, are unref'd while idle (they never keep a process alive), are replaced
 * when one dies, and `closeBcryptPool()` terminates them all.
 *
 * Load shedding: a job waits for a thread at most `maxWaitMs` (BCRYPT_QUEUE_MAX_WAIT_SECONDS, 5 s), and
 * at most `queueLimit` jobs wait at once (BCRYPT_QUEUE_LIMIT; by default what the threads get through in
 * that time: threads × max wait ÷ the measured time of one job). A job past either bound is refused at
 * once with 503 and Retry-After (`OverloadedError`), so past capacity a client learns to come back
 * instead of waiting behind hundreds of hashes, and the process's memory and everything that does not
 * hash stay as they were.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { getConfig } from "../config";
import { errors } from "../http/errors";

export type BcryptJob =
  | { op: "hash"; password: string; cost: number }
  | { op: "compare"; password: string; hash: string };

type Result<J extends BcryptJob> = J extends { op: "hash" } ? string : boolean;

type Task = {
  id: number;
  job: BcryptJob;
  resolve: (value: string | boolean) => void;
  reject: (error: Error) => void;
  /** While queued: refuses the task when it has waited `maxWaitMs`. */
  expiry?: NodeJS.Timeout;
  /** When a worker took it (for the measured job time). */
  startedAt?: number;
};

type Reply = { id: number; ok: true; result: string | boolean } | { id: number; ok: false; error: string };

export type BcryptPoolOptions = {
  /** Number of worker threads; defaults to os.availableParallelism(). */
  size?: number;
  /**
   * Niceness added to each worker thread (Linux only, where priority is per thread): when the CPU is
   * contended, the request thread wins and hashes wait. 0 leaves the priority alone.
   */
  niceness?: number;
  /** Longest a job waits for a thread before it is refused, in ms; default: no bound. */
  maxWaitMs?: number;
  /** Most jobs waiting at once; default: size × maxWaitMs ÷ the measured job time (no bound without maxWaitMs). */
  queueLimit?: number;
};

/** What one job is assumed to cost until one has been measured (bcrypt cost 12 on a current core). */
const INITIAL_JOB_MS = 250;

const WORKER_SOURCE = String.raw`
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const { createRequire } = require("node:module");
const os = require("node:os");
const path = require("node:path");

function loadBcrypt() {
  const problems = [];
  try {
    return require("bcryptjs");
  } catch (error) {
    problems.push(process.cwd() + ": " + error.message.split("\n")[0]);
  }
  for (const dir of workerData.searchFrom) {
    try {
      return createRequire(path.join(dir, "noop.js"))("bcryptjs");
    } catch (error) {
      problems.push(dir + ": " + error.message.split("\n")[0]);
    }
  }
  throw new Error("The bcrypt worker cannot load bcryptjs (" + problems.join("; ") + ")");
}

const bcrypt = loadBcrypt();
if (workerData.niceness > 0 && process.platform === "linux") {
  try {
    // On Linux a nice value belongs to a thread: this lowers the priority of this worker only.
    os.setPriority(Math.min(19, os.getPriority() + workerData.niceness));
  } catch {}
}

parentPort.on("message", (task) => {
  let reply;
  try {
    const result =
      task.op === "hash" ? bcrypt.hashSync(task.password, task.cost) : bcrypt.compareSync(task.password, task.hash);
    reply = { id: task.id, ok: true, result };
  } catch (error) {
    reply = { id: task.id, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort.postMessage(reply);
});
`;

/** Where the worker also looks for bcryptjs when the working directory has none. */
function searchFrom(): string[] {
  const dirs = new Set<string>();
  if (process.argv[1]) dirs.add(path.dirname(path.resolve(process.argv[1])));
  // A bundler may replace __dirname with a placeholder path; only a real directory is worth a look.
  if (typeof __dirname === "string" && path.isAbsolute(__dirname) && fs.existsSync(__dirname)) dirs.add(__dirname);
  return [...dirs];
}

export class BcryptPool {
  readonly size: number;
  private readonly niceness: number;
  private readonly workers = new Set<Worker>();
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Task>();
  private readonly queue: Task[] = [];
  private nextId = 1;
  private readonly maxWaitMs: number;
  private readonly fixedQueueLimit: number | undefined;
  /** Moving average of the measured time of one job, ms. */
  private jobMs = INITIAL_JOB_MS;

  constructor(options: BcryptPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.size ?? os.availableParallelism()));
    this.niceness = Math.max(0, Math.floor(options.niceness ?? 0));
    this.maxWaitMs = options.maxWaitMs ?? Infinity;
    this.fixedQueueLimit = options.queueLimit;
  }

  /** Jobs that may wait at once: BCRYPT_QUEUE_LIMIT, or as many as the threads finish within the max wait. */
  queueLimit(): number {
    return this.fixedQueueLimit ?? Math.max(1, Math.floor((this.size * this.maxWaitMs) / this.jobMs));
  }

  run<J extends BcryptJob>(job: J): Promise<Result<J>> {
    return new Promise<Result<J>>((resolve, reject) => {
      const task: Task = {
        id: this.nextId++,
        job,
        resolve: resolve as (value: string | boolean) => void,
        reject,
      };
      const worker = this.idle.pop() ?? (this.workers.size < this.size ? this.spawn() : undefined);
      if (worker) this.dispatch(worker, task);
      else if (this.queue.length >= this.queueLimit()) reject(this.overloaded());
      else this.enqueue(task);
    });
  }

  /** Workers started and tasks waiting; for tests and diagnostics. */
  stats(): { workers: number; busy: number; queued: number } {
    return { workers: this.workers.size, busy: this.busy.size, queued: this.queue.length };
  }

  /** The moving average of one job's time, ms (INITIAL_JOB_MS until one finished). */
  measuredJobMs(): number {
    return this.jobMs;
  }

  /** The refusal, with the time the waiting jobs should take to clear as Retry-After. */
  private overloaded() {
    const clearSeconds = Math.ceil((this.queue.length * this.jobMs) / this.size / 1000);
    return errors.overloaded("checking passwords", Math.max(1, clearSeconds));
  }

  private enqueue(task: Task) {
    if (Number.isFinite(this.maxWaitMs)) {
      task.expiry = setTimeout(() => {
        const i = this.queue.indexOf(task);
        if (i < 0) return;
        this.queue.splice(i, 1);
        task.reject(this.overloaded());
      }, this.maxWaitMs);
      task.expiry.unref();
    }
    this.queue.push(task);
  }

  /** The next queued task, its expiry disarmed. */
  private dequeue(): Task | undefined {
    const task = this.queue.shift();
    if (task) clearTimeout(task.expiry);
    return task;
  }

  /** Terminates every worker; pending and queued tasks are rejected. The pool can be used again. */
  async close(): Promise<void> {
    const closed = new Error("The bcrypt pool was closed");
    for (const task of this.queue.splice(0)) {
      clearTimeout(task.expiry);
      task.reject(closed);
    }
    for (const task of this.busy.values()) task.reject(closed);
    this.busy.clear();
    this.idle.length = 0;
    const workers = [...this.workers];
    this.workers.clear();
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private spawn(): Worker {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { searchFrom: searchFrom(), niceness: this.niceness },
    });
    this.workers.add(worker);
    worker.on("message", (reply: Reply) => this.onReply(worker, reply));
    worker.on("error", (error) => this.onGone(worker, error));
    worker.on("exit", (code) => this.onGone(worker, new Error(`A bcrypt worker exited (code ${code})`)));
    return worker;
  }

  private dispatch(worker: Worker, task: Task) {
    this.busy.set(worker, task);
    task.startedAt = performance.now();
    worker.ref(); // a pending hash keeps the process alive until it answers
    const { job } = task;
    worker.postMessage({ id: task.id, ...job });
  }

  private onReply(worker: Worker, reply: Reply) {
    const task = this.busy.get(worker);
    this.busy.delete(worker);
    if (task && task.id === reply.id) {
      // Weighted toward recent jobs: the queue's bound follows the machine's load and the cost in use.
      this.jobMs = 0.8 * this.jobMs + 0.2 * (performance.now() - task.startedAt!);
      if (reply.ok) task.resolve(reply.result);
      else task.reject(new Error(reply.error));
    }
    if (!this.workers.has(worker)) return;
    const next = this.dequeue();
    if (next) {
      this.dispatch(worker, next);
    } else {
      worker.unref(); // idle workers never keep the process alive
      this.idle.push(worker);
    }
  }

  /** A worker failed (for example it could not load bcryptjs) or exited: its task fails, others go on. */
  private onGone(worker: Worker, error: Error) {
    if (!this.workers.delete(worker)) return;
    const i = this.idle.indexOf(worker);
    if (i >= 0) this.idle.splice(i, 1);
    const task = this.busy.get(worker);
    this.busy.delete(worker);
    task?.reject(error);
    void worker.terminate();
    // Whatever waited for a worker gets a fresh one.
    while (this.queue.length > 0 && this.workers.size < this.size) this.dispatch(this.spawn(), this.dequeue()!);
  }
}

/**
 * Hashing yields the CPU to the request thread: on a 2-core machine, users/me under a stream of logins
 * kept its p99 (ratio 0.9–1.1 of idle) with niceness 10, against 2.1× with none (bench/, same machine).
 * The price: when other programs keep every core busy, logins wait longer.
 */
const WORKER_NICENESS = 10;

// One pool per process, even when a bundler instantiates this module more than once.
const POOL = Symbol.for("signin-system.bcrypt-pool");
const holder = globalThis as unknown as { [POOL]?: BcryptPool };

/** The process's pool, created on first use. */
export function getBcryptPool(): BcryptPool {
  const config = getConfig();
  holder[POOL] ??= new BcryptPool({
    size: config.bcryptThreads ?? undefined,
    niceness: WORKER_NICENESS,
    maxWaitMs: config.bcryptQueue.maxWaitSeconds * 1000,
    queueLimit: config.bcryptQueue.limit ?? undefined,
  });
  return holder[POOL];
}

/** Terminates the process's pool (if any); the next hash starts a new one. */
export async function closeBcryptPool(): Promise<void> {
  const pool = holder[POOL];
  holder[POOL] = undefined;
  await pool?.close();
}
