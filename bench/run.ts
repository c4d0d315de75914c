/**
 * `npm run bench`: builds, then starts, each in its own process group, our production server
 * (scripts/start.ts, BCRYPT_COST=12, temporary SQLite databases) with one server process per core
 * (npm start's default) and with one, and the seed's stack (FastAPI on uvicorn,
 * ../shared/bench/fastapi-reference, when Debian's packages are there) with as many workers and with
 * one. It loads them with autocannon from this process:
 *
 *   comparison  the trivial route and GET /api/v1/users/me on each of the four, in interleaved rounds:
 *               req/s and requests per CPU-second of the server's processes (utime + stime of its
 *               process group, from /proc), which hold on a shared machine where req/s do not. The
 *               trivial route answers without touching the database: ours GET /api/health/live, the
 *               reference's GET /api/health
 *   auth cost   users/me and the trivial route on ours with 1 process alone, alternating with no other
 *               server in between: what authentication costs on a server under steady load
 *   same load   users/me on ours with 1 and with N processes, each process offered one fixed rate (45% of
 *               what one process served; N processes get N times it): what running N processes costs per
 *               request, apart from saturation. Also at one total rate (60%), for comparison
 *   trivial     GET /api/health/live on the default server: the framework's own ceiling on this machine
 *   me          GET /api/v1/users/me with a valid token
 *   login       POST /api/v1/login/access-token with correct credentials, against the machine's bcrypt
 *               ceiling: cores ÷ one hash's time while every core hashes, measured just before and after
 *   me+login    users/me again while 4 clients keep logging in
 *
 * It prints tables and ratios, checks the targets (ratios from this one run) and writes everything to
 * bench/results/<timestamp>.json and bench/results/latest.json (latest-postgresql.json with --database).
 * The servers are stopped at the end, whatever happens.
 *
 * Options: --skip-build (use the existing .next), --quick (short phases, for trying the script),
 * --connections=N (users/me and the trivial route; default 50), --rounds=N (comparison rounds; default 8),
 * --strict (exit 1 when a target is missed), --database=postgresql://… (an empty or migrated
 * PostgreSQL database instead of the temporary SQLite; both of our servers use it),
 * --peer (install the reference's Debian packages with apt-get when they are missing; without it the
 * reference is skipped, saying so), --skip-peer, --peer-dir=… (where the reference's app.py is).
 */
import { spawnSync, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import type autocannon from "autocannon";
import bcrypt from "bcryptjs";
import { freePort, groupAlive, groupProcesses, productionServerEnv, signalGroup, START_ARGS } from "../tests/helpers/processes";
import { gitInfo, load, logIn, loginForm, root, signUp, sleep, spawnGroup, waitUntil } from "./servers";

const resultsDir = path.join(root, "bench", "results");

const BCRYPT_COST = 12;
const LOGIN_CLIENTS_DURING_ME = 4;

const args = new Set(process.argv.slice(2));
const flag = (name: string) => args.has(`--${name}`);
const option = (name: string) =>
  process.argv
    .slice(2)
    .find((a) => a.startsWith(`--${name}=`))
    ?.split("=")[1];

const quick = flag("quick");
const phase = {
  /** The reference's warm-up, per route (CPython has no JIT to warm). */
  warmup: quick ? 1 : 3,
  /**
   * Ours is warmed by requests, per route and server process: V8 keeps optimizing Next.js's request path
   * for a long while (one process on the trivial route, in 3-second windows: 480 req/CPU-s in the
   * first, about 1,100 from the second, about 1,700 once past 20,000), and a comparison measured before
   * that favours whichever server and route was measured later. After 25,000 per route, both of our
   * servers still gained through all 8 comparison rounds (one process: 1,250 → 2,600 req/CPU-s on the
   * trivial route, bench/results/2026-12-01T23-45-04-107Z.json) while the reference stayed level.
   */
  warmupRequestsPerProcess: quick ? 2_000 : 75_000,
  /**
   * One process's requests per CPU-second, in 4-second windows on one route, wander by 10–15 % on this
   * (virtual) machine even when fully warm; more, shorter rounds pair each route with the other closely.
   */
  compareRounds: Number(option("rounds") ?? (quick ? 2 : 8)),
  compare: quick ? 2 : 3,
  /**
   * Unmeasured load on a server just before each of its interleaved windows. A server that has idled
   * while the others were measured starts slower: one process's first window after its warm-up (and
   * about 100 s idle) served 14–32 % fewer requests per CPU-second than the same route a round later,
   * in four runs. The figures are for a server under load, not one coming back from idle.
   */
  leadIn: quick ? 0.5 : 1,
  trivial: quick ? 3 : 10,
  me: quick ? 3 : 10,
  login: quick ? 5 : 20,
  mixedLead: quick ? 1 : 2,
  mixed: quick ? 3 : 10,
};
const connections = Number(option("connections") ?? 50);
// `--database=postgresql://u@h:5432/db`: split("=") above would cut a URL with "=" in its query; rejoin.
const databaseUrl = process.argv.slice(2).find((a) => a.startsWith("--database="))?.slice("--database=".length);
const databaseKind = databaseUrl ? "postgresql" : "sqlite";
const cores = os.availableParallelism();
const loginConnections = Math.max(4, 2 * cores);

// ── the servers ─────────────────────────────────────────────────────────────────────────────────

/**
 * A server under load, in its own process group (so its CPU time can be summed from /proc and one
 * signal stops all of it): ours (scripts/start.ts with WEB_CONCURRENCY processes) or the reference
 * (uvicorn with --workers).
 */
type Server = {
  key: string;
  label: string;
  url: string;
  workers: number;
  /** The seed's stack rather than ours. */
  reference: boolean;
  child: ChildProcess;
  dataDir: string | null;
  log: () => string;
  /** A bearer token for users/me. */
  token: string;
};
const servers: Server[] = [];
// Every process group and folder started, whatever happens (an error, Ctrl-C, an exit), goes too.
const started: { pid: number; dataDir: string | null }[] = [];
const tempDirs: string[] = [];

/** Our production server, `workers` server processes, with a signed-up user and its token. */
async function startOurs(key: string, workers: number, adminPassword: string): Promise<Server> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "signin-bench-"));
  const env = productionServerEnv(
    { port, dataDir, databaseUrl, bcryptCost: BCRYPT_COST, admin: { email: "admin@example.com", password: adminPassword } },
    { WEB_CONCURRENCY: String(workers) },
  );
  const { child, log } = spawnGroup(process.execPath, START_ARGS, { cwd: root, env });
  started.push({ pid: child.pid!, dataDir });
  const url = `http://127.0.0.1:${port}`;
  const label = `ours, ${workers} process${workers === 1 ? "" : "es"}`;
  // Ready once every server process listens (the cluster primary says so), not just the first.
  await waitUntil(label, child, log, async () =>
    (workers === 1 || log().includes(`${workers} server processes listening`)) &&
    (await fetch(`${url}/api/health`)).status === 200,
  );
  const email = `bench-${key}-${Date.now()}@example.com`;
  const password = "bench password 1234";
  await signUp(url, email, password);
  const token = await logIn(url, email, password);
  const server = { key, label, url, workers, reference: false, child, dataDir, log, token };
  servers.push(server);
  return server;
}

