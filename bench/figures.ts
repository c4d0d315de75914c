/**
 * Phase 3 of `npm run bench`: from the raw phases to figures. Each server's rounds combined per route,
 * the ratios (every one between two figures of this same run, never against an earlier run), and the
 * targets they are held to.
 */
import { cores } from "./options";
import { combine, median, type Compared, type Summary } from "./measure";
import { ratio, round } from "./numbers";
import type { Measurements, RouteKey } from "./scenarios";

export type Target = { name: string; value: number; limit: number; detail: string; pass: boolean };

export type Figures = Combined & { targets: Target[] };
type Combined = ReturnType<typeof combineAll>;

export function computeFigures(m: Measurements): Figures {
  const combined = combineAll(m);
  return { ...combined, targets: targets(m, combined) };
}

/** Each server's rounds per route combined, the hash times' medians, the ratios. */
function combineAll(m: Measurements) {
  const byServer = Object.fromEntries(
    Object.entries(m.comparison).map(([key, routes]) => [key, { trivial: combine(routes.trivial), me: combine(routes.me) }]),
  ) as Record<string, Record<RouteKey, Compared>>;
  const combineEach = (byKey: Record<string, Summary[]>) =>
    Object.fromEntries(Object.entries(byKey).map(([key, rounds]) => [key, combine(rounds)]));
  const sameLoadCompared = combineEach(m.sameLoad);
  const perProcessCompared = combineEach(m.samePerProcess);
  const authCompared = { trivial: combine(m.authCost.trivial), me: combine(m.authCost.me) };
  const hashMedianMs = median(m.hash.ms);
  const hashAllCoresMedianMs = median(m.hash.allCoresMs);
  const allPhases = [
    ...Object.values(m.results),
    ...Object.values(m.comparison).flatMap((r) => [...r.trivial, ...r.me]),
    ...Object.values(m.sameLoad).flat(),
    ...Object.values(m.samePerProcess).flat(),
    ...m.authCost.trivial,
    ...m.authCost.me,
  ];
  return {
    byServer,
    sameLoadCompared,
    perProcessCompared,
    authCompared,
    comparisonRatios: comparisonRatios(byServer, sameLoadCompared, perProcessCompared, authCompared),
    hashMedianMs,
    hashAllCoresMedianMs,
    /** The most logins per second the cores can hash: cores ÷ one hash's time while every core hashes. */
    loginCeiling: cores / (hashAllCoresMedianMs / 1000),
    allPhases,
    failures: allPhases.filter((r) => r.non2xx + r.errors > 0),
  };
}

/** Requests per server CPU-second (`perCpu`) or per second (`rps`) of one server on one route. */
const perCpuOf = (byServer: Record<string, Record<RouteKey, Compared>>) => (key: string, route: RouteKey) =>
  byServer[key]?.[route].rps_per_server_cpu_s;
const rpsOf = (byServer: Record<string, Record<RouteKey, Compared>>) => (key: string, route: RouteKey) => byServer[key]?.[route].rps;

function comparisonRatios(
  byServer: Record<string, Record<RouteKey, Compared>>,
  sameLoadCompared: Record<string, Compared>,
  perProcessCompared: Record<string, Compared>,
  authCompared: Record<RouteKey, Compared>,
) {
  const perCpu = perCpuOf(byServer);
  const rps = rpsOf(byServer);
  return {
    me_over_trivial_per_cpu_ours_1_alternating: ratio(authCompared.me.rps_per_server_cpu_s, authCompared.trivial.rps_per_server_cpu_s),
    me_per_cpu_same_load_per_process_ours_n_over_ours_1: ratio(
      perProcessCompared.ours_n?.rps_per_server_cpu_s,
      perProcessCompared.ours_1?.rps_per_server_cpu_s,
    ),
    me_per_cpu_same_load_ours_n_over_ours_1: ratio(
      sameLoadCompared.ours_n?.rps_per_server_cpu_s,
      sameLoadCompared.ours_1?.rps_per_server_cpu_s,
    ),
    me_per_cpu_ours_1_over_reference_1: ratio(perCpu("ours_1", "me"), perCpu("ref_1", "me")),
    me_per_cpu_ours_n_over_reference_n: ratio(perCpu("ours_n", "me"), perCpu("ref_n", "me")),
    trivial_per_cpu_ours_1_over_reference_1: ratio(perCpu("ours_1", "trivial"), perCpu("ref_1", "trivial")),
    me_per_cpu_ours_n_over_ours_1: ratio(perCpu("ours_n", "me"), perCpu("ours_1", "me")),
    trivial_per_cpu_ours_n_over_ours_1: ratio(perCpu("ours_n", "trivial"), perCpu("ours_1", "trivial")),
    me_per_cpu_reference_n_over_reference_1: ratio(perCpu("ref_n", "me"), perCpu("ref_1", "me")),
    me_rps_ours_n_over_ours_1: ratio(rps("ours_n", "me"), rps("ours_1", "me")),
    me_rps_reference_n_over_reference_1: ratio(rps("ref_n", "me"), rps("ref_1", "me")),
    me_over_trivial_rps_ours_1: ratio(rps("ours_1", "me"), rps("ours_1", "trivial")),
    me_over_trivial_rps_ours_n: ratio(rps("ours_n", "me"), rps("ours_n", "trivial")),
    me_over_trivial_per_cpu_ours_1: ratio(perCpu("ours_1", "me"), perCpu("ours_1", "trivial")),
    me_over_trivial_per_cpu_ours_n: ratio(perCpu("ours_n", "me"), perCpu("ours_n", "trivial")),
    me_over_trivial_rps_reference_1: ratio(rps("ref_1", "me"), rps("ref_1", "trivial")),
  };
}

