/**
 * `npm run bench`: how fast our sign-in server is, against the seed's own stack (FastAPI on uvicorn,
 * ../shared/bench/fastapi-reference) measured in the same run on the same machine. docs/performance.md
 * says what it measures and how to read it; each phase has its own file:
 *
 *   bench/setup.ts      build, then start ours (one process per core, and one) and the reference (as
 *                       many workers, and one), each with a user and its token; stop them at the end
 *   bench/scenarios.ts  the load with autocannon: warm-up, interleaved comparison, same load, auth cost,
 *                       and the default server alone (trivial route, users/me, logins, users/me under logins)
 *   bench/measure.ts    one phase: req/s, latency, and the CPU its server used (requests per CPU-second)
 *   bench/figures.ts    rounds combined, ratios within this run, targets
 *   bench/report.ts     the tables, and the run's JSON in the results folder (outside the repository)
 *   bench/summary.ts    the committed summary, bench/summary.json
 *
 * Options (bench/options.ts): --skip-build, --quick, --rounds=N, --connections=N, --strict (exit 1 when
 * a target is missed), --database=postgresql://…, --peer / --skip-peer / --peer-dir=…,
 * --results-dir=… (or BENCH_RESULTS_DIR), --duration=S (or BENCH_DURATION_SECONDS: a smoke run), and
 * --summary (run nothing; rewrite bench/summary.json from the results folder's latest*.json).
 * --soak and --overload run the fault scenarios instead (bench/faults.ts).
 */
import crypto from "node:crypto";
import path from "node:path";
import { runFaultScenarios } from "./faults";
import { computeFigures } from "./figures";
import { round } from "./numbers";
import { flag, resultsDir, shortRun, summaryFile } from "./options";
import { buildReport, printReport, writeReport, type Report, type RunInfo } from "./report";
import { runScenarios } from "./scenarios";
import { root } from "./servers";
import { build, describeMachine, startFleet, stopServers, stopServersOnExit, wasInterrupted, type Server } from "./setup";
import { summaryFromLatest, updateSummary } from "./summary";

async function main(): Promise<boolean> {
  if (flag("summary")) return rewriteSummary();
  stopServersOnExit();
  const run = prepare();
  if (flag("soak") || flag("overload")) {
    try {
      await runFaultScenarios(crypto.randomBytes(12).toString("base64url"));
    } finally {
      await stopServers();
    }
    return true;
  }

  const { fleet, m } = await measureAll();
  if (wasInterrupted()) return new Promise<never>(() => {}); // the signal handler exits

  const figures = computeFigures(m);
  printReport(fleet, m, figures);
  const report = buildReport(run, fleet, m, figures);
  const { file, latest } = writeReport(report);
  console.log(`\nWrote ${file}\n  and ${latest}`);
  summarize(report, path.basename(file));
  return report.all_targets_met;
}

/** Starts the servers and loads them; whatever happens, stops them before returning. */
async function measureAll() {
  const all: Server[] = [];
  try {
    const fleet = await startFleet(all);
    return { fleet, m: await runScenarios(fleet) };
  } catch (error) {
    for (const s of all) console.error(`\n${s.label}'s output:\n${s.log()}`);
    throw error;
  } finally {
    await stopServers();
    console.log("Servers stopped.");
  }
}

/** The machine, and the build unless --skip-build. */
function prepare(): RunInfo {
  const startedAt = new Date();
  const machine = describeMachine();
  console.log(`Machine: ${machine.cpu_count} × ${machine.cpu_model}, Node ${machine.node}, load ${machine.load_average_at_start.join(" ")}`);
  console.log(`Results go to ${resultsDir} (--results-dir=… or BENCH_RESULTS_DIR to change).`);
  let buildSeconds: number | null = null;
  if (flag("skip-build")) {
    console.log("Skipping the build (--skip-build).");
  } else {
    console.log("Building (npm run build)…");
    buildSeconds = round(build(), 1);
    console.log(`  built in ${buildSeconds} s`);
  }
  return { startedAt, machine, buildSeconds };
}

/** The run's summary beside its JSON, and in bench/summary.json unless the run was short. */
function summarize(report: Report, source: string) {
  const beside = path.join(resultsDir, "summary.json");
  updateSummary(beside, report, source);
  if (shortRun) {
    console.log(`Summary: ${beside}. A short run's figures are no results: ${path.relative(root, summaryFile)} is left alone.`);
    return;
  }
  updateSummary(summaryFile, report, source);
  console.log(`Summary: ${beside}\n  and ${path.relative(root, summaryFile)} (commit it to publish these figures).`);
}

/** `--summary`: bench/summary.json from the results folder's latest runs, without running anything. */
function rewriteSummary(): boolean {
  console.log(`Summarizing the latest runs in ${resultsDir}:`);
  if (summaryFromLatest(resultsDir, summaryFile) === 0) throw new Error(`no full-length latest.json or latest-postgresql.json in ${resultsDir}`);
  return true;
}

main().then(
  (allMet) => process.exit(!allMet && flag("strict") ? 1 : 0),
  async (error) => {
    console.error(error instanceof Error ? error.message : error);
    await stopServers();
    process.exit(1);
  },
);