// ── the reference: the seed's stack (FastAPI on uvicorn) ────────────────────────────────────────

const PEER_PACKAGES = ["python3-fastapi", "python3-uvicorn", "python3-jwt", "python3-passlib", "python3-multipart", "python3-bcrypt"];
const peerDir = path.resolve(option("peer-dir") ?? path.join(root, "..", "shared", "bench", "fastapi-reference"));

const pythonHasPeerModules = () =>
  spawnSync("/usr/bin/python3", ["-c", "import fastapi, uvicorn, jwt, passlib, multipart, bcrypt"], { stdio: "ignore" })
    .status === 0;

/** Whether the reference can run here; installs Debian's packages only when asked (--peer). */
function peerAvailable(): { ok: true } | { ok: false; why: string } {
  if (flag("skip-peer")) return { ok: false, why: "--skip-peer" };
  if (!fs.existsSync(path.join(peerDir, "app.py"))) return { ok: false, why: `no app.py in ${peerDir} (--peer-dir=…)` };
  if (pythonHasPeerModules()) return { ok: true };
  if (!flag("peer")) {
    return { ok: false, why: `Debian's packages are missing; run with --peer to install them (apt-get install -y ${PEER_PACKAGES.join(" ")})` };
  }
  console.log(`Installing the reference's packages (apt-get install -y ${PEER_PACKAGES.join(" ")})…`);
  const install = spawnSync("apt-get", ["install", "-y", ...PEER_PACKAGES], { stdio: "inherit" });
  if (install.status !== 0 || !pythonHasPeerModules()) {
    return { ok: false, why: "apt-get could not install its packages (as root? after apt-get update?)" };
  }
  return { ok: true };
}

/**
 * The reference on uvicorn with `workers` processes. All reference servers share one database file
 * and one SECRET_KEY; the first creates the table and the superuser (its workers would race to).
 */
async function startReference(key: string, workers: number, db: { file: string; secret: string; adminPassword: string }) {
  const port = await freePort();
  const args = ["-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", String(port), "--log-level", "warning"];
  if (workers > 1) args.push("--workers", String(workers));
  const env: NodeJS.ProcessEnv = {
    NODE_ENV: "production",
    PATH: process.env.PATH,
    REF_DB: db.file,
    SECRET_KEY: db.secret,
    BCRYPT_ROUNDS: String(BCRYPT_COST),
    FIRST_SUPERUSER: "admin@example.com",
    FIRST_SUPERUSER_PASSWORD: db.adminPassword,
  };
  const { child, log } = spawnGroup("/usr/bin/python3", args, { cwd: peerDir, env });
  started.push({ pid: child.pid!, dataDir: null });
  const url = `http://127.0.0.1:${port}`;
  const label = `reference, ${workers} worker${workers === 1 ? "" : "s"}`;
  await waitUntil(label, child, log, async () => (await fetch(`${url}/api/health`)).status === 200);
  // uvicorn does not replace a worker that died starting; count them (the others: supervisor, tracker).
  await sleep(1000);
  const alive = groupProcesses(child.pid!).filter((p) => /spawn_main|uvicorn/.test(p.command) && p.pid !== child.pid).length;
  if (workers > 1 && alive < workers) throw new Error(`${label}: only ${alive} worker(s) running:\n${log()}`);
  const token = await logIn(url, "admin@example.com", db.adminPassword);
  const server = { key, label, url, workers, reference: true, child, dataDir: null, log, token };
  servers.push(server);
  return server;
}

let stopping: Promise<void> | undefined;

/** Stops every server's process group and removes its data folder; every caller waits for the same stop. */
function stopServers(): Promise<void> {
  stopping ??= (async () => {
    const all = started.splice(0);
    for (const { pid } of all) signalGroup(pid, "SIGTERM");
    for (let i = 0; i < 100 && all.some(({ pid }) => groupAlive(pid)); i++) await sleep(100);
    for (const { pid } of all) if (groupAlive(pid)) signalGroup(pid, "SIGKILL");
    for (let i = 0; i < 20 && all.some(({ pid }) => groupAlive(pid)); i++) await sleep(100);
    for (const { dataDir } of all) if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  })();
  return stopping;
}