/** The targets, each a ratio from this one run. */
const targets = (m: Measurements, f: Combined): Target[] => [...ownTargets(m, f), ...comparedTargets(m, f)];

/** Auth cost, latency under logins, login throughput: always measured. */
function ownTargets(m: Measurements, f: Combined): Target[] {
  const { trivial, me, login, meUnderLogin } = m.results as Record<"trivial" | "me" | "login" | "meUnderLogin", Summary>;
  const r = f.comparisonRatios;
  const loginTarget = 0.9 * f.loginCeiling;
  return [
    {
      // Per CPU-second of the one-process server, the two routes alternating: what a request costs, which a
      // shared machine's changing load does not move the way it moves req/s.
      name: "users/me ≥ 95% of the trivial route, per server CPU-second (1 process, alternating)",
      value: r.me_over_trivial_per_cpu_ours_1_alternating ?? 0,
      limit: 0.95,
      detail:
        `${f.authCompared.me.rps_per_server_cpu_s} vs ${f.authCompared.trivial.rps_per_server_cpu_s} req/CPU-s ` +
        `(in the interleaved comparison: ${r.me_over_trivial_per_cpu_ours_1}; ${cores} processes alone, req/s: ${me.rps} vs ${trivial.rps})`,
      pass: (r.me_over_trivial_per_cpu_ours_1_alternating ?? 0) >= 0.95,
    },
    {
      name: "users/me p99 under logins ≤ 2 × idle p99 + 10 ms",
      value: meUnderLogin.latency_ms.p99,
      limit: 2 * me.latency_ms.p99 + 10,
      detail: `${meUnderLogin.latency_ms.p99} ms vs idle ${me.latency_ms.p99} ms (ratio ${round(meUnderLogin.latency_ms.p99 / me.latency_ms.p99)})`,
      pass: meUnderLogin.latency_ms.p99 <= 2 * me.latency_ms.p99 + 10,
    },
    {
      name: "login rps ≥ 90% of cores / one hash (every core hashing)",
      value: round(login.rps / f.loginCeiling, 3),
      limit: 0.9,
      detail:
        `${login.rps} req/s vs ${cores} cores / ${round(f.hashAllCoresMedianMs, 1)} ms = ${round(f.loginCeiling, 2)} req/s ` +
        `(target ${round(loginTarget, 2)}; against one hash on an otherwise idle machine, ${round(f.hashMedianMs, 1)} ms: ` +
        `${round(login.rps / (cores / (f.hashMedianMs / 1000)), 3)})`,
      pass: login.rps >= loginTarget,
    },
  ];
}

/** N processes against one, and ours against the reference: only when those servers ran. */
function comparedTargets(m: Measurements, f: Combined): Target[] {
  const r = f.comparisonRatios;
  const perCpu = perCpuOf(f.byServer);
  const list: Target[] = [];
  const nVsOne = r.me_per_cpu_same_load_per_process_ours_n_over_ours_1;
  if (nVsOne !== null) {
    list.push({
      name: `${cores} processes keep ≥ 90% of one process's users/me per CPU-second, each process offered the same load`,
      value: nVsOne,
      limit: 0.9,
      detail:
        `${f.perProcessCompared.ours_n!.rps_per_server_cpu_s} vs ${f.perProcessCompared.ours_1!.rps_per_server_cpu_s} req/CPU-s at ${m.perProcessRate} req/s per process ` +
        `(both offered ${m.sameLoadRate} req/s in all: ${r.me_per_cpu_same_load_ours_n_over_ours_1}; ` +
        `each saturated: ${r.me_per_cpu_ours_n_over_ours_1})`,
      pass: nVsOne >= 0.9,
    });
  }
  const vsPeer = r.me_per_cpu_ours_1_over_reference_1;
  if (vsPeer !== null) {
    list.push({
      name: "users/me per server CPU-second ≥ 50% of the reference's (1 process each)",
      value: vsPeer,
      limit: 0.5,
      detail: `${perCpu("ours_1", "me")} vs ${perCpu("ref_1", "me")} req/CPU-s`,
      pass: vsPeer >= 0.5,
    });
  }
  return list;
}
