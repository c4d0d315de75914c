/**
 * `npm run bench`: builds, starts the production server (scripts/start.ts) on a temporary SQLite
 * database with BCRYPT_COST=12, and loads it with autocannon from this process (the server runs in
 * its own process group):
 *
 *   health      GET /api/health: the framework's own ceiling on this machine
 *   me          GET /api/v1/users/me with a valid token
 *   login       POST /api/v1/login/access-token with correct credentials
 *   me+login    users/me again while 4 clients keep logging in
 *
 * It prints a table, checks the targets (ratios from this one run) and writes everything to
 * bench/results/<timestamp>.json and bench/results/latest.json (latest-postgresql.json with --database).
 * The server is stopped at the end, whatever happens.
 *
 * Options: --skip-build (use the existing .next), --quick (short phases, for trying the script),
 * --connections=N (users/me and health; default 50), --strict (exit 1 when a target is missed),
 * --database=postgresql://… (an empty or migrated PostgreSQL database instead of the temporary SQLite).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import autocannon from "autocannon";
import { freePort, groupAlive, productionServerEnv, signalGroup } from "../tests/helpers/processes";
import bcrypt from "bcryptjs";

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, "..");
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
  warmup: quick ? 1 : 3,
  health: quick ? 3 : 10,
  me: quick ? 3 : 10,
  login: quick ? 5 : 15,
  mixedLead: quick ? 1 : 2,
  mixed: quick ? 3 : 10,
};
const connections = Number(option("connections") ?? 50);
// `--database=postgresql://u@h:5432/db`: split("=") above would cut a URL with "=" in its query; rejoin.
const databaseUrl = process.argv.slice(2).find((a) => a.startsWith("--database="))?.slice("--database=".length);
const databaseKind = databaseUrl ? "postgresql" : "sqlite";
const cores = os.availableParallelism();
const loginConnections = Math.max(4, 2 * cores);

// ── the server ──────────────────────────────────────────────────────────────────────────────────

type Server = { url: string; child: ChildProcess; dataDir: string; log: () => string };
let server: Server | undefined;

async function startServer(adminPassword: string): Promise<Server> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "signin-bench-"));
  const env = productionServerEnv({
    port,
    dataDir,
    databaseUrl,
    bcryptCost: BCRYPT_COST,
    admin: { email: "admin@example.com", password: adminPassword },
  });
  let log = "";
  const child = spawn(process.execPath, [require.resolve("tsx/cli"), "scripts/start.ts"], {
    cwd: root,
    env,
    detached: true, // its own process group: stopping it reaches the server process too
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  server = { url: `http://127.0.0.1:${port}`, child, dataDir, log: () => log };
  started.push({ pid: child.pid!, dataDir });

  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`The server exited early:\n${log}`);
    try {
      if ((await fetch(`${server.url}/api/health`)).status === 200) return server;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`The server was not healthy after 120 s:\n${log}`);
}

let stopping: Promise<void> | undefined;

/** Stops the server's whole process group and removes its data folder; every caller waits for the same stop. */
function stopServer(): Promise<void> {
  const s = server;
  if (!s) return stopping ?? Promise.resolve();
  server = undefined;
  stopping = (async () => {
    const pid = s.child.pid!;
    signalGroup(pid, "SIGTERM");
    for (let i = 0; i < 50 && groupAlive(pid); i++) await sleep(100);
    if (groupAlive(pid)) signalGroup(pid, "SIGKILL");
    for (let i = 0; i < 20 && groupAlive(pid); i++) await sleep(100);
    fs.rmSync(s.dataDir, { recursive: true, force: true });
  })();
  return stopping;
}

