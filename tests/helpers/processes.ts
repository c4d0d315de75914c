/**
 * Process plumbing shared by everything that starts a real production server for a test or a
 * benchmark (tests/helpers/server.ts, e2e/helpers/server.ts, bench/run.ts): a free port, and stopping a
 * server's whole process group (the start script, the server process scripts/serve.mjs and its workers).
 */
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/**
 * How tests and the bench start the server: `node --import tsx scripts/start.ts`, as `npm start` does.
 * Not the `tsx` command: it sits between the caller and the script, and on SIGTERM it waits only 30 ms
 * for the script to report the signal before it SIGKILLs it and exits 143; on a loaded machine that
 * broke the clean stop (the cluster test saw exit 143 after every worker had drained).
 */
export const START_ARGS = ["--import", "tsx", "scripts/start.ts"];

/**
 * Where Node.js keeps compiled code between runs (NODE_COMPILE_CACHE): a suite starts about 150 servers,
 * each compiling the same Next.js, Prisma and app code again; with V8's code cache on disk a start
 * costs about an eighth less CPU. It changes no behaviour (Node.js checks each entry against the source
 * and its own version, and recompiles on any mismatch); a shell's own NODE_COMPILE_CACHE wins.
 */
export const COMPILE_CACHE_DIR = process.env.NODE_COMPILE_CACHE || path.join(os.tmpdir(), "signin-system-compile-cache");

/** A port nobody listens on right now, on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** SIGTERM to the group, SIGKILL after 5 s; resolves once every member is gone and the port is free. */
export async function stopGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (!pid) return;
  signalGroup(pid, "SIGTERM");
  const timer = setTimeout(() => signalGroup(pid, "SIGKILL"), 5000);
  await exited(child);
  // The start script exits once the server process has; wait for stragglers of the group to free the port.
  for (let i = 0; i < 50 && groupAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  clearTimeout(timer);
  if (groupAlive(pid)) signalGroup(pid, "SIGKILL");
}

/**
 * Variables of the developer's shell that would make a test or bench server depend on the machine
 * (its secret, database, data folder, token lifetime, first superuser, OpenID provider, proxy trust, the suite's
 * own settings). Dropped before the server's own settings are applied.
 */
const MACHINE_SPECIFIC =
  /^(AUTH_|DATABASE_|DATA_DIR$|SMTP_|EMAILS?_|ACCESS_TOKEN_|FIRST_SUPERUSER|TRUST_PROXY$|E2E_|TEST_DATABASE_(URL|MIGRATED)$|TEST_SQLITE_TEMPLATE$|NODE_TEST_CONTEXT$|WEB_CONCURRENCY$|BCRYPT_THREADS$|BCRYPT_QUEUE_|BCRYPT_ALLOW_TEST_COST$)/;

export type ServerSettings = {
  port: number;
  dataDir: string;
  /** The first superuser start-up creates. */
  admin: { email: string; password: string };
  /** A PostgreSQL database; SQLite in `dataDir` when absent. */
  databaseUrl?: string | null;
  bcryptCost?: number;
};

/** The environment for `scripts/start.ts`: the user's, minus the machine's, plus `settings` and `overrides`. */
export function productionServerEnv(
  settings: ServerSettings,
  overrides: Record<string, string | undefined> = {},
): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of Object.keys(env)) if (MACHINE_SPECIFIC.test(name)) delete env[name];
  Object.assign(env, {
    PORT: String(settings.port),
    HOSTNAME: "127.0.0.1",
    DATA_DIR: settings.dataDir,
    ...(settings.databaseUrl ? { DATABASE_URL: settings.databaseUrl } : {}),
    BCRYPT_COST: String(settings.bcryptCost ?? 10),
    // One server process unless a test or the bench asks for more: half the start-up work and memory
    // on a small shared machine; tests/api/cluster.test.ts covers several.
    WEB_CONCURRENCY: "1",
    FIRST_SUPERUSER: settings.admin.email,
    FIRST_SUPERUSER_PASSWORD: settings.admin.password,
    NODE_COMPILE_CACHE: COMPILE_CACHE_DIR,
    ...overrides,
  });
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return env as NodeJS.ProcessEnv;
}

/** A live process of a group, from /proc (Linux). */
export type GroupProcess = {
  pid: number;
  ppid: number;
  /** Its command line, arguments joined by spaces. */
  command: string;
  /** CPU seconds used: its own user and system time plus that of the children it has reaped. */
  cpuSeconds: number;
};

const CLOCK_TICKS = 100; // USER_HZ, the unit of /proc/<pid>/stat's times

/** The processes of process group `pgid` (a server started with `detached: true`), from /proc. */
export function groupProcesses(pgid: number): GroupProcess[] {
  const found: GroupProcess[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      // After "(comm) ": [0] state, [1] ppid, [2] pgrp, [11] utime, [12] stime, [13] cutime, [14] cstime
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid || fields[0] === "Z") continue;
      const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
      const command = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ").trim();
      found.push({ pid: Number(entry), ppid: Number(fields[1]), command, cpuSeconds: ticks / CLOCK_TICKS });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Open TCP connections process `pid` holds whose local port is `port` (IPv4 and IPv6), from /proc. */
export function connectionsOnPort(pid: number, port: number): number {
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // closed meanwhile
    }
  }
  let count = 0;
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = fs.readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      const localPort = parseInt(cols[1]!.split(":")[1]!, 16);
      if (localPort === port && cols[3] === "01" /* ESTABLISHED */ && inodes.has(cols[9]!)) count++;
    }
  }
  return count;
}
