/**
 * The small summary of a run that the repository keeps (bench/summary.json, cited by
 * docs/performance.md), one entry per database: the date, commit and machine, each scenario's req/s,
 * p50/p99 and requests per server CPU-second, the comparison with the reference and the ratios and
 * targets, all from one run's JSON. The run's JSON itself (hundreds of KB) stays in the results folder.
 *
 * `npm run bench` summarizes its own run at its end; `npm run bench -- --summary` only rewrites
 * bench/summary.json from the results folder's latest.json and latest-postgresql.json. A short run
 * (--quick, BENCH_DURATION_SECONDS) never goes into bench/summary.json.
 */
import fs from "node:fs";
import path from "node:path";
import { median } from "./measure";
import { round } from "./numbers";

type Latency = { p50: number; p99: number };
/** What the summary reads of a run's JSON; older runs (before the comparison) lack the optional parts. */
export type RunJson = {
  started_at: string;
  machine: { cpu_model: string; cpu_count: number; total_memory_gib: number; platform: string; node: string };
  git: { commit: string; dirty: boolean } | null;
  settings: {
    database: string;
    bcrypt_cost: number;
    connections: number;
    phases_s: Record<string, number>;
    default_server?: { processes: number };
    short_run?: boolean;
  };
  reference?: { included: boolean; why?: string };
  comparison?: {
    rounds: number;
    phase_s: number;
    servers: { key: string; label: string; workers: number }[];
    by_server: Record<
      string,
      Record<string, { rps: number; rps_per_server_cpu_s: number | null; p99_ms: number; other_cpu_cores_max: number | null; rounds: { latency_ms: Latency }[] }>
    >;
  };
  results: Record<string, { scenario: string; method: string; path: string; connections: number; rps: number; rps_per_server_cpu_s?: number | null; other_cpu_cores: number | null; latency_ms: Latency }>;
  ratios: Record<string, number | null>;
  targets: { name: string; value: number; limit: number; pass: boolean }[];
  all_targets_met: boolean;
};

const ABOUT =
  "Written by `npm run bench` (a full-length run) or `npm run bench -- --summary` from the results folder's latest*.json; " +
  "see docs/performance.md. rps: successful responses per second. per_cpu_s: successful responses per CPU-second of the " +
  "server's processes (user + system, its whole process group). Comparison: p50 is the median round's, p99 the worst " +
  "round's; *_vs_reference: ours divided by the reference with as many processes, in the same run. other_cpu_cores_max: " +
  "the most CPU other processes took during any phase (above ~0.2 the run was disturbed).";

/** One run, summarized. */
export function summarizeRun(run: RunJson, source: string) {
  const processes = run.settings.default_server?.processes;
  const comparison = run.comparison;
  return {
    date: run.started_at,
    commit: run.git ? `${run.git.commit}${run.git.dirty ? " (with uncommitted changes)" : ""}` : null,
    source,
    machine: `${run.machine.cpu_count} × ${run.machine.cpu_model}, ${run.machine.total_memory_gib} GiB, ${run.machine.platform}, Node ${run.machine.node}`,
    settings: {
      bcrypt_cost: run.settings.bcrypt_cost,
      connections: run.settings.connections,
      comparison: comparison ? `${comparison.rounds} round${comparison.rounds === 1 ? "" : "s"} of ${comparison.phase_s} s per server and route, interleaved` : null,
      reference: run.reference ? (run.reference.included ? "included" : `skipped: ${run.reference.why}`) : "not in this version of the bench",
      ...(run.settings.short_run ? { short_run: "yes: --quick or BENCH_DURATION_SECONDS; these figures are no results" } : {}),
    },
    other_cpu_cores_max: otherCpuMax(run),
    default_server: {
      server: processes ? `ours, ${processes} process${processes === 1 ? "" : "es"} (npm start's default)` : null,
      scenarios: summarizeScenarios(run.results),
    },
    comparison: comparison ? summarizeComparison(comparison) : null,
    ratios: run.ratios,
    targets: run.targets.map(({ name, value, limit, pass }) => ({ name, value, limit, pass })),
    all_targets_met: run.all_targets_met,
  };
}

/** The most CPU other processes took during any phase, in cores: how quiet the machine was. */
function otherCpuMax(run: RunJson): number {
  const compared = Object.values(run.comparison?.by_server ?? {}).flatMap((routes) => Object.values(routes).map((c) => c.other_cpu_cores_max));
  return round(Math.max(0, ...[...Object.values(run.results).map((r) => r.other_cpu_cores), ...compared].map((x) => x ?? 0)));
}

