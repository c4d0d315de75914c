/**
 * Phase 4 of `npm run bench`: the tables and ratios on the console, and the run's JSON (machine, raw
 * phases, figures, ratios, targets) in the results folder, outside the repository:
 * `<results>/<start time>[-postgresql].json`, copied to `<results>/latest[-postgresql].json`.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  BCRYPT_COST,
  connections,
  cores,
  databaseKind,
  databaseUrl,
  LOGIN_CLIENTS_DURING_ME,
  loginConnections,
  peerDir,
  phase,
  resultsDir,
  shortRun,
} from "./options";
import { round } from "./numbers";
import type { Figures } from "./figures";
import { ROUTES, routePath, type Measurements } from "./scenarios";
import { gitInfo } from "./servers";
import { PEER_PACKAGES, type Fleet, type Machine } from "./setup";

/** What the run knew before any load: when it started, on what, and how long the build took. */
export type RunInfo = { startedAt: Date; machine: Machine; buildSeconds: number | null };

export type Report = ReturnType<typeof buildReport>;

function printTable(rows: string[][]) {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(`\n${line(rows[0]!)}\n${widths.map((w) => "-".repeat(w)).join("  ")}`);
  for (const row of rows.slice(1)) console.log(line(row));
}

const cpuCell = (x: number | null) => (x === null ? "n/a" : `${x.toFixed(2)} cores`);
const fixed = (x: number | null, digits: number) => (x === null ? "n/a" : x.toFixed(digits));

/** The interleaved comparison's table and the ratios of this run. */
function printComparison(fleet: Fleet, m: Measurements, f: Figures) {
  console.log(`\nComparison: ${phase.compareRounds} round(s) of ${phase.compare} s per server and route, interleaved, ${connections} connections`);
  printTable([
    ["server", "route", "req/s", "server CPU-s", "req/CPU-s", "worst p99 ms", "non-2xx+err", "other CPU (max)"],
    ...fleet.all
      .filter((s) => f.byServer[s.key])
      .flatMap((s) =>
        ROUTES.map((route) => {
          const c = f.byServer[s.key]![route.key];
          return [
            s.label,
            routePath(s, route),
            c.rps.toFixed(1),
            fixed(c.server_cpu_s, 2),
            fixed(c.rps_per_server_cpu_s, 1),
            String(c.p99_ms),
            String(c.non2xx_or_errors),
            cpuCell(c.other_cpu_cores_max),
          ];
        }),
      ),
  ]);
  const r = f.comparisonRatios;
  console.log("\nRatios (this run):");
  const shown: [string, number | null][] = [
    ["users/me per CPU-s, ours ÷ reference (1 process each)", r.me_per_cpu_ours_1_over_reference_1],
    [`users/me per CPU-s, ours ÷ reference (${cores} each)`, r.me_per_cpu_ours_n_over_reference_n],
    [`users/me per CPU-s, ours ${cores} processes ÷ 1, each saturated`, r.me_per_cpu_ours_n_over_ours_1],
    [`users/me per CPU-s, ours ${cores} processes ÷ 1, each process offered ${m.perProcessRate} req/s`, r.me_per_cpu_same_load_per_process_ours_n_over_ours_1],
    [`users/me per CPU-s, ours ${cores} processes ÷ 1, both offered ${m.sameLoadRate} req/s in all`, r.me_per_cpu_same_load_ours_n_over_ours_1],
    [`users/me per CPU-s, reference ${cores} workers ÷ 1`, r.me_per_cpu_reference_n_over_reference_1],
    [`users/me req/s, ours ${cores} processes ÷ 1`, r.me_rps_ours_n_over_ours_1],
    ["users/me ÷ trivial route per CPU-s, ours (1 process, alternating)", r.me_over_trivial_per_cpu_ours_1_alternating],
    ["users/me ÷ trivial route per CPU-s, ours (1 process, interleaved)", r.me_over_trivial_per_cpu_ours_1],
    ["users/me ÷ trivial route req/s, ours (1 process)", r.me_over_trivial_rps_ours_1],
    ["users/me ÷ trivial route req/s, reference (1 worker)", r.me_over_trivial_rps_reference_1],
    ["trivial route per CPU-s, ours ÷ reference (1 process each)", r.trivial_per_cpu_ours_1_over_reference_1],
  ];
  for (const [name, value] of shown) console.log(`  ${name}: ${value ?? "n/a (not measured)"}`);
}