process.on("exit", () => {
  for (const { pid, dataDir } of started) {
    if (groupAlive(pid)) signalGroup(pid, "SIGKILL");
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});
let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(signal, () => {
    interrupted = true;
    console.error(`\n${signal}: stopping the servers`);
    void stopServers().finally(() => process.exit(130));
  });
}

// ── helpers ─────────────────────────────────────────────────────────────────────────────────────

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** CPU seconds a server's process group has used so far (all its processes, and those they reaped). */
function serverCpu(server: Server): number {
  return groupProcesses(server.child.pid!).reduce((sum, p) => sum + p.cpuSeconds, 0);
}

/**
 * CPU seconds used so far by the whole machine, by this benchmark (this process, which runs the load,
 * and every server's process group), and by each server. Linux only; elsewhere null. The machine's
 * minus the benchmark's over a phase is the other work the machine was doing meanwhile: these
 * machines are shared.
 */
type CpuSnapshot = { at: number; machine: number; ours: number; byServer: Map<string, number> };
function cpuSnapshot(): CpuSnapshot | null {
  const HZ = 100; // USER_HZ, the unit of /proc/stat
  try {
    const cpu = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal
    const busy = cpu[0]! + cpu[1]! + cpu[2]! + cpu[5]! + cpu[6]! + (cpu[7] ?? 0);
    const byServer = new Map(servers.map((s) => [s.key, serverCpu(s)]));
    const self = process.cpuUsage();
    const ours = (self.user + self.system) / 1e6 + [...byServer.values()].reduce((a, b) => a + b, 0);
    return { at: performance.now(), machine: busy / HZ, ours, byServer };
  } catch {
    return null;
  }
}

/** Cores' worth of CPU that other processes used between two snapshots. */
function otherCpu(from: CpuSnapshot | null, to: CpuSnapshot | null): number | null {
  if (!from || !to) return null;
  const seconds = (to.at - from.at) / 1000;
  return round(Math.max(0, to.machine - from.machine - (to.ours - from.ours)) / seconds);
}

/** The project's own build (`npm run build`), retried when another build of the same .next collides. */
function build() {
  // Under `npm run bench`, npm says where it is; otherwise the npm on PATH.
  const npmCli = process.env.npm_execpath;
  const [command, args] = npmCli && /\.c?js$/.test(npmCli) ? [process.execPath, [npmCli]] : ["npm", [] as string[]];
  for (let attempt = 1; ; attempt++) {
    const started = Date.now();
    const result = spawnSync(command, [...args, "run", "build"], {
      cwd: root,
      env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
      encoding: "utf8",
    });
    if (result.status === 0) return (Date.now() - started) / 1000;
    if (attempt >= 3) {
      process.stderr.write(`${result.stdout}${result.stderr}`);
      throw new Error("the build failed three times");
    }
    console.log(`  the build failed (attempt ${attempt}; another build of .next may be running); retrying in 10 s…`);
    spawnSync("sleep", ["10"]);
  }
}

/** One hash at the bench's cost, on this thread, in this process: the unit of the login target. */
function hashTimes(samples: number): number[] {
  bcrypt.hashSync("warm-up password", 10);
  return Array.from({ length: samples }, () => {
    const t = performance.now();
    bcrypt.hashSync("a password of ordinary length", BCRYPT_COST);
    return performance.now() - t;
  });
}

/**
 * One hash's time while every core hashes (a worker thread per core, `samples` hashes each): what a
 * login costs at least when logins keep every core busy. Cores that share caches, memory and a
 * hypervisor hash more slowly together than one alone, so this, not one hash on an idle machine, is
 * the ceiling login throughput is held to.
 */
async function hashTimesOnEveryCore(samples: number): Promise<number[]> {
  const bcryptPath = createRequire(import.meta.url).resolve("bcryptjs");
  const source = `
    const bcrypt = require(${JSON.stringify(bcryptPath)});
    const { parentPort } = require("node:worker_threads");
    bcrypt.hashSync("warm-up password", 10);
    const times = [];
    for (let i = 0; i < ${samples}; i++) {
      const t = performance.now();
      bcrypt.hashSync("a password of ordinary length", ${BCRYPT_COST});
      times.push(performance.now() - t);
    }
    parentPort.postMessage(times);`;
  const perThread = await Promise.all(
    Array.from(
      { length: cores },
      () =>
        new Promise<number[]>((resolve, reject) => {
          const worker = new Worker(source, { eval: true });
          worker.once("message", (times: number[]) => void worker.terminate().then(() => resolve(times)));
          worker.once("error", reject);
        }),
    ),
  );
  return perThread.flat();
}

type Summary = {
  scenario: string;
  method: string;
  path: string;
  connections: number;
  duration_s: number;
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** successful responses per second over the whole phase */
  rps: number;
  /** cores' worth of CPU used by other processes on the machine during the phase (Linux) */
  other_cpu_cores: number | null;
  /** CPU seconds the loaded server's processes used during the phase (Linux) */
  server_cpu_s: number | null;
  /** successful responses per CPU-second of the server's processes: holds on a shared machine where rps does not */
  rps_per_server_cpu_s: number | null;
  latency_ms: { mean: number; p50: number; p90: number; p99: number; max: number };
  raw: { requests: autocannon.Histogram; latency: autocannon.Histogram; statusCodeStats?: autocannon.Result["statusCodeStats"] };
};