/** The default server alone: each scenario's throughput and latency. */
function summarizeScenarios(results: RunJson["results"]) {
  return Object.fromEntries(
    Object.entries(results).map(([key, r]) => [
      key,
      {
        request: `${r.method} ${r.path}`,
        connections: r.connections,
        rps: r.rps,
        per_cpu_s: r.rps_per_server_cpu_s ?? null,
        p50_ms: r.latency_ms.p50,
        p99_ms: r.latency_ms.p99,
      },
    ]),
  );
}

/** Every server's routes in the interleaved comparison; ours also divided by the reference with as many processes. */
function summarizeComparison(comparison: NonNullable<RunJson["comparison"]>) {
  const byServer = comparison.by_server;
  const referenceOf: Record<string, string> = { ours_1: "ref_1", ours_n: "ref_n" };
  const vs = (a: number | null, b: number | null | undefined) => (a && b ? round(a / b, 3) : null);
  const route = (key: string, name: string) => {
    const c = byServer[key]![name]!;
    const ref = byServer[referenceOf[key] ?? ""]?.[name];
    return {
      rps: c.rps,
      per_cpu_s: c.rps_per_server_cpu_s,
      p50_ms: median(c.rounds.map((r) => r.latency_ms.p50)),
      p99_ms: c.p99_ms,
      ...(ref ? { rps_vs_reference: vs(c.rps, ref.rps), per_cpu_s_vs_reference: vs(c.rps_per_server_cpu_s, ref.rps_per_server_cpu_s) } : {}),
    };
  };
  return Object.fromEntries(
    comparison.servers
      .filter((s) => byServer[s.key])
      .map((s) => [s.key, { label: s.label, ...Object.fromEntries(Object.keys(byServer[s.key]!).map((name) => [name, route(s.key, name)])) }]),
  );
}

const DATABASES = ["sqlite", "postgresql"] as const;
type Entries = Partial<Record<(typeof DATABASES)[number], ReturnType<typeof summarizeRun>>>;

/** Puts one run's entry into a summary file (the other database's entry stays); creates the file when missing. */
export function updateSummary(file: string, run: RunJson, source: string) {
  let existing: { runs?: Entries } = {};
  try {
    existing = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    // none yet (or unreadable): start afresh
  }
  const runs: Entries = { ...existing.runs, [run.settings.database]: summarizeRun(run, source) };
  const ordered = Object.fromEntries(DATABASES.filter((d) => runs[d]).map((d) => [d, runs[d]]));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${compactJson({ about: ABOUT, runs: ordered })}\n`);
}

/** JSON indented by two, with every object or array of plain values on one line: a short file, a readable diff. */
function compactJson(value: unknown, indent = ""): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const entries: [string | null, unknown][] = Array.isArray(value) ? value.map((v) => [null, v]) : Object.entries(value);
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  const key = (k: string | null) => (k === null ? "" : `${JSON.stringify(k)}: `);
  if (entries.every(([, v]) => v === null || typeof v !== "object")) {
    return `${open}${entries.map(([k, v]) => `${key(k)}${JSON.stringify(v)}`).join(", ")}${close}`;
  }
  const inner = `${indent}  `;
  return `${open}\n${entries.map(([k, v]) => `${inner}${key(k)}${compactJson(v, inner)}`).join(",\n")}\n${indent}${close}`;
}

/**
 * `--summary`: rewrites `summaryFile` from `resultsDir`'s latest.json and latest-postgresql.json,
 * whichever are there and full-length; returns how many entries it wrote.
 */
export function summaryFromLatest(resultsDir: string, summaryFile: string): number {
  let written = 0;
  for (const name of ["latest.json", "latest-postgresql.json"]) {
    const file = path.join(resultsDir, name);
    if (!fs.existsSync(file)) continue;
    const run = JSON.parse(fs.readFileSync(file, "utf8")) as RunJson;
    if (run.settings.short_run) {
      console.log(`  ${file}: a short run (--quick or BENCH_DURATION_SECONDS), left out`);
      continue;
    }
    updateSummary(summaryFile, run, `${run.started_at.replace(/[:.]/g, "-")}${run.settings.database === "postgresql" ? "-postgresql" : ""}.json`);
    console.log(`  ${file} (${run.settings.database}, ${run.started_at}) → ${summaryFile}`);
    written++;
  }
  return written;
}
