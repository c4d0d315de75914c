/**
 * `npx tsx bench/profile.ts [--route=me|live|health|login] [--seconds=10] [--connections=50] [--label=…]
 * [--skip-build]`: where one server process spends its CPU while it serves one route.
 *
 * It builds (unless --skip-build; the build carries server source maps, see next.config.mjs), starts our
 * production server with one process (`WEB_CONCURRENCY=1`, temporary SQLite) under Node's `--cpu-prof`,
 * loads the route with autocannon after a warm-up, stops the server (SIGTERM writes the profile), and
 * reads the profile of the server process's main thread back through the build's source maps, so that
 * frames name our files (lib/…, app/…) rather than minified chunks. Only the samples taken while the
 * measured load ran count: start-up, sign-up and the warm-up (25,000 requests) do not. It prints and writes to
 * <results>/profiles/<time>[-<label>].json (<results>: `--results-dir=`, `$BENCH_RESULTS_DIR`, or
 * ~/.cache/signin-system/bench; outside the repository):
 *   - busy time by owner: our code, Next.js, other packages, Node's internals, GC, native (program);
 *   - the top frames by self time, and our frames by inclusive time (themselves plus what they call).
 * The raw .cpuprofile is kept beside it for Chrome DevTools' Performance panel.
 *
 * Compare two profiles only from the same machine state; `npm run bench` is what measures throughput.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { SourceMap } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type autocannon from "autocannon";
import { freePort, groupProcesses, productionServerEnv, START_ARGS, stopGroup } from "../tests/helpers/processes";
import { gitInfo, load, logIn, loginForm, resultsDir, root, signUp, spawnGroup, waitUntil } from "./servers";
const option = (name: string) =>
  process.argv
    .slice(2)
    .find((a) => a.startsWith(`--${name}=`))
    ?.slice(name.length + 3);
const flag = (name: string) => process.argv.includes(`--${name}`);

const ROUTES = {
  me: "/api/v1/users/me",
  live: "/api/health/live",
  health: "/api/health",
  login: "/api/v1/login/access-token",
} as const;
const routeKey = (option("route") ?? "me") as keyof typeof ROUTES;
if (!(routeKey in ROUTES)) throw new Error(`--route must be one of ${Object.keys(ROUTES).join(", ")}`);
const seconds = Number(option("seconds") ?? 10);
const connections = Number(option("connections") ?? 50);
const label = option("label");
const SAMPLING_INTERVAL_US = 250;

// ── reading a profile ───────────────────────────────────────────────────────────────────────────

type CallFrame = { functionName: string; url: string; lineNumber: number; columnNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
/** Times in µs of the monotonic clock that process.hrtime() reads too, on Linux. */
type CpuProfile = { nodes: ProfileNode[]; startTime: number; samples: number[]; timeDeltas: number[] };
/** A span of that clock, in µs. */
type Window = { from: number; to: number };
const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

type Owner = "ours" | "next" | "packages" | "node" | "gc" | "program";
type Frame = { key: string; name: string; where: string; owner: Owner };

const sourceMaps = new Map<string, SourceMap | null>();
function sourceMapFor(file: string): SourceMap | null {
  if (!sourceMaps.has(file)) {
    let map: SourceMap | null = null;
    try {
      map = new SourceMap(JSON.parse(fs.readFileSync(`${file}.map`, "utf8")));
    } catch {
      // no map: a file Node loaded from node_modules, or a build without server source maps
    }
    sourceMaps.set(file, map);
  }
  return sourceMaps.get(file)!;
}