/** The default server's phases, the hash times, the targets, and what may have disturbed them. */
function printDefaultServer(fleet: Fleet, m: Measurements, f: Figures) {
  console.log(`\n${fleet.oursN.label} (npm start's default) alone:`);
  printTable([
    ["scenario", "conns", "req/s", "req/CPU-s", "p50 ms", "p90 ms", "p99 ms", "max ms", "non-2xx", "errors", "other CPU"],
    ...Object.values(m.results).map((r) => [
      r.scenario,
      String(r.connections),
      r.rps.toFixed(1),
      fixed(r.rps_per_server_cpu_s, 1),
      String(r.latency_ms.p50),
      String(r.latency_ms.p90),
      String(r.latency_ms.p99),
      String(r.latency_ms.max),
      String(r.non2xx),
      String(r.errors),
      cpuCell(r.other_cpu_cores),
    ]),
  ]);
  const samples = (xs: number[]) => xs.map((x) => round(x, 0)).join(", ");
  console.log(`\none hash at cost ${BCRYPT_COST}, one core: ${round(f.hashMedianMs, 1)} ms (median of ${samples(m.hash.ms)})`);
  console.log(`one hash at cost ${BCRYPT_COST}, every core at once: ${round(f.hashAllCoresMedianMs, 1)} ms (median of ${samples(m.hash.allCoresMs)})`);
  console.log("\nTargets (ratios from this run):");
  for (const t of f.targets) console.log(`  ${t.pass ? "PASS" : "FAIL"}  ${t.name}: ${t.detail}`);
  const busiest = Math.max(...f.allPhases.map((r) => r.other_cpu_cores ?? 0), m.hash.otherCpu ?? 0);
  if (busiest > 0.25) {
    console.log(
      `\nNote: other processes used up to ${busiest.toFixed(2)} of the ${cores} cores during a phase ("other CPU"); ` +
        "requests per CPU-second hold up better than req/s, but ratios from a quiet machine are more reliable.",
    );
  }
  if (f.failures.length) {
    console.log(`\nNote: non-2xx responses or errors in ${f.failures.map((x) => x.scenario.trim()).join(", ")}.`);
  }
}

export function printReport(fleet: Fleet, m: Measurements, f: Figures) {
  printComparison(fleet, m, f);
  printDefaultServer(fleet, m, f);
}

/** The run's JSON: everything measured, so that any figure can be recomputed from it. */
export function buildReport(run: RunInfo, fleet: Fleet, m: Measurements, f: Figures) {
  const { trivial, me, login, meUnderLogin } = m.results as Record<string, Measurements["results"][string]>;
  return {
    started_at: run.startedAt.toISOString(),
    finished_at: new Date().toISOString(),
    machine: { ...run.machine, load_average_at_end: os.loadavg().map((x) => round(x)) },
    git: gitInfo(),
    settings: {
      database: databaseKind,
      bcrypt_cost: BCRYPT_COST,
      connections,
      login_connections: loginConnections,
      login_clients_during_me: LOGIN_CLIENTS_DURING_ME,
      phases_s: phase,
      build_s: run.buildSeconds,
      default_server: { key: "ours_n", processes: cores },
      /** --quick or BENCH_DURATION_SECONDS: a smoke run, whose figures are no results */
      short_run: shortRun,
    },
    reference: fleet.peer.ok
      ? { included: true, dir: peerDir, python_packages: PEER_PACKAGES }
      : { included: false, why: fleet.peer.why },
    comparison: {
      rounds: phase.compareRounds,
      phase_s: phase.compare,
      servers: fleet.all.map((s) => ({ key: s.key, label: s.label, workers: s.workers })),
      by_server: f.byServer,
      same_load: { rate: m.sameLoadRate, by_server: f.sameLoadCompared },
      same_load_per_process: { rate_per_process: m.perProcessRate, by_server: f.perProcessCompared },
      auth_cost_ours_1_alternating: f.authCompared,
    },
    hash: {
      cost: BCRYPT_COST,
      samples_ms: m.hash.ms.map((x) => round(x, 1)),
      median_ms: round(f.hashMedianMs, 1),
      other_cpu_cores: m.hash.otherCpu,
      every_core_samples_ms: m.hash.allCoresMs.map((x) => round(x, 1)),
      every_core_median_ms: round(f.hashAllCoresMedianMs, 1),
    },
    results: m.results,
    ratios: {
      me_rps_over_trivial_rps: round(me!.rps / trivial!.rps, 3),
      me_p99_under_login_over_idle_p99: round(meUnderLogin!.latency_ms.p99 / me!.latency_ms.p99, 3),
      login_rps_over_cores_per_hash: round(login!.rps / (cores / (f.hashMedianMs / 1000)), 3),
      login_rps_over_cores_per_hash_every_core: round(login!.rps / f.loginCeiling, 3),
      ...f.comparisonRatios,
    },
    targets: f.targets,
    all_targets_met: f.targets.every((t) => t.pass),
  };
}

/** Writes the run's JSON into the results folder (created when missing); returns the two files written. */
export function writeReport(report: Report): { file: string; latest: string } {
  fs.mkdirSync(resultsDir, { recursive: true });
  const suffix = databaseUrl ? "-postgresql" : "";
  const file = path.join(resultsDir, `${report.started_at.replace(/[:.]/g, "-")}${suffix}.json`);
  const latest = path.join(resultsDir, `latest${suffix}.json`);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  fs.writeFileSync(file, json);
  fs.writeFileSync(latest, json);
  return { file, latest };
}