function summarize(
  scenario: string,
  method: string,
  p: string,
  r: autocannon.Result,
  otherCpuCores: number | null,
  serverCpuSeconds: number | null = null,
): Summary {
  return {
    scenario,
    method,
    path: p,
    connections: r.connections,
    duration_s: round(r.duration, 3),
    requests: r["1xx"] + r["2xx"] + r["3xx"] + r["4xx"] + r["5xx"],
    ok: r["2xx"],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    rps: round(r["2xx"] / r.duration, 1),
    other_cpu_cores: otherCpuCores,
    server_cpu_s: serverCpuSeconds === null ? null : round(serverCpuSeconds, 3),
    rps_per_server_cpu_s: serverCpuSeconds ? round(r["2xx"] / serverCpuSeconds, 1) : null,
    latency_ms: {
      mean: round(r.latency.mean),
      p50: r.latency.p50,
      p90: r.latency.p90,
      p99: r.latency.p99,
      max: r.latency.max,
    },
    raw: { requests: r.requests, latency: r.latency, statusCodeStats: r.statusCodeStats },
  };
}

// ── the run ─────────────────────────────────────────────────────────────────────────────────────

/** The reference has no liveness route; its /api/health is as trivial (it touches no database). */
const ROUTES = [
  { key: "trivial", path: "/api/health/live", referencePath: "/api/health", label: "trivial route" },
  { key: "me", path: "/api/v1/users/me", referencePath: "/api/v1/users/me", label: "users/me" },
] as const;
type RouteKey = (typeof ROUTES)[number]["key"];
/** Where a route lives on this server: the reference spells the trivial one differently. */
const routePath = (s: Server, route: (typeof ROUTES)[number]) => (s.reference ? route.referencePath : route.path);

/** One server's figures for one route over every round of the comparison. */
type Compared = {
  ok: number;
  duration_s: number;
  server_cpu_s: number | null;
  rps: number;
  rps_per_server_cpu_s: number | null;
  /** the worst round's p99 */
  p99_ms: number;
  other_cpu_cores_max: number | null;
  non2xx_or_errors: number;
  rounds: Summary[];
};

function combine(rounds: Summary[]): Compared {
  const ok = rounds.reduce((a, r) => a + r.ok, 0);
  const duration = rounds.reduce((a, r) => a + r.duration_s, 0);
  const cpu = rounds.every((r) => r.server_cpu_s !== null) ? rounds.reduce((a, r) => a + r.server_cpu_s!, 0) : null;
  const others = rounds.map((r) => r.other_cpu_cores).filter((x): x is number => x !== null);
  return {
    ok,
    duration_s: round(duration, 3),
    server_cpu_s: cpu === null ? null : round(cpu, 3),
    rps: round(ok / duration, 1),
    rps_per_server_cpu_s: cpu ? round(ok / cpu, 1) : null,
    p99_ms: Math.max(...rounds.map((r) => r.latency_ms.p99)),
    other_cpu_cores_max: others.length ? Math.max(...others) : null,
    non2xx_or_errors: rounds.reduce((a, r) => a + r.non2xx + r.errors, 0),
    rounds,
  };
}

const ratio = (a: number | null | undefined, b: number | null | undefined) => (a && b ? round(a / b, 3) : null);

function printTable(rows: string[][]) {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(`\n${line(rows[0]!)}\n${widths.map((w) => "-".repeat(w)).join("  ")}`);
  for (const row of rows.slice(1)) console.log(line(row));
}

