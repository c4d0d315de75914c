/**
 * Phase 2 of `npm run bench`: the load, with autocannon from this process, in this order:
 *
 *   warm-up     every server, every route, until V8 has optimized ours (the reference: a few seconds)
 *   comparison  the trivial route and users/me on each server, in interleaved rounds
 *   same load   users/me on ours with 1 and with N processes below saturation
 *   auth cost   users/me and the trivial route alternating on ours with 1 process, nothing in between
 *   alone       the default server (one process per core): the trivial route, users/me, logins against
 *               the bcrypt ceiling, and users/me while clients keep logging in
 *
 * Each returns raw phase summaries (bench/measure.ts); bench/figures.ts turns them into ratios.
 */
import type autocannon from "autocannon";
import { cores, BCRYPT_COST, connections, LOGIN_CLIENTS_DURING_ME, loginConnections, phase } from "./options";
import { combine, cpuSnapshot, hashTimes, hashTimesOnEveryCore, measure, otherCpu, summarizePhase, type Summary } from "./measure";
import { load, loginForm, sleep } from "./servers";
import type { Fleet, Server } from "./setup";

/** The reference has no liveness route; its /api/health is as trivial (it touches no database). */
export const ROUTES = [
  { key: "trivial", path: "/api/health/live", referencePath: "/api/health", label: "trivial route" },
  { key: "me", path: "/api/v1/users/me", referencePath: "/api/v1/users/me", label: "users/me" },
] as const;
export type RouteKey = (typeof ROUTES)[number]["key"];
/** Where a route lives on this server: the reference spells the trivial one differently. */
export const routePath = (s: Server, route: (typeof ROUTES)[number]) => (s.reference ? route.referencePath : route.path);

/** Everything the load phases measured, raw. */
export type Measurements = {
  /** the default server alone: trivial, me, login, meUnderLogin, loginDuringMe */
  results: Record<string, Summary>;
  /** per server key and route, one summary per round */
  comparison: Record<string, Record<RouteKey, Summary[]>>;
  /** users/me at one total rate, per server key */
  sameLoad: Record<string, Summary[]>;
  /** users/me at one rate per process, per server key */
  samePerProcess: Record<string, Summary[]>;
  authCost: Record<RouteKey, Summary[]>;
  sameLoadRate: number | null;
  perProcessRate: number | null;
  hash: { ms: number[]; allCoresMs: number[]; otherCpu: number | null };
};

const request = (s: Server, route: RouteKey): autocannon.Options => ({
  url: `${s.url}${routePath(s, ROUTES.find((r) => r.key === route)!)}`,
  connections,
  headers: route === "me" ? { authorization: `Bearer ${s.token}` } : {},
});

export async function runScenarios(fleet: Fleet): Promise<Measurements> {
  const m: Measurements = {
    results: {},
    comparison: {},
    sameLoad: {},
    samePerProcess: {},
    authCost: { trivial: [], me: [] },
    sameLoadRate: null,
    perProcessRate: null,
    hash: { ms: [], allCoresMs: [], otherCpu: null },
  };
  await warmUp(fleet);
  await compare(fleet, m);
  await belowSaturation(fleet, m);
  await authCost(fleet, m);
  await defaultServerAlone(fleet, m);
  return m;
}

async function warmUp(fleet: Fleet) {
  console.log(
    `Warming up every server: ours with ${phase.warmupRequestsPerProcess} requests per process and route, ` +
      `the reference for ${phase.warmup} s per route…`,
  );
  for (const s of fleet.compared) {
    for (const { key } of ROUTES) {
      const amount = s.reference ? { duration: phase.warmup } : { amount: phase.warmupRequestsPerProcess * s.workers };
      await load({ ...request(s, key), ...amount }).done;
    }
  }
}

/**
 * Interleaved: a change in the machine's load during the run touches every server alike. A server's
 * two routes run back to back (their ratio is what auth costs), and every other round runs in the
 * reverse order (servers and routes), so that a steady drift in the machine's speed cancels out.
 */
async function compare(fleet: Fleet, m: Measurements) {
  for (let r = 1; r <= phase.compareRounds; r++) {
    console.log(`Comparison round ${r} of ${phase.compareRounds} (${phase.compare} s per server and route)…`);
    const reverse = r % 2 === 0;
    for (const s of reverse ? [...fleet.compared].reverse() : fleet.compared) {
      for (const { key, label } of reverse ? [...ROUTES].reverse() : ROUTES) {
        const options = { ...request(s, key), duration: phase.compare };
        const summary = await measure(fleet.all, s, `${s.label}: ${label}`, "GET", options, phase.leadIn);
        ((m.comparison[s.key] ??= { trivial: [], me: [] })[key]).push(summary);
      }
    }
  }
}

