/**
 * How `npm run bench` measures: one autocannon phase against one server, with the CPU the server's
 * processes used meanwhile (CPU normalisation: successful responses per CPU-second of the server,
 * which hold on a shared machine where req/s do not) and the CPU other processes took from the
 * machine; the rounds of one route combined; and the bcrypt hash time that the login target is held to.
 */
import { createRequire } from "node:module";
import fs from "node:fs";
import { Worker } from "node:worker_threads";
import type autocannon from "autocannon";
import bcrypt from "bcryptjs";
import { groupProcesses } from "../tests/helpers/processes";
import { BCRYPT_COST, cores } from "./options";
import { round } from "./numbers";
import { load } from "./servers";
import type { Server } from "./setup";

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

// ── CPU: the server's, the benchmark's, the machine's ───────────────────────────────────────────

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
export function cpuSnapshot(servers: readonly Server[]): CpuSnapshot | null {
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
export function otherCpu(from: CpuSnapshot | null, to: CpuSnapshot | null): number | null {
  if (!from || !to) return null;
  const seconds = (to.at - from.at) / 1000;
  return round(Math.max(0, to.machine - from.machine - (to.ours - from.ours)) / seconds);
}

// ── one phase ───────────────────────────────────────────────────────────────────────────────────

export type Summary = {
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

/** One autocannon result as the report keeps it. */
export function summarizePhase(
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

/**
 * One phase against one server (after `leadIn` seconds of unmeasured load): its summary, with the CPU
 * its processes used meanwhile. `servers` are all of the run's, whose CPU is the benchmark's own.
 */
export async function measure(
  servers: readonly Server[],
  s: Server,
  label: string,
  method: "GET" | "POST",
  options: autocannon.Options,
  leadIn = 0,
): Promise<Summary> {
  if (leadIn > 0) await load({ ...options, duration: leadIn }).done;
  const before = cpuSnapshot(servers);
  const result = await load(options).done;
  const after = cpuSnapshot(servers);
  const cpu = before && after ? after.byServer.get(s.key)! - before.byServer.get(s.key)! : null;
  return summarizePhase(label, method, new URL(options.url as string).pathname, result, otherCpu(before, after), cpu);
}

// ── the rounds of one route ─────────────────────────────────────────────────────────────────────

/** One server's figures for one route over every round of the comparison. */
export type Compared = {
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

export function combine(rounds: Summary[]): Compared {
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

// ── bcrypt: the login target's unit ─────────────────────────────────────────────────────────────

/** One hash at the bench's cost, on this thread, in this process: the unit of the login target. */
export function hashTimes(samples: number): number[] {
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
export async function hashTimesOnEveryCore(samples: number): Promise<number[]> {
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