async function main() {
  const startedAt = new Date();
  const machine = {
    cpu_model: os.cpus()[0]?.model ?? "unknown",
    cpu_count: os.cpus().length,
    available_parallelism: cores,
    total_memory_gib: round(os.totalmem() / 2 ** 30, 1),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    load_average_at_start: os.loadavg().map((x) => round(x)),
  };
  console.log(`Machine: ${machine.cpu_count} × ${machine.cpu_model}, Node ${machine.node}, load ${machine.load_average_at_start.join(" ")}`);

  let buildSeconds: number | null = null;
  if (flag("skip-build")) {
    console.log("Skipping the build (--skip-build).");
  } else {
    console.log("Building (npm run build)…");
    buildSeconds = round(build(), 1);
    console.log(`  built in ${buildSeconds} s`);
  }

  const peer = peerAvailable();
  const adminPassword = crypto.randomBytes(12).toString("base64url");
  console.log(
    `Starting the servers (BCRYPT_COST=${BCRYPT_COST}, ${databaseKind}${databaseUrl ? "" : " in temporary DATA_DIRs"}): ` +
      `ours with ${cores} processes (npm start's default) and with 1` +
      (peer.ok ? `, the reference (${peerDir}) with ${cores} workers and with 1…` : "…"),
  );
  if (!peer.ok) console.log(`  Reference skipped: ${peer.why}.`);

  const results: Record<string, Summary> = {};
  const comparison: Record<string, Record<RouteKey, Summary[]>> = {};
  const sameLoad: Record<string, Summary[]> = {};
  const samePerProcess: Record<string, Summary[]> = {};
  const authCost: Record<RouteKey, Summary[]> = { trivial: [], me: [] };
  let sameLoadRate: number | null = null;
  let perProcessRate: number | null = null;
  let hashMs: number[] = [];
  const hashAllCoresMs: number[] = [];
  let hashOtherCpu: number | null = null;
  let oursN: Server | undefined;
  try {
    // Ours first on an empty machine; then each server's start-up is over before any phase.
    oursN = await startOurs("ours_n", cores, adminPassword);
    const ours1 = await startOurs("ours_1", 1, adminPassword);
    const compared = [ours1, oursN];
    if (peer.ok) {
      const refDir = fs.mkdtempSync(path.join(os.tmpdir(), "signin-bench-reference-"));
      tempDirs.push(refDir); // removed with the servers
      const db = { file: path.join(refDir, "ref.db"), secret: crypto.randomBytes(32).toString("base64url"), adminPassword };
      const ref1 = await startReference("ref_1", 1, db);
      const refN = await startReference("ref_n", cores, db);
      compared.push(ref1, refN);
    }
    for (const s of servers) console.log(`  ${s.label}: ${s.url}`);

    const request = (s: Server, route: RouteKey): autocannon.Options => ({
      url: `${s.url}${routePath(s, ROUTES.find((r) => r.key === route)!)}`,
      connections,
      headers: route === "me" ? { authorization: `Bearer ${s.token}` } : {},
    });

    /** One phase against one server: its summary, with the CPU its processes used meanwhile. */
    const measure = async (s: Server, label: string, method: "GET" | "POST", options: autocannon.Options, leadIn = 0) => {
      if (leadIn > 0) await load({ ...options, duration: leadIn }).done;
      const before = cpuSnapshot();
      const result = await load(options).done;
      const after = cpuSnapshot();
      const cpu = before && after ? after.byServer.get(s.key)! - before.byServer.get(s.key)! : null;
      return summarize(label, method, new URL(options.url as string).pathname, result, otherCpu(before, after), cpu);
    };

    console.log(
      `Warming up every server: ours with ${phase.warmupRequestsPerProcess} requests per process and route, ` +
        `the reference for ${phase.warmup} s per route…`,
    );
    for (const s of compared) {
      for (const { key } of ROUTES) {
        const amount = s.reference ? { duration: phase.warmup } : { amount: phase.warmupRequestsPerProcess * s.workers };
        await load({ ...request(s, key), ...amount }).done;
      }
    }

    // Interleaved: a change in the machine's load during the run touches every server alike. A server's
    // two routes run back to back (their ratio is what auth costs), and every other round runs in the
    // reverse order (servers and routes), so that a steady drift in the machine's speed cancels out.
    for (let r = 1; r <= phase.compareRounds; r++) {
      console.log(`Comparison round ${r} of ${phase.compareRounds} (${phase.compare} s per server and route)…`);
      const reverse = r % 2 === 0;
      for (const s of reverse ? [...compared].reverse() : compared) {
        for (const { key, label } of reverse ? [...ROUTES].reverse() : ROUTES) {
          const summary = await measure(s, `${s.label}: ${label}`, "GET", { ...request(s, key), duration: phase.compare }, phase.leadIn);
          ((comparison[s.key] ??= { trivial: [], me: [] })[key]).push(summary);
        }
      }
    }

    // Below saturation, on one process and on N. Saturated, N processes share the cores with the load
    // generator, so their requests per CPU-second fall whatever the cluster does. What running N
    // processes costs (contention for the database, the primary's hand-offs) shows when each process is
    // offered the same load: one process at a rate it serves with room to spare, N processes at N times
    // it. At one total rate instead, each of the N processes idles more and batches fewer requests per
    // event-loop turn, which costs CPU per request too; that figure is shown beside it.
    const oneProcessRps = combine(comparison.ours_1!.me).rps;
    const sameRate = (sameLoadRate = Math.max(50, Math.round(0.6 * oneProcessRps)));
    const eachRate = (perProcessRate = Math.max(50, Math.round(0.45 * oneProcessRps)));
    console.log(
      `users/me below saturation (${phase.compareRounds} rounds): ${eachRate} req/s per process on 1 and ${cores} processes, ` +
        `and ${sameRate} req/s in all on each…`,
    );
    for (let r = 1; r <= phase.compareRounds; r++) {
      for (const s of r % 2 ? [ours1, oursN] : [oursN, ours1]) {
        for (const [rounds, rate] of [[samePerProcess, eachRate * s.workers], [sameLoad, sameRate]] as const) {
          const options = { ...request(s, "me"), duration: phase.compare, overallRate: rate };
          (rounds[s.key] ??= []).push(await measure(s, `${s.label}: users/me at ${rate} req/s`, "GET", options, phase.leadIn));
        }
      }
    }

    // What authentication costs: the trivial route and users/me on one process, alternating back to back
    // (every other round in reverse order) with no other server measured in between. The target is a
    // same-server ratio; in the interleaved comparison each window follows 20 s or more in which the
    // server idled.
    console.log(`Auth cost: users/me and the trivial route alternating on ${ours1.label} (${phase.compareRounds} rounds)…`);
    for (let r = 1; r <= phase.compareRounds; r++) {
      for (const { key, label } of r % 2 ? ROUTES : [...ROUTES].reverse()) {
        authCost[key].push(await measure(ours1, `${ours1.label}: ${label}, alternating`, "GET", { ...request(ours1, key), duration: phase.compare }));
      }
    }

    // The default server (npm start: one process per core) alone: the framework's ceiling (the trivial route), users/me,
    // logins, and users/me while clients keep logging in.
    const s = oursN;
    const loginUrl = `${s.url}/api/v1/login/access-token`;
    const loginRequest = loginForm("admin@example.com", adminPassword);
    await load({ url: loginUrl, connections: loginConnections, amount: loginConnections * 2, ...loginRequest }).done;
    const phaseOn = async (key: string, label: string, method: "GET" | "POST", options: autocannon.Options) => {
      console.log(`${s.label}: ${method} ${new URL(options.url as string).pathname}, ${options.connections} connections, ${options.duration} s…`);
      results[key] = await measure(s, label, method, options);
    };
    await phaseOn("trivial", "trivial route", "GET", { ...request(s, "trivial"), duration: phase.trivial });
    await phaseOn("me", "users/me", "GET", { ...request(s, "me"), duration: phase.me });

    console.log(`One bcrypt hash at cost ${BCRYPT_COST} in this process (5 samples)…`);
    const beforeHash = cpuSnapshot();
    hashMs = hashTimes(5);
    hashOtherCpu = otherCpu(beforeHash, cpuSnapshot());

    // The ceiling, just before and just after the logins: the machine's speed drifts over minutes.
    console.log(`One bcrypt hash at cost ${BCRYPT_COST} on each of the ${cores} cores at once, before and after the logins…`);
    hashAllCoresMs.push(...(await hashTimesOnEveryCore(3)));
    await phaseOn("login", "login", "POST", { url: loginUrl, connections: loginConnections, duration: phase.login, ...loginRequest });
    hashAllCoresMs.push(...(await hashTimesOnEveryCore(3)));

    console.log(`While ${LOGIN_CLIENTS_DURING_ME} clients keep logging in:`);
    const logins = load({ url: loginUrl, connections: LOGIN_CLIENTS_DURING_ME, duration: 3600, ...loginRequest });
    await sleep(phase.mixedLead * 1000); // every login client is waiting on a hash by now
    await phaseOn("meUnderLogin", "users/me + 4 logins", "GET", { ...request(s, "me"), duration: phase.mixed });
    logins.stop();
    results.loginDuringMe = summarize(
      "  (those logins)",
      "POST",
      "/api/v1/login/access-token",
      await logins.done,
      results.meUnderLogin!.other_cpu_cores,
    );
  } catch (error) {
    for (const s of servers) console.error(`\n${s.label}'s output:\n${s.log()}`);
    throw error;
  } finally {
    await stopServers();
    console.log("Servers stopped.");
  }
  if (interrupted) return new Promise<never>(() => {}); // the signal handler exits

  // ── figures ─────────────────────────────────────────────────────────────────────────────────────
  const byServer = Object.fromEntries(
    Object.entries(comparison).map(([key, routes]) => [key, { trivial: combine(routes.trivial), me: combine(routes.me) }]),
  ) as Record<string, Record<RouteKey, Compared>>;
  const perCpu = (key: string, route: RouteKey) => byServer[key]?.[route].rps_per_server_cpu_s;
  const rps = (key: string, route: RouteKey) => byServer[key]?.[route].rps;
  const combineEach = (byKey: Record<string, Summary[]>) =>
    Object.fromEntries(Object.entries(byKey).map(([key, rounds]) => [key, combine(rounds)]));
  const sameLoadCompared = combineEach(sameLoad);
  const perProcessCompared = combineEach(samePerProcess);
  const authCompared = { trivial: combine(authCost.trivial), me: combine(authCost.me) };
  const comparisonRatios = {
    me_over_trivial_per_cpu_ours_1_alternating: ratio(authCompared.me.rps_per_server_cpu_s, authCompared.trivial.rps_per_server_cpu_s),
    me_per_cpu_same_load_per_process_ours_n_over_ours_1: ratio(
      perProcessCompared.ours_n?.rps_per_server_cpu_s,
      perProcessCompared.ours_1?.rps_per_server_cpu_s,
    ),
    me_per_cpu_same_load_ours_n_over_ours_1: ratio(
      sameLoadCompared.ours_n?.rps_per_server_cpu_s,
      sameLoadCompared.ours_1?.rps_per_server_cpu_s,
    ),
    me_per_cpu_ours_1_over_reference_1: ratio(perCpu("ours_1", "me"), perCpu("ref_1", "me")),
    me_per_cpu_ours_n_over_reference_n: ratio(perCpu("ours_n", "me"), perCpu("ref_n", "me")),
    trivial_per_cpu_ours_1_over_reference_1: ratio(perCpu("ours_1", "trivial"), perCpu("ref_1", "trivial")),
    me_per_cpu_ours_n_over_ours_1: ratio(perCpu("ours_n", "me"), perCpu("ours_1", "me")),
    trivial_per_cpu_ours_n_over_ours_1: ratio(perCpu("ours_n", "trivial"), perCpu("ours_1", "trivial")),
    me_per_cpu_reference_n_over_reference_1: ratio(perCpu("ref_n", "me"), perCpu("ref_1", "me")),
    me_rps_ours_n_over_ours_1: ratio(rps("ours_n", "me"), rps("ours_1", "me")),
    me_rps_reference_n_over_reference_1: ratio(rps("ref_n", "me"), rps("ref_1", "me")),
    me_over_trivial_rps_ours_1: ratio(rps("ours_1", "me"), rps("ours_1", "trivial")),
    me_over_trivial_rps_ours_n: ratio(rps("ours_n", "me"), rps("ours_n", "trivial")),
    me_over_trivial_per_cpu_ours_1: ratio(perCpu("ours_1", "me"), perCpu("ours_1", "trivial")),
    me_over_trivial_per_cpu_ours_n: ratio(perCpu("ours_n", "me"), perCpu("ours_n", "trivial")),
    me_over_trivial_rps_reference_1: ratio(rps("ref_1", "me"), rps("ref_1", "trivial")),
  };

  // ── targets ─────────────────────────────────────────────────────────────────────────────────────
  const { trivial, me, login, meUnderLogin } = results as Record<"trivial" | "me" | "login" | "meUnderLogin", Summary>;
  const hashMedianMs = median(hashMs);
  const hashAllCoresMedianMs = median(hashAllCoresMs);
  const loginCeiling = cores / (hashAllCoresMedianMs / 1000);
  const loginTarget = 0.9 * loginCeiling;
  const targets = [
    {
      // Per CPU-second of the one-process server, the two routes alternating: what a request costs, which a
      // shared machine's changing load does not move the way it moves req/s.
      name: "users/me ≥ 95% of the trivial route, per server CPU-second (1 process, alternating)",
      value: comparisonRatios.me_over_trivial_per_cpu_ours_1_alternating ?? 0,
      limit: 0.95,
      detail:
        `${authCompared.me.rps_per_server_cpu_s} vs ${authCompared.trivial.rps_per_server_cpu_s} req/CPU-s ` +
        `(in the interleaved comparison: ${comparisonRatios.me_over_trivial_per_cpu_ours_1}; ${cores} processes alone, req/s: ${me.rps} vs ${trivial.rps})`,
      pass: (comparisonRatios.me_over_trivial_per_cpu_ours_1_alternating ?? 0) >= 0.95,
    },
    {
      name: "users/me p99 under logins ≤ 2 × idle p99 + 10 ms",
      value: meUnderLogin.latency_ms.p99,
      limit: 2 * me.latency_ms.p99 + 10,
      detail: `${meUnderLogin.latency_ms.p99} ms vs idle ${me.latency_ms.p99} ms (ratio ${round(meUnderLogin.latency_ms.p99 / me.latency_ms.p99)})`,
      pass: meUnderLogin.latency_ms.p99 <= 2 * me.latency_ms.p99 + 10,
    },
    {
      name: "login rps ≥ 90% of cores / one hash (every core hashing)",
      value: round(login.rps / loginCeiling, 3),
      limit: 0.9,
      detail:
        `${login.rps} req/s vs ${cores} cores / ${round(hashAllCoresMedianMs, 1)} ms = ${round(loginCeiling, 2)} req/s ` +
        `(target ${round(loginTarget, 2)}; against one hash on an otherwise idle machine, ${round(hashMedianMs, 1)} ms: ` +
        `${round(login.rps / (cores / (hashMedianMs / 1000)), 3)})`,
      pass: login.rps >= loginTarget,
    },
  ];
  const nVsOne = comparisonRatios.me_per_cpu_same_load_per_process_ours_n_over_ours_1;
  if (nVsOne !== null) {
    targets.push({
      name: `${cores} processes keep ≥ 90% of one process's users/me per CPU-second, each process offered the same load`,
      value: nVsOne,
      limit: 0.9,
      detail:
        `${perProcessCompared.ours_n!.rps_per_server_cpu_s} vs ${perProcessCompared.ours_1!.rps_per_server_cpu_s} req/CPU-s at ${perProcessRate} req/s per process ` +
        `(both offered ${sameLoadRate} req/s in all: ${comparisonRatios.me_per_cpu_same_load_ours_n_over_ours_1}; ` +
        `each saturated: ${comparisonRatios.me_per_cpu_ours_n_over_ours_1})`,
      pass: nVsOne >= 0.9,
    });
  }
  const vsPeer = comparisonRatios.me_per_cpu_ours_1_over_reference_1;
  if (vsPeer !== null) {
    targets.push({
      name: "users/me per server CPU-second ≥ 50% of the reference's (1 process each)",
      value: vsPeer,
      limit: 0.5,
      detail: `${perCpu("ours_1", "me")} vs ${perCpu("ref_1", "me")} req/CPU-s`,
      pass: vsPeer >= 0.5,
    });
  }
  const allPhases = [
    ...Object.values(results),
    ...Object.values(comparison).flatMap((r) => [...r.trivial, ...r.me]),
    ...Object.values(sameLoad).flat(),
    ...Object.values(samePerProcess).flat(),
    ...authCost.trivial,
    ...authCost.me,
  ];
  const failures = allPhases.filter((r) => r.non2xx + r.errors > 0);

  // ── report ──────────────────────────────────────────────────────────────────────────────────────
  const cpuCell = (x: number | null) => (x === null ? "n/a" : `${x.toFixed(2)} cores`);
  console.log(`\nComparison: ${phase.compareRounds} round(s) of ${phase.compare} s per server and route, interleaved, ${connections} connections`);
  printTable([
    ["server", "route", "req/s", "server CPU-s", "req/CPU-s", "worst p99 ms", "non-2xx+err", "other CPU (max)"],
    ...servers
      .filter((s) => byServer[s.key])
      .flatMap((s) =>
        ROUTES.map((route) => {
          const c = byServer[s.key]![route.key];
          return [
            s.label,
            routePath(s, route),
            c.rps.toFixed(1),
            c.server_cpu_s === null ? "n/a" : c.server_cpu_s.toFixed(2),
            c.rps_per_server_cpu_s === null ? "n/a" : c.rps_per_server_cpu_s.toFixed(1),
            String(c.p99_ms),
            String(c.non2xx_or_errors),
            cpuCell(c.other_cpu_cores_max),
          ];
        }),
      ),
  ]);
  console.log("\nRatios (this run):");
  const shown: [string, number | null][] = [
    ["users/me per CPU-s, ours ÷ reference (1 process each)", comparisonRatios.me_per_cpu_ours_1_over_reference_1],
    [`users/me per CPU-s, ours ÷ reference (${cores} each)`, comparisonRatios.me_per_cpu_ours_n_over_reference_n],
    [`users/me per CPU-s, ours ${cores} processes ÷ 1, each saturated`, comparisonRatios.me_per_cpu_ours_n_over_ours_1],
    [`users/me per CPU-s, ours ${cores} processes ÷ 1, each process offered ${perProcessRate} req/s`, comparisonRatios.me_per_cpu_same_load_per_process_ours_n_over_ours_1],
    [`users/me per CPU-s, ours ${cores} processes ÷ 1, both offered ${sameLoadRate} req/s in all`, comparisonRatios.me_per_cpu_same_load_ours_n_over_ours_1],
    [`users/me per CPU-s, reference ${cores} workers ÷ 1`, comparisonRatios.me_per_cpu_reference_n_over_reference_1],
    [`users/me req/s, ours ${cores} processes ÷ 1`, comparisonRatios.me_rps_ours_n_over_ours_1],
    ["users/me ÷ trivial route per CPU-s, ours (1 process, alternating)", comparisonRatios.me_over_trivial_per_cpu_ours_1_alternating],
    ["users/me ÷ trivial route per CPU-s, ours (1 process, interleaved)", comparisonRatios.me_over_trivial_per_cpu_ours_1],
    ["users/me ÷ trivial route req/s, ours (1 process)", comparisonRatios.me_over_trivial_rps_ours_1],
    ["users/me ÷ trivial route req/s, reference (1 worker)", comparisonRatios.me_over_trivial_rps_reference_1],
    ["trivial route per CPU-s, ours ÷ reference (1 process each)", comparisonRatios.trivial_per_cpu_ours_1_over_reference_1],
  ];
  for (const [name, value] of shown) console.log(`  ${name}: ${value ?? "n/a (not measured)"}`);

  console.log(`\n${oursN!.label} (npm start's default) alone:`);
  printTable([
    ["scenario", "conns", "req/s", "req/CPU-s", "p50 ms", "p90 ms", "p99 ms", "max ms", "non-2xx", "errors", "other CPU"],
    ...Object.values(results).map((r) => [
      r.scenario,
      String(r.connections),
      r.rps.toFixed(1),
      r.rps_per_server_cpu_s === null ? "n/a" : r.rps_per_server_cpu_s.toFixed(1),
      String(r.latency_ms.p50),
      String(r.latency_ms.p90),
      String(r.latency_ms.p99),
      String(r.latency_ms.max),
      String(r.non2xx),
      String(r.errors),
      cpuCell(r.other_cpu_cores),
    ]),
  ]);
  console.log(`\none hash at cost ${BCRYPT_COST}, one core: ${round(hashMedianMs, 1)} ms (median of ${hashMs.map((x) => round(x, 0)).join(", ")})`);
  console.log(
    `one hash at cost ${BCRYPT_COST}, every core at once: ${round(hashAllCoresMedianMs, 1)} ms (median of ${hashAllCoresMs.map((x) => round(x, 0)).join(", ")})`,
  );
  console.log("\nTargets (ratios from this run):");
  for (const t of targets) console.log(`  ${t.pass ? "PASS" : "FAIL"}  ${t.name}: ${t.detail}`);
  const busiest = Math.max(...allPhases.map((r) => r.other_cpu_cores ?? 0), hashOtherCpu ?? 0);
  if (busiest > 0.25) {
    console.log(
      `\nNote: other processes used up to ${busiest.toFixed(2)} of the ${cores} cores during a phase ("other CPU"); ` +
        "requests per CPU-second hold up better than req/s, but ratios from a quiet machine are more reliable.",
    );
  }
  if (failures.length) {
    console.log(`\nNote: non-2xx responses or errors in ${failures.map((f) => f.scenario.trim()).join(", ")}.`);
  }

  const report = {
    started_at: startedAt.toISOString(),
    finished_at: new Date().toISOString(),
    machine: { ...machine, load_average_at_end: os.loadavg().map((x) => round(x)) },
    git: gitInfo(),
    settings: {
      database: databaseKind,
      bcrypt_cost: BCRYPT_COST,
      connections,
      login_connections: loginConnections,
      login_clients_during_me: LOGIN_CLIENTS_DURING_ME,
      phases_s: phase,
      build_s: buildSeconds,
      default_server: { key: "ours_n", processes: cores },
    },
    reference: peer.ok
      ? { included: true, dir: peerDir, python_packages: PEER_PACKAGES }
      : { included: false, why: peer.why },
    comparison: {
      rounds: phase.compareRounds,
      phase_s: phase.compare,
      servers: servers.map((s) => ({ key: s.key, label: s.label, workers: s.workers })),
      by_server: byServer,
      same_load: { rate: sameLoadRate, by_server: sameLoadCompared },
      same_load_per_process: { rate_per_process: perProcessRate, by_server: perProcessCompared },
      auth_cost_ours_1_alternating: authCompared,
    },
    hash: {
      cost: BCRYPT_COST,
      samples_ms: hashMs.map((x) => round(x, 1)),
      median_ms: round(hashMedianMs, 1),
      other_cpu_cores: hashOtherCpu,
      every_core_samples_ms: hashAllCoresMs.map((x) => round(x, 1)),
      every_core_median_ms: round(hashAllCoresMedianMs, 1),
    },
    results,
    ratios: {
      me_rps_over_trivial_rps: round(me.rps / trivial.rps, 3),
      me_p99_under_login_over_idle_p99: round(meUnderLogin.latency_ms.p99 / me.latency_ms.p99, 3),
      login_rps_over_cores_per_hash: round(login.rps / (cores / (hashMedianMs / 1000)), 3),
      login_rps_over_cores_per_hash_every_core: round(login.rps / loginCeiling, 3),
      ...comparisonRatios,
    },
    targets,
    all_targets_met: targets.every((t) => t.pass),
  };
  fs.mkdirSync(resultsDir, { recursive: true });
  const suffix = databaseUrl ? "-postgresql" : "";
  const file = path.join(resultsDir, `${startedAt.toISOString().replace(/[:.]/g, "-")}${suffix}.json`);
  const latest = `latest${suffix}.json`;
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(path.join(resultsDir, latest), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nWrote ${path.relative(root, file)} and bench/results/${latest}`);
  return report.all_targets_met;
}

main().then(
  (allMet) => process.exit(!allMet && flag("strict") ? 1 : 0),
  async (error) => {
    console.error(error instanceof Error ? error.message : error);
    await stopServers();
    process.exit(1);
  },
);