// Whatever happens (an error, Ctrl-C, an exit), the server goes too.
const started: { pid: number; dataDir: string }[] = [];
process.on("exit", () => {
  for (const { pid, dataDir } of started) {
    if (groupAlive(pid)) signalGroup(pid, "SIGKILL");
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(signal, () => {
    interrupted = true;
    console.error(`\n${signal}: stopping the server`);
    void stopServer().finally(() => process.exit(130));
  });
}

// ── helpers ─────────────────────────────────────────────────────────────────────────────────────

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * CPU seconds used so far by the whole machine and by this benchmark (this process, which runs the
 * load, and the server's process group). Linux only; elsewhere null. Their difference over a phase is
 * the other work the machine was doing meanwhile: these machines are shared.
 */
type CpuSnapshot = { at: number; machine: number; ours: number };
function cpuSnapshot(): CpuSnapshot | null {
  const HZ = 100; // USER_HZ, the unit of /proc/stat and /proc/<pid>/stat
  try {
    const cpu = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal
    const busy = cpu[0]! + cpu[1]! + cpu[2]! + cpu[5]! + cpu[6]! + (cpu[7] ?? 0);
    const group = server?.child.pid;
    let ours = 0;
    for (const entry of fs.readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      } catch {
        continue; // gone meanwhile
      }
      // [0] state, [2] pgrp, [11] utime, [12] stime, [13] cutime, [14] cstime (children it has reaped)
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(entry) === process.pid || Number(fields[2]) === group) {
        ours += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
      }
    }
    return { at: performance.now(), machine: busy / HZ, ours: ours / HZ };
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

type Load = { done: Promise<autocannon.Result>; stop: () => void };

function load(options: autocannon.Options): Load {
  let instance: autocannon.Instance | undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
  return { done, stop: () => instance?.stop() };
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
  latency_ms: { mean: number; p50: number; p90: number; p99: number; max: number };
  raw: { requests: autocannon.Histogram; latency: autocannon.Histogram; statusCodeStats?: autocannon.Result["statusCodeStats"] };
};

function summarize(
  scenario: string,
  method: string,
  p: string,
  r: autocannon.Result,
  otherCpuCores: number | null,
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

  const adminPassword = crypto.randomBytes(12).toString("base64url");
  console.log(`Starting the production server (BCRYPT_COST=${BCRYPT_COST}, ${databaseKind}${databaseUrl ? "" : " in a temporary DATA_DIR"})…`);
  const s = await startServer(adminPassword);
  console.log(`  ${s.url}`);

  const results: Record<string, Summary> = {};
  let hashMs: number[] = [];
  let hashOtherCpu: number | null = null;
  try {
    // A user and a token.
    const email = `bench-${Date.now()}@example.com`;
    const password = "bench password 1234";
    const signup = await fetch(`${s.url}/api/v1/users/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password, full_name: "Bench" }),
    });
    if (signup.status !== 201) throw new Error(`signup: ${signup.status} ${await signup.text()}`);
    const loginBody = new URLSearchParams({ username: email, password }).toString();
    const loginRequest = {
      method: "POST" as const,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: loginBody,
    };
    const tokenResponse = await fetch(`${s.url}/api/v1/login/access-token`, loginRequest);
    if (tokenResponse.status !== 200) throw new Error(`login: ${tokenResponse.status} ${await tokenResponse.text()}`);
    const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
    const meHeaders = { authorization: `Bearer ${token}` };
    const me = await fetch(`${s.url}/api/v1/users/me`, { headers: meHeaders });
    if (me.status !== 200) throw new Error(`users/me: ${me.status} ${await me.text()}`);

    const healthUrl = `${s.url}/api/health`;
    const meUrl = `${s.url}/api/v1/users/me`;
    const loginUrl = `${s.url}/api/v1/login/access-token`;

    console.log(`Warming up (${phase.warmup} s each)…`);
    await load({ url: healthUrl, connections, duration: phase.warmup }).done;
    await load({ url: meUrl, connections, duration: phase.warmup, headers: meHeaders }).done;
    await load({ url: loginUrl, connections: loginConnections, amount: loginConnections * 2, ...loginRequest }).done;

    const measure = async (
      key: string,
      label: string,
      method: "GET" | "POST",
      url: string,
      options: Omit<autocannon.Options, "url">,
    ) => {
      console.log(`${method} ${new URL(url).pathname}, ${options.connections} connections, ${options.duration} s…`);
      const before = cpuSnapshot();
      const result = await load({ ...options, url }).done;
      results[key] = summarize(label, method, new URL(url).pathname, result, otherCpu(before, cpuSnapshot()));
    };

    await measure("health", "health", "GET", healthUrl, { connections, duration: phase.health });
    await measure("me", "users/me", "GET", meUrl, { connections, duration: phase.me, headers: meHeaders });

    console.log(`One bcrypt hash at cost ${BCRYPT_COST} in this process (5 samples)…`);
    const beforeHash = cpuSnapshot();
    hashMs = hashTimes(5);
    hashOtherCpu = otherCpu(beforeHash, cpuSnapshot());

    await measure("login", "login", "POST", loginUrl, {
      connections: loginConnections,
      duration: phase.login,
      ...loginRequest,
    });

    console.log(`While ${LOGIN_CLIENTS_DURING_ME} clients keep logging in:`);
    const logins = load({ url: loginUrl, connections: LOGIN_CLIENTS_DURING_ME, duration: 3600, ...loginRequest });
    await sleep(phase.mixedLead * 1000); // every login client is waiting on a hash by now
    await measure("meUnderLogin", "users/me + 4 logins", "GET", meUrl, {
      connections,
      duration: phase.mixed,
      headers: meHeaders,
    });
    logins.stop();
    results.loginDuringMe = summarize(
      "  (those logins)",
      "POST",
      "/api/v1/login/access-token",
      await logins.done,
      results.meUnderLogin!.other_cpu_cores,
    );
  } catch (error) {
    console.error(`\nThe server's output:\n${s.log()}`);
    throw error;
  } finally {
    await stopServer();
    console.log("Server stopped.");
  }
  if (interrupted) return new Promise<never>(() => {}); // the signal handler exits

  // ── targets ─────────────────────────────────────────────────────────────────────────────────────
  const { health, me, login, meUnderLogin } = results as Record<"health" | "me" | "login" | "meUnderLogin", Summary>;
  const hashMedianMs = median(hashMs);
  const loginTarget = (0.9 * cores) / (hashMedianMs / 1000);
  const targets = [
    {
      name: "users/me rps ≥ 85% of health rps",
      value: round(me.rps / health.rps, 3),
      limit: 0.85,
      detail: `${me.rps} / ${health.rps} req/s`,
      pass: me.rps >= 0.85 * health.rps,
    },
    {
      name: "users/me p99 under logins ≤ 2 × idle p99 + 10 ms",
      value: meUnderLogin.latency_ms.p99,
      limit: 2 * me.latency_ms.p99 + 10,
      detail: `${meUnderLogin.latency_ms.p99} ms vs idle ${me.latency_ms.p99} ms (ratio ${round(meUnderLogin.latency_ms.p99 / me.latency_ms.p99)})`,
      pass: meUnderLogin.latency_ms.p99 <= 2 * me.latency_ms.p99 + 10,
    },
    {
      name: "login rps ≥ 90% of cores / one hash",
      value: round(login.rps / (cores / (hashMedianMs / 1000)), 3),
      limit: 0.9,
      detail: `${login.rps} req/s vs ${cores} cores / ${round(hashMedianMs, 1)} ms = ${round(cores / (hashMedianMs / 1000), 2)} req/s (target ${round(loginTarget, 2)})`,
      pass: login.rps >= loginTarget,
    },
  ];
  const failures = Object.values(results).filter((r) => r.non2xx + r.errors > 0);

  // ── report ──────────────────────────────────────────────────────────────────────────────────────
  const rows = [
    ["scenario", "conns", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "non-2xx", "errors", "other CPU"],
    ...Object.values(results).map((r) => [
      r.scenario,
      String(r.connections),
      r.rps.toFixed(1),
      String(r.latency_ms.p50),
      String(r.latency_ms.p90),
      String(r.latency_ms.p99),
      String(r.latency_ms.max),
      String(r.non2xx),
      String(r.errors),
      r.other_cpu_cores === null ? "n/a" : `${r.other_cpu_cores.toFixed(2)} cores`,
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(`\n${line(rows[0]!)}\n${widths.map((w) => "-".repeat(w)).join("  ")}`);
  for (const row of rows.slice(1)) console.log(line(row));
  console.log(`\none hash at cost ${BCRYPT_COST}: ${round(hashMedianMs, 1)} ms (median of ${hashMs.map((x) => round(x, 0)).join(", ")})`);
  console.log("\nTargets (ratios from this run):");
  for (const t of targets) console.log(`  ${t.pass ? "PASS" : "FAIL"}  ${t.name}: ${t.detail}`);
  const busiest = Math.max(...Object.values(results).map((r) => r.other_cpu_cores ?? 0), hashOtherCpu ?? 0);
  if (busiest > 0.25) {
    console.log(
      `\nNote: other processes used up to ${busiest.toFixed(2)} of the ${cores} cores during a phase ("other CPU"); ratios from a quiet machine are more reliable.`,
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
    },
    hash: {
      cost: BCRYPT_COST,
      samples_ms: hashMs.map((x) => round(x, 1)),
      median_ms: round(hashMedianMs, 1),
      other_cpu_cores: hashOtherCpu,
    },
    results,
    ratios: {
      me_rps_over_health_rps: round(me.rps / health.rps, 3),
      me_p99_under_login_over_idle_p99: round(meUnderLogin.latency_ms.p99 / me.latency_ms.p99, 3),
      login_rps_over_cores_per_hash: round(login.rps / (cores / (hashMedianMs / 1000)), 3),
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

function gitInfo() {
  const run = (...a: string[]) => spawnSync("git", a, { cwd: root, encoding: "utf8" });
  const head = run("rev-parse", "--short", "HEAD");
  if (head.status !== 0) return null;
  return { commit: head.stdout.trim(), dirty: run("status", "--porcelain").stdout.trim() !== "" };
}

main().then(
  (allMet) => process.exit(!allMet && flag("strict") ? 1 : 0),
  async (error) => {
    console.error(error instanceof Error ? error.message : error);
    await stopServer();
    process.exit(1);
  },
);
