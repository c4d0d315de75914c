/**
 * Phase 1 of `npm run bench`: describe the machine, build, and start the servers under test, each in
 * its own process group with a signed-up user and its bearer token: ours (scripts/start.ts) with one
 * process per core and with one, and the reference (the seed's stack: FastAPI on uvicorn) with as many
 * workers and with one. Everything started here is stopped again, whatever happens (an error, Ctrl-C,
 * an exit).
 */
import { spawnSync, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, groupAlive, groupProcesses, productionServerEnv, signalGroup, START_ARGS } from "../tests/helpers/processes";
import { BCRYPT_COST, cores, databaseKind, databaseUrl, flag, peerDir } from "./options";
import { round } from "./numbers";
import { logIn, root, signUp, sleep, spawnGroup, waitUntil } from "./servers";

/**
 * A server under load, in its own process group (so its CPU time can be summed from /proc and one
 * signal stops all of it): ours (scripts/start.ts with WEB_CONCURRENCY processes) or the reference
 * (uvicorn with --workers).
 */
export type Server = {
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

/** The servers of one run: every one started (in start order), the ones compared, and ours with each count. */
export type Fleet = {
  all: Server[];
  /** ours with 1 process, ours with N, then the reference with 1 worker and with N (when it runs) */
  compared: Server[];
  ours1: Server;
  oursN: Server;
  /** The admin account on every server; the login phases sign in as it. */
  adminPassword: string;
  peer: PeerCheck;
};

// Every process group and folder started, whatever happens (an error, Ctrl-C, an exit), goes too.
const started: { pid: number; dataDir: string | null }[] = [];
const tempDirs: string[] = [];
let interrupted = false;
/** Whether a signal is stopping the run (its handler exits once the servers are stopped). */
export const wasInterrupted = () => interrupted;

export type Machine = ReturnType<typeof describeMachine>;
export function describeMachine() {
  return {
    cpu_model: os.cpus()[0]?.model ?? "unknown",
    cpu_count: os.cpus().length,
    available_parallelism: cores,
    total_memory_gib: round(os.totalmem() / 2 ** 30, 1),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    load_average_at_start: os.loadavg().map((x) => round(x)),
  };
}

/** The project's own build (`npm run build`), retried when another build of the same .next collides; its seconds. */
export function build(): number {
  // Under `npm run bench`, npm says where it is; otherwise the npm on PATH.
  const npmCli = process.env.npm_execpath;
  const [command, args] = npmCli && /\.c?js$/.test(npmCli) ? [process.execPath, [npmCli]] : ["npm", [] as string[]];
  for (let attempt = 1; ; attempt++) {
    const startedAt = Date.now();
    const result = spawnSync(command, [...args, "run", "build"], {
      cwd: root,
      env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
      encoding: "utf8",
    });
    if (result.status === 0) return (Date.now() - startedAt) / 1000;
    if (attempt >= 3) {
      process.stderr.write(`${result.stdout}${result.stderr}`);
      throw new Error("the build failed three times");
    }
    console.log(`  the build failed (attempt ${attempt}; another build of .next may be running); retrying in 10 s…`);
    spawnSync("sleep", ["10"]);
  }
}

// ── ours ────────────────────────────────────────────────────────────────────────────────────────

/** Our production server, `workers` server processes, with a signed-up user and its token. */
export async function startOurs(key: string, workers: number, adminPassword: string): Promise<Server> {
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
  return { key, label, url, workers, reference: false, child, dataDir, log, token };
}

// ── the reference: the seed's stack (FastAPI on uvicorn) ────────────────────────────────────────

export const PEER_PACKAGES = ["python3-fastapi", "python3-uvicorn", "python3-jwt", "python3-passlib", "python3-multipart", "python3-bcrypt"];

const pythonHasPeerModules = () =>
  spawnSync("/usr/bin/python3", ["-c", "import fastapi, uvicorn, jwt, passlib, multipart, bcrypt"], { stdio: "ignore" })
    .status === 0;

export type PeerCheck = { ok: true } | { ok: false; why: string };

/** Whether the reference can run here; installs Debian's packages only when asked (--peer). */
export function peerAvailable(): PeerCheck {
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
async function startReference(key: string, workers: number, db: { file: string; secret: string; adminPassword: string }): Promise<Server> {
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
  return { key, label, url, workers, reference: true, child, dataDir: null, log, token };
}

// ── the fleet ───────────────────────────────────────────────────────────────────────────────────

/**
 * Starts every server, ours first on an empty machine, so that each one's start-up is over before any
 * phase. `all` grows as they start, so that a failure can show every started server's output.
 */
export async function startFleet(all: Server[]): Promise<Fleet> {
  const peer = peerAvailable();
  const adminPassword = crypto.randomBytes(12).toString("base64url");
  console.log(
    `Starting the servers (BCRYPT_COST=${BCRYPT_COST}, ${databaseKind}${databaseUrl ? "" : " in temporary DATA_DIRs"}): ` +
      `ours with ${cores} processes (npm start's default) and with 1` +
      (peer.ok ? `, the reference (${peerDir}) with ${cores} workers and with 1…` : "…"),
  );
  if (!peer.ok) console.log(`  Reference skipped: ${peer.why}.`);
  const add = (server: Server) => (all.push(server), server);
  const oursN = add(await startOurs("ours_n", cores, adminPassword));
  const ours1 = add(await startOurs("ours_1", 1, adminPassword));
  const compared = [ours1, oursN];
  if (peer.ok) {
    const refDir = fs.mkdtempSync(path.join(os.tmpdir(), "signin-bench-reference-"));
    tempDirs.push(refDir); // removed with the servers
    const db = { file: path.join(refDir, "ref.db"), secret: crypto.randomBytes(32).toString("base64url"), adminPassword };
    compared.push(add(await startReference("ref_1", 1, db)), add(await startReference("ref_n", cores, db)));
  }
  for (const s of all) console.log(`  ${s.label}: ${s.url}`);
  return { all, compared, ours1, oursN, adminPassword, peer };
}

let stopping: Promise<void> | undefined;

/** Stops every server's process group and removes its data folder; every caller waits for the same stop. */
export function stopServers(): Promise<void> {
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

/** On an exit or a signal, whatever the run was doing, its servers and folders go too. */
export function stopServersOnExit() {
  process.on("exit", () => {
    for (const { pid, dataDir } of started) {
      if (groupAlive(pid)) signalGroup(pid, "SIGKILL");
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    }
    for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      interrupted = true;
      console.error(`\n${signal}: stopping the servers`);
      void stopServers().finally(() => process.exit(130));
    });
  }
}
