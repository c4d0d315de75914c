/**
 * `npm run bench -- --soak` and `npm run bench -- --overload`: the fault scenarios of docs/faults.md, on
 * the default server alone (one process per core, BCRYPT_COST 12), instead of the comparison.
 *
 *   --soak       a mixed load for a few minutes (--soak-minutes=N, 3 by default): users/me and the trivial
 *                route at fixed rates, two clients logging in and one signing up, without pause. Per
 *                minute: each route's answers and p50/p99, the server's RSS (all its processes) and CPU.
 *                A steady RSS and p99 from minute to minute is the result.
 *   --overload   logins past the bcrypt capacity (--overload-clients=N, 48 by default, each logging in
 *                without pause, --overload-seconds=S, 30), while users/me runs at a fixed rate: login
 *                throughput, the share answered 503 (load shedding), p50/p99 of the 200s and of the 503s
 *                apart, and users/me's p99 meanwhile against the same rate alone just before.
 *
 * Both write their JSON to the results folder (faults-<date>.json); bench/summary.json is left to the
 * full run. CPU figures are per CPU-second of the server's processes (Linux), which holds on a shared
 * machine where the rates do not.
 */
import fs from "node:fs";
import path from "node:path";
import type autocannon from "autocannon";
import { groupProcesses } from "../tests/helpers/processes";
import { cpuSnapshot, otherCpu } from "./measure";
import { round } from "./numbers";
import { BCRYPT_COST, cores, flag, option, resultsDir } from "./options";
import { gitInfo, load, loginForm, sleep } from "./servers";
import { describeMachine, startOurs, type Server } from "./setup";

const num = (name: string, fallback: number) => Number(option(name) ?? fallback);

