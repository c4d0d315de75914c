/**
 * The cluster primary scripts/start.ts runs when WEB_CONCURRENCY is above 1: it forks one server
 * process (scripts/serve.mjs) per entry of its worker list, all on the one port. It serves nothing itself,
 * accepts no connection and never opens the database (start-up work is done once, by start.ts, before it
 * starts).
 *
 * How the processes share the port: on Linux each opens its own listening socket on it (SO_REUSEPORT,
 * `listen({ reusePort: true })`) and the kernel spreads new connections over the sockets by a hash of the
 * client's address and port. Not node:cluster's round-robin, where this process accepts every connection
 * and passes it to a worker: a connection passed to a worker at the moment it died was never answered nor
 * closed (the primary kept its copy, waiting for a reply that could not come), so the client hung until
 * its own timeout (issue 29; tests/api/faults-worker-kill.test.ts). With a socket per process, the
 * connections a dying process had not accepted yet are reset by the kernel and the next ones go to the
 * sockets that remain. Elsewhere (no load-balancing SO_REUSEPORT) the workers accept from one shared
 * socket (cluster.SCHED_NONE), which has no hand-off either.
 *
 * - A worker that exits while the group runs (a crash, a kill) is logged and replaced. Replacements
 *   of a worker that keeps dying young wait longer each time (100 ms, doubling, up to 30 s), so a crash
 *   loop does not spin; a worker that lived a minute resets its wait.
 * - SIGTERM or SIGINT goes to every worker, which drains as serve.mjs does (stop accepting, finish
 *   in-flight requests for up to 10 s, flush, close the database, print `Stopped (…)`); this process
 *   then prints one summary line and exits 0 when every worker did. A worker still running 20 s
 *   after the signal is killed and the exit code is 1.
 * - A worker that exits before the group first listens fails the start: the others are stopped and
 *   this process exits 1, as a lone serve.mjs would.
 *
 * Plain JavaScript, like serve.mjs: it runs without tsx.
 * Usage: node scripts/cluster.mjs <port> <hostname> <TRUST_PROXY in JSON, passed on to serve.mjs>
 *   <JSON array: one environment object per worker>
 */
import cluster from "node:cluster";
import net from "node:net";
import path from "node:path";

const FIRST_RESTART_DELAY_MS = 100;
const MAX_RESTART_DELAY_MS = 30_000;
const STABLE_AFTER_MS = 60_000;
// serve.mjs's grace period (10 s) plus time for its shutdown steps.
const SHUTDOWN_LIMIT_MS = 20_000;

const [port, hostname, trustProxy, workerList] = process.argv.slice(2);
/** @type {Record<string, string>[]} */
const workerEnvs = JSON.parse(workerList ?? "[{}]");

const REUSE_PORT = process.platform === "linux";
if (!REUSE_PORT) cluster.schedulingPolicy = cluster.SCHED_NONE;

/**
 * With SO_REUSEPORT a second group of this user's on the same port would join this one's sockets and
 * silently take part of its connections, where a lone server fails with EADDRINUSE. So the port must be
 * free to listen on without the option before any worker takes it (the workers' sockets then keep any
 * later start from binding it this way).
 */