/** `webpack://signin-system/./lib/auth/x.ts` → `lib/auth/x.ts`; node_modules paths keep their package. */
function cleanSource(source: string): string {
  return source
    .replace(/^webpack:\/\/[^/]*\//, "")
    .replace(/^\.\//, "")
    .replace(/^.*?node_modules\//, "node_modules/")
    .replace(/^file:\/\//, "")
    .replace(`${root}/`, "");
}

/** Our own source folders and files; Next.js's bundled sources map to `src/…`, webpack's runtime to `webpack/…`. */
const OURS = /^(?:app|lib|components|scripts|types)\/|^(?:proxy|instrumentation)\.ts:/;

function ownerOf(where: string): Owner {
  if (where.startsWith("node:") || where === "") return "node";
  if (OURS.test(where)) return "ours";
  if (where.includes("node_modules/") && !/node_modules\/next\//.test(where)) return "packages";
  return "next";
}

function describeFrame({ functionName, url, lineNumber, columnNumber }: CallFrame): Frame {
  if (functionName === "(garbage collector)") return { key: "(gc)", name: "(garbage collector)", where: "", owner: "gc" };
  if (functionName === "(program)" || (url === "" && functionName.startsWith("("))) {
    return { key: functionName, name: functionName, where: "", owner: "program" };
  }
  let name = functionName || "(anonymous)";
  let where = url.startsWith("node:") ? url : url ? cleanSource(url) : "";
  const file = url.startsWith("file://") ? fileURLToPath(url) : url.startsWith("/") ? url : null;
  // Node's mapping also carries the original identifier (`name`) when the map names one.
  const entry = (file ? sourceMapFor(file)?.findEntry(lineNumber, columnNumber) : undefined) as
    | { originalSource?: string; originalLine: number; name?: string }
    | undefined;
  if (entry?.originalSource) {
    // A package's own map names its sources relative to the file (Prisma's `../src/runtime/…`): keep them
    // inside the package. Our build's maps name ours from the project root (`lib/…`, `app/…`).
    const source =
      file!.includes("/node_modules/") && !entry.originalSource.includes(":")
        ? path.resolve(path.dirname(file!), entry.originalSource)
        : entry.originalSource;
    where = `${cleanSource(source)}:${entry.originalLine + 1}`;
    if (entry.name) name = entry.name;
  } else if (where && !where.startsWith("node:")) {
    where = `${where}:${lineNumber + 1}`;
  }
  if (!url && !functionName.startsWith("(")) where = "";
  return { key: `${name} ${where}`, name, where, owner: where ? ownerOf(where) : url.startsWith("node:") ? "node" : "program" };
}

type Summary = {
  busy_ms: number;
  idle_ms: number;
  by_owner_percent: Record<Owner, number>;
  top_self: { percent: number; ms: number; name: string; where: string; owner: Owner }[];
  ours_inclusive: { percent: number; ms: number; name: string; where: string }[];
};

/** Self and inclusive time of the samples taken within `window` (the measured phase, not start-up). */
function summarize(profile: CpuProfile, window: Window, top = 25): Summary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const frames = new Map(profile.nodes.map((n) => [n.id, describeFrame(n.callFrame)]));
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const owners: Record<Owner, number> = { ours: 0, next: 0, packages: 0, node: 0, gc: 0, program: 0 };
  let busy = 0;
  let idle = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    // timeDeltas[i] is the time before sample i; the sample stands for the interval up to the next one.
    at += profile.timeDeltas[i]!;
    if (at < window.from || at > window.to) return;
    const us = profile.timeDeltas[i + 1] ?? SAMPLING_INTERVAL_US;
    const node = byId.get(id)!;
    if (node.callFrame.functionName === "(idle)") {
      idle += us;
      return;
    }
    busy += us;
    const frame = frames.get(id)!;
    self.set(frame.key, (self.get(frame.key) ?? 0) + us);
    owners[frame.owner] += us;
    const seen = new Set<string>();
    for (let up: number | undefined = id; up !== undefined; up = parent.get(up)) {
      const f = frames.get(up)!;
      if (f.owner !== "ours" || seen.has(f.key)) continue;
      seen.add(f.key);
      inclusive.set(f.key, (inclusive.get(f.key) ?? 0) + us);
    }
  });
  const frameByKey = new Map([...frames.values()].map((f) => [f.key, f]));
  const percent = (us: number) => Math.round((1000 * us) / busy) / 10;
  const ms = (us: number) => Math.round(us / 1000);
  const ranked = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return {
    busy_ms: ms(busy),
    idle_ms: ms(idle),
    by_owner_percent: Object.fromEntries(Object.entries(owners).map(([k, v]) => [k, percent(v)])) as Record<Owner, number>,
    top_self: ranked(self).map(([key, us]) => {
      const f = frameByKey.get(key)!;
      return { percent: percent(us), ms: ms(us), name: f.name, where: f.where, owner: f.owner };
    }),
    ours_inclusive: ranked(inclusive).map(([key, us]) => {
      const f = frameByKey.get(key)!;
      return { percent: percent(us), ms: ms(us), name: f.name, where: f.where };
    }),
  };
}

// ── the run ─────────────────────────────────────────────────────────────────────────────────────

async function main() {
  if (!flag("skip-build")) {
    console.log("Building…");
    const built = spawnSync("npm", ["run", "build"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
    if (built.status !== 0) throw new Error("the build failed");
  }
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "signin-profile-"));
  const profileDir = path.join(dataDir, "profiles");
  const admin = { email: "admin@example.com", password: "profile admin password 1" };
  const env = productionServerEnv(
    { port, dataDir, admin },
    { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir} --cpu-prof-interval=${SAMPLING_INTERVAL_US}` },
  );
  const { child, log } = spawnGroup(process.execPath, START_ARGS, { cwd: root, env });
  const url = `http://127.0.0.1:${port}`;
  let serverPid: number | undefined;
  let window: Window | undefined;
  try {
    await waitUntil("the server", child, log, async () => (await fetch(`${url}/api/health/live`)).ok);
    serverPid = groupProcesses(child.pid!).find((p) => p.command.includes("scripts/serve.mjs"))?.pid;
    if (!serverPid) throw new Error("no server process (scripts/serve.mjs) in the group");
    const email = `profile-${Date.now()}@example.com`;
    const password = "profile password 1234";
    await signUp(url, email, password);
    const token = await logIn(url, email, password);
    // A sign-in hashes on the bcrypt threads, not on the main thread profiled here: a few connections keep
    // them busy, and the profile shows what a sign-in costs the thread that serves every other request.
    const request: autocannon.Options =
      routeKey === "login"
        ? { url: `${url}${ROUTES.login}`, connections: Math.min(connections, 4), ...loginForm(email, password) }
        : { url: `${url}${ROUTES[routeKey]}`, connections, headers: { authorization: `Bearer ${token}` } };
    // V8 keeps optimizing Next.js's request path for about 25,000 requests (bench/run.ts): profile after.
    console.log("Warming up (25,000 requests)…");
    await load({ ...request, ...(routeKey === "login" ? { amount: 40 } : { amount: 25_000 }) }).done;
    console.log(`Profiling ${request.method ?? "GET"} ${ROUTES[routeKey]}: ${seconds} s at ${request.connections} connections…`);
    const from = monotonicMicros();
    const result = await load({ ...request, duration: seconds }).done;
    window = { from, to: monotonicMicros() };
    const failures = result.non2xx + result.errors;
    if (failures) throw new Error(`${failures} of ${result.requests.total} requests failed`);
    console.log(`  ${Math.round(result.requests.average)} req/s while profiled`);
  } finally {
    await stopGroup(child);
  }
  const file = fs.readdirSync(profileDir).find((f) => f.includes(`.${serverPid}.0.`));
  if (!file) throw new Error(`no profile of process ${serverPid} in ${profileDir}: ${fs.readdirSync(profileDir).join(", ")}`);
  const profile = JSON.parse(fs.readFileSync(path.join(profileDir, file), "utf8")) as CpuProfile;
  const summary = summarize(profile, window!);
  if (![...sourceMaps.values()].some(Boolean)) console.log("  (no server source maps found: frames in .next are minified)");

  console.log(`\nBusy ${summary.busy_ms} ms, idle ${summary.idle_ms} ms. Busy time by owner:`);
  for (const [owner, p] of Object.entries(summary.by_owner_percent)) console.log(`  ${owner.padEnd(9)} ${p.toFixed(1).padStart(5)} %`);
  console.log("\nTop frames by self time:");
  for (const f of summary.top_self) console.log(`  ${f.percent.toFixed(1).padStart(5)} %  ${f.owner.padEnd(8)} ${f.name}  ${f.where}`);
  console.log("\nOur frames by inclusive time:");
  for (const f of summary.ours_inclusive.slice(0, 15)) console.log(`  ${f.percent.toFixed(1).padStart(5)} %  ${f.name}  ${f.where}`);

  const outDir = path.join(resultsDir, "profiles");
  fs.mkdirSync(outDir, { recursive: true });
  const stamp = `${new Date().toISOString().replace(/[:.]/g, "-")}${label ? `-${label}` : ""}`;
  const report = {
    when: new Date().toISOString(),
    git: gitInfo(),
    node: process.version,
    route: ROUTES[routeKey],
    seconds,
    connections,
    sampling_interval_us: SAMPLING_INTERVAL_US,
    ...summary,
  };
  fs.writeFileSync(path.join(outDir, `${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
  fs.copyFileSync(path.join(profileDir, file), path.join(outDir, `${stamp}.cpuprofile`));
  fs.rmSync(dataDir, { recursive: true, force: true });
  console.log(`\nWrote ${path.join(outDir, stamp)}.json (and .cpuprofile)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