/** Resident memory of the server's processes, in MiB (Linux /proc). */
function rssMiB(s: Server): number {
  let kib = 0;
  for (const p of groupProcesses(s.child.pid!)) {
    try {
      kib += Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p.pid}/status`, "utf8"))?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return round(kib / 1024, 1);
}

const latency = (r: autocannon.Result) => ({ p50_ms: r.latency.p50, p99_ms: r.latency.p99, max_ms: r.latency.max });
/** Answers by status code ({"200": n, "503": n}), and the connection errors and timeouts. */
const outcomes = (r: autocannon.Result) => ({
  by_status: Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, { count }]) => [code, count])),
  errors: r.errors,
  timeouts: r.timeouts,
});

/** Percentile of a list of milliseconds. */
function pct(ms: number[], q: number): number | null {
  if (!ms.length) return null;
  const sorted = ms.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * `clients` loops each sending one request after the other for `seconds`: every answer's status and
 * time, so that 200s and 503s can be told apart (autocannon's latency mixes them).
 */
async function closedLoop(clients: number, seconds: number, send: () => Promise<Response>) {
  const answers: { status: number | string; ms: number }[] = [];
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < until) {
        const at = performance.now();
        try {
          const res = await send();
          await res.arrayBuffer();
          answers.push({ status: res.status, ms: performance.now() - at });
          // A shed client waits as Retry-After says, up to the window's end.
          const retry = res.status === 503 ? Number(res.headers.get("retry-after") ?? 1) : 0;
          if (retry) await sleep(Math.min(retry * 1000, Math.max(0, until - Date.now())));
        } catch (error) {
          answers.push({ status: (error as Error).name, ms: performance.now() - at });
        }
      }
    }),
  );
  return answers;
}

function statusSummary(answers: { status: number | string; ms: number }[], seconds: number) {
  const of = (status: number) => answers.filter((a) => a.status === status).map((a) => a.ms);
  const ok = of(200);
  const shed = of(503);
  const byStatus = Object.fromEntries(Object.entries(Object.groupBy(answers, (a) => String(a.status))).map(([k, v]) => [k, v!.length]));
  return {
    answers: answers.length,
    by_status: byStatus,
    ok_per_s: round(ok.length / seconds, 2),
    shed_share: answers.length ? round(shed.length / answers.length, 3) : null,
    ok_p50_ms: round(pct(ok, 0.5) ?? 0, 0),
    ok_p99_ms: round(pct(ok, 0.99) ?? 0, 0),
    shed_p50_ms: shed.length ? round(pct(shed, 0.5)!, 0) : null,
    shed_p99_ms: shed.length ? round(pct(shed, 0.99)!, 0) : null,
  };
}

let signups = 0;
const signupRequest = (s: Server): autocannon.Options => ({
  url: `${s.url}/api/v1/users/signup`,
  connections: 1,
  requests: [
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      setupRequest: (req) => ({
        ...req,
        body: JSON.stringify({ email: `soak-${process.pid}-${signups++}@example.com`, password: "soak password 1234" }),
      }),
    },
  ],
});

async function soak(s: Server, adminPassword: string) {
  const minutes = num("soak-minutes", 3);
  const rates = { me: num("soak-me-rate", 200), trivial: num("soak-trivial-rate", 50) };
  console.log(`Soak: ${minutes} min on ${s.label}: users/me at ${rates.me} req/s, the trivial route at ${rates.trivial} req/s, 2 clients logging in, 1 signing up…`);
  const perMinute = [];
  for (let minute = 1; minute <= minutes; minute++) {
    const before = cpuSnapshot([s]);
    const [me, trivial, logins, signUps] = await Promise.all([
      load({ url: `${s.url}/api/v1/users/me`, connections: 10, overallRate: rates.me, duration: 60, headers: { authorization: `Bearer ${s.token}` } }).done,
      load({ url: `${s.url}/api/health/live`, connections: 4, overallRate: rates.trivial, duration: 60 }).done,
      load({ url: `${s.url}/api/v1/login/access-token`, connections: 2, duration: 60, ...loginForm("admin@example.com", adminPassword) }).done,
      load({ ...signupRequest(s), duration: 60 }).done,
    ]);
    const after = cpuSnapshot([s]);
    const cpu = before && after ? round(after.byServer.get(s.key)! - before.byServer.get(s.key)!, 1) : null;
    const row = {
      minute,
      rss_mib: rssMiB(s),
      server_cpu_s: cpu,
      other_cpu_cores: otherCpu(before, after),
      me: { ok: me["2xx"], ...outcomes(me), ...latency(me) },
      trivial: { ok: trivial["2xx"], ...outcomes(trivial), ...latency(trivial) },
      login: { ok: logins["2xx"], ...outcomes(logins), ...latency(logins) },
      signup: { ok: signUps["2xx"], ...outcomes(signUps), ...latency(signUps) },
    };
    const served = row.me.ok + row.trivial.ok + row.login.ok + row.signup.ok;
    console.log(
      `  minute ${minute}: RSS ${row.rss_mib} MiB; users/me ${row.me.ok} ok p99 ${row.me.p99_ms} ms; trivial p99 ${row.trivial.p99_ms} ms; ` +
        `logins ${row.login.ok} p99 ${row.login.p99_ms} ms; sign-ups ${row.signup.ok} p99 ${row.signup.p99_ms} ms; ` +
        `logins ${JSON.stringify(row.login.by_status)}, sign-ups ${JSON.stringify(row.signup.by_status)}, errors ${row.me.errors + row.trivial.errors + row.login.errors + row.signup.errors}; ` +
        `${cpu === null ? "" : `${round(served / cpu, 0)} answers per server CPU-s; `}other CPU ${row.other_cpu_cores} cores`,
    );
    perMinute.push(row);
  }
  return { minutes, rates, per_minute: perMinute };
}

async function overload(s: Server, adminPassword: string) {
  const clients = num("overload-clients", 48);
  const seconds = num("overload-seconds", 30);
  const meRate = num("overload-me-rate", 200);
  const meLoad = (duration: number) =>
    load({ url: `${s.url}/api/v1/users/me`, connections: 10, overallRate: meRate, duration, headers: { authorization: `Bearer ${s.token}` } }).done;
  console.log(`Overload: users/me alone at ${meRate} req/s for 10 s…`);
  const alone = await meLoad(10);
  console.log(`Overload: ${clients} clients logging in without pause for ${seconds} s, users/me at ${meRate} req/s meanwhile…`);
  const before = cpuSnapshot([s]);
  const form = loginForm("admin@example.com", adminPassword);
  const [answers, me] = await Promise.all([
    closedLoop(clients, seconds, () =>
      fetch(`${s.url}/api/v1/login/access-token`, { ...form, signal: AbortSignal.timeout(60_000) }),
    ),
    sleep(2_000).then(() => meLoad(seconds - 4)), // once the queue is full
  ]);
  const after = cpuSnapshot([s]);
  const cpu = before && after ? round(after.byServer.get(s.key)! - before.byServer.get(s.key)!, 1) : null;
  const logins = statusSummary(answers, seconds);
  const result = {
    clients,
    seconds,
    logins: { ...logins, ok_per_server_cpu_s: cpu ? round((logins.by_status["200"] ?? 0) / cpu, 2) : null },
    me_alone: { rate: meRate, ok: alone["2xx"], non2xx: alone.non2xx, ...latency(alone) },
    me_during: { rate: meRate, ok: me["2xx"], ...outcomes(me), ...latency(me) },
    server_cpu_s: cpu,
    other_cpu_cores: otherCpu(before, after),
  };
  console.log(
    `  logins: ${logins.ok_per_s}/s answered 200 (p50 ${logins.ok_p50_ms} ms, p99 ${logins.ok_p99_ms} ms), ` +
      `${round((logins.shed_share ?? 0) * 100, 1)} % shed with 503 (p50 ${logins.shed_p50_ms} ms, p99 ${logins.shed_p99_ms} ms); ` +
      `${JSON.stringify(logins.by_status)}`,
  );
  console.log(
    `  users/me at ${meRate} req/s: p99 ${result.me_during.p99_ms} ms during the overload, ${result.me_alone.p99_ms} ms alone ` +
      `(p50 ${result.me_during.p50_ms} vs ${result.me_alone.p50_ms} ms); other CPU ${result.other_cpu_cores} cores`,
  );
  return result;
}

/** Runs whichever of --soak and --overload was asked for on one default server; writes the JSON. */
export async function runFaultScenarios(adminPassword: string) {
  const startedAt = new Date();
  const s = await startOurs("ours_n", cores, adminPassword);
  console.log(`${s.label}: ${s.url} (BCRYPT_COST=${BCRYPT_COST})`);
  const rssAtStart = rssMiB(s);
  const report = {
    started_at: startedAt.toISOString(),
    git: gitInfo(),
    machine: describeMachine(),
    server: s.label,
    bcrypt_cost: BCRYPT_COST,
    rss_mib_at_start: rssAtStart,
    soak: flag("soak") ? await soak(s, adminPassword) : null,
    overload: flag("overload") ? await overload(s, adminPassword) : null,
  };
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `faults-${report.started_at.replace(/[:.]/g, "-")}.json`);
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nWrote ${file}`);
}