async function assertPortFree() {
  const probe = net.createServer();
  await new Promise((resolve, reject) => {
    probe.once("error", reject);
    probe.listen({ port: Number(port), host: hostname, exclusive: true }, () => resolve(undefined));
  });
  await new Promise((resolve) => probe.close(() => resolve(undefined)));
}
if (REUSE_PORT) {
  try {
    await assertPortFree();
  } catch (error) {
    console.error(`Cannot listen on ${hostname}:${port}: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  }
}

cluster.setupPrimary({
  exec: path.join(import.meta.dirname, "serve.mjs"),
  args: [port, hostname, trustProxy, REUSE_PORT ? "reuse-port" : "shared-port"],
});

/**
 * One slot per worker: which process fills it now, when it started, and how long the next
 * replacement waits.
 * @type {{ number: number, env: Record<string, string>, worker: import("node:cluster").Worker | null,
 *   startedAt: number, delay: number, timer: NodeJS.Timeout | null, listening: boolean }[]}
 */
const slots = workerEnvs.map((env, i) => ({
  number: i + 1,
  env,
  worker: null,
  startedAt: 0,
  delay: 0,
  timer: null,
  listening: false,
}));
let started = false; // every worker has listened once
let stopping = null; // the signal being handled
let failedStart = false;
const unclean = []; // workers that did not exit 0 during the stop

const describe = (code, signal) => (signal ? `signal ${signal}` : `code ${code}`);

function fork(slot) {
  slot.timer = null;
  if (stopping) return;
  slot.startedAt = Date.now();
  slot.listening = false;
  const replacing = started;
  const worker = cluster.fork(slot.env);
  slot.worker = worker;
  // serve.mjs says when it listens: with SO_REUSEPORT its socket is its own, so node:cluster does not.
  const onListening = (message) => {
    if (message?.serverListening !== true) return;
    worker.off("message", onListening);
    slot.listening = true;
    if (replacing) {
      console.log(`Server process ${slot.number} replaced (pid ${worker.process.pid}), listening.`);
    } else if (!started && slots.every((s) => s.listening)) {
      started = true;
      const pids = slots.map((s) => s.worker.process.pid).join(", ");
      console.log(`${slots.length} server processes listening on the one port (pids ${pids}).`);
    }
  };
  worker.on("message", onListening);
  worker.once("exit", (code, signal) => onExit(slot, worker, code, signal));
}

function onExit(slot, worker, code, signal) {
  if (slot.worker === worker) slot.worker = null;
  const pid = worker.process.pid;
  if (stopping) {
    if (code !== 0) unclean.push(`server process ${slot.number} (pid ${pid}) exited with ${describe(code, signal)}`);
    finishIfAllStopped();
    return;
  }
  if (!started) {
    console.error(`Server process ${slot.number} (pid ${pid}) exited with ${describe(code, signal)} before listening; stopping.`);
    failedStart = true;
    stop("SIGTERM");
    return;
  }
  const lived = Date.now() - slot.startedAt;
  slot.delay = lived >= STABLE_AFTER_MS || slot.delay === 0
    ? FIRST_RESTART_DELAY_MS
    : Math.min(MAX_RESTART_DELAY_MS, slot.delay * 2);
  console.error(
    `Server process ${slot.number} (pid ${pid}) exited with ${describe(code, signal)} after ` +
      `${(lived / 1000).toFixed(1)} s; starting a replacement in ${(slot.delay / 1000).toFixed(1)} s.`,
  );
  // The wait also covers a signal to the whole group reaching a worker before this process.
  slot.timer = setTimeout(() => fork(slot), slot.delay);
}

function finishIfAllStopped() {
  if (slots.some((s) => s.worker)) return;
  if (failedStart) process.exit(1);
  if (unclean.length) {
    console.error(`Stopped with errors: ${unclean.join("; ")}.`);
    process.exit(1);
  }
  console.log(`Stopped: ${slots.length} of ${slots.length} server processes drained and exited cleanly.`);
  process.exit(0);
}

function stop(signal) {
  if (stopping) return; // a process group gets the signal twice (from the shell and the parent)
  stopping = signal;
  for (const slot of slots) {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    // Each worker drains on its own (serve.mjs); `worker.kill()` would disconnect it first and skip that.
    slot.worker?.process.kill(signal);
  }
  if (!failedStart) {
    console.log(`${signal}: stopping ${slots.filter((s) => s.worker).length} server process(es)…`);
  }
  setTimeout(() => {
    for (const slot of slots) {
      if (!slot.worker) continue;
      console.error(`Server process ${slot.number} (pid ${slot.worker.process.pid}) still running after ${SHUTDOWN_LIMIT_MS / 1000} s; killing it.`);
      slot.worker.process.kill("SIGKILL");
    }
  }, SHUTDOWN_LIMIT_MS).unref();
  finishIfAllStopped();
}

process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGINT"));

for (const slot of slots) fork(slot);