/**
 * Below saturation, on one process and on N. Saturated, N processes share the cores with the load
 * generator, so their requests per CPU-second fall whatever the cluster does. What running N
 * processes costs (contention for the database, more processes to schedule) shows when each process is
 * offered the same load: one process at a rate it serves with room to spare, N processes at N times
 * it. At one total rate instead, each of the N processes idles more and batches fewer requests per
 * event-loop turn, which costs CPU per request too; that figure is shown beside it.
 */
async function belowSaturation(fleet: Fleet, m: Measurements) {
  const { ours1, oursN } = fleet;
  const oneProcessRps = combine(m.comparison.ours_1!.me).rps;
  const sameRate = (m.sameLoadRate = Math.max(50, Math.round(0.6 * oneProcessRps)));
  const eachRate = (m.perProcessRate = Math.max(50, Math.round(0.45 * oneProcessRps)));
  console.log(
    `users/me below saturation (${phase.compareRounds} rounds): ${eachRate} req/s per process on 1 and ${cores} processes, ` +
      `and ${sameRate} req/s in all on each…`,
  );
  for (let r = 1; r <= phase.compareRounds; r++) {
    for (const s of r % 2 ? [ours1, oursN] : [oursN, ours1]) {
      for (const [rounds, rate] of [[m.samePerProcess, eachRate * s.workers], [m.sameLoad, sameRate]] as const) {
        const options = { ...request(s, "me"), duration: phase.compare, overallRate: rate };
        (rounds[s.key] ??= []).push(await measure(fleet.all, s, `${s.label}: users/me at ${rate} req/s`, "GET", options, phase.leadIn));
      }
    }
  }
}

/**
 * What authentication costs: the trivial route and users/me on one process, alternating back to back
 * (every other round in reverse order) with no other server measured in between. The target is a
 * same-server ratio; in the interleaved comparison each window follows 20 s or more in which the
 * server idled.
 */
async function authCost(fleet: Fleet, m: Measurements) {
  const { ours1 } = fleet;
  console.log(`Auth cost: users/me and the trivial route alternating on ${ours1.label} (${phase.compareRounds} rounds)…`);
  for (let r = 1; r <= phase.compareRounds; r++) {
    for (const { key, label } of r % 2 ? ROUTES : [...ROUTES].reverse()) {
      const options = { ...request(ours1, key), duration: phase.compare };
      m.authCost[key].push(await measure(fleet.all, ours1, `${ours1.label}: ${label}, alternating`, "GET", options));
    }
  }
}

/**
 * The default server (npm start: one process per core) alone: the framework's ceiling (the trivial
 * route), users/me, logins against the bcrypt ceiling, and users/me while clients keep logging in.
 */
async function defaultServerAlone(fleet: Fleet, m: Measurements) {
  const s = fleet.oursN;
  const loginUrl = `${s.url}/api/v1/login/access-token`;
  const loginRequest = loginForm("admin@example.com", fleet.adminPassword);
  await load({ url: loginUrl, connections: loginConnections, amount: loginConnections * 2, ...loginRequest }).done;
  const phaseOn = async (key: string, label: string, method: "GET" | "POST", options: autocannon.Options) => {
    console.log(`${s.label}: ${method} ${new URL(options.url as string).pathname}, ${options.connections} connections, ${options.duration} s…`);
    m.results[key] = await measure(fleet.all, s, label, method, options);
  };
  await phaseOn("trivial", "trivial route", "GET", { ...request(s, "trivial"), duration: phase.trivial });
  await phaseOn("me", "users/me", "GET", { ...request(s, "me"), duration: phase.me });

  console.log(`One bcrypt hash at cost ${BCRYPT_COST} in this process (5 samples)…`);
  const beforeHash = cpuSnapshot(fleet.all);
  m.hash.ms = hashTimes(5);
  m.hash.otherCpu = otherCpu(beforeHash, cpuSnapshot(fleet.all));

  // The ceiling, just before and just after the logins: the machine's speed drifts over minutes.
  console.log(`One bcrypt hash at cost ${BCRYPT_COST} on each of the ${cores} cores at once, before and after the logins…`);
  m.hash.allCoresMs.push(...(await hashTimesOnEveryCore(3)));
  await phaseOn("login", "login", "POST", { url: loginUrl, connections: loginConnections, duration: phase.login, ...loginRequest });
  m.hash.allCoresMs.push(...(await hashTimesOnEveryCore(3)));

  console.log(`While ${LOGIN_CLIENTS_DURING_ME} clients keep logging in:`);
  const logins = load({ url: loginUrl, connections: LOGIN_CLIENTS_DURING_ME, duration: 3600, ...loginRequest });
  await sleep(phase.mixedLead * 1000); // every login client is waiting on a hash by now
  await phaseOn("meUnderLogin", "users/me + 4 logins", "GET", { ...request(s, "me"), duration: phase.mixed });
  logins.stop();
  m.results.loginDuringMe = summarizePhase(
    "  (those logins)",
    "POST",
    "/api/v1/login/access-token",
    await logins.done,
    m.results.meUnderLogin!.other_cpu_cores,
  );
}
