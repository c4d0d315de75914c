/**
 * A server process killed under load (issue 29, item 3): with two server processes behind one port
 * (WEB_CONCURRENCY=2, scripts/cluster.mjs) and a steady stream of requests, on fresh connections and on
 * kept-alive ones, one process after the other is SIGKILLed while it serves. Every request must then be
 * answered or refused promptly: a response, or a connection reset or refusal, within a few seconds.
 * None may hang. The replacements serve afterwards.
 *
 * With node:cluster's round-robin hand-off a connection the primary had passed to a process that was
 * dying was never answered nor closed: most storms of kills left one or more requests hanging for good.
 */
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, test } from "node:test";
import { connectionsOnPort, groupProcesses } from "../helpers/processes";
import { newUser, startServer, type Server } from "../helpers/server";

const WORKERS = 2;
const KILLS = 8;
/**
 * A request with neither an answer nor a connection error after this long hangs. A hang used to last
 * forever. Answers are slow here: each kill starts a replacement (a Next.js start, seconds of CPU) on a
 * machine the stream already saturates, and a fresh process answers its first requests only once it has
 * loaded their routes. Alone on the loaded 2-core machine the slowest answer took 4–7 s; with the
 * PostgreSQL pass of the suite running beside it, up to 10 s and more. So the bound is generous: what
 * it tells apart is an answer from none.
 */
const BOUND_MS = 30_000;
/** The kills stop after this long even if fewer were done (a very slow machine): the test stays bounded. */
const STORM_LIMIT_MS = 35_000;
/** What a client may meet on a connection its server process died with: refused or reset, nothing else. */
const CONNECTION_ERRORS = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE"]);

let server: Server;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, check: () => boolean, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${server.output()}`);
    await sleep(50);
  }
}

const serverProcesses = () => groupProcesses(server.pid()!).filter((p) => /scripts\/serve\.mjs/.test(p.command));

/** The server processes holding at least one of the clients' connections: those that are serving. */
function servingProcesses() {
  return serverProcesses().filter((p) => {
    try {
      return connectionsOnPort(p.pid, server.port) > 0;
    } catch {
      return false; // gone meanwhile
    }
  });
}

type Outcome =
  | { kind: "answered"; status: number; ms: number }
  | { kind: "refused"; code: string; ms: number }
  | { kind: "hung"; path: string; keepAlive: boolean; sentAt: number };

/** One GET; settles with its outcome, a hang included (after BOUND_MS, when the request is abandoned). */
function request(p: string, agent: http.Agent | false, token?: string): Promise<Outcome> {
  const sentAt = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const req = http.get(
      `${server.url}${p}`,
      { agent, headers: token ? { authorization: `Bearer ${token}` } : {} },
      (res) => {
        res.resume();
        res.on("end", () => settle({ kind: "answered", status: res.statusCode!, ms: Date.now() - sentAt }));
        res.on("error", (e: NodeJS.ErrnoException) => settle({ kind: "refused", code: e.code ?? e.message, ms: Date.now() - sentAt }));
      },
    );
    req.on("error", (e: NodeJS.ErrnoException) => settle({ kind: "refused", code: e.code ?? e.message, ms: Date.now() - sentAt }));
    const timer = setTimeout(() => {
      settle({ kind: "hung", path: p, keepAlive: agent !== false, sentAt });
      req.destroy();
    }, BOUND_MS);
  });
}

/** "p50 N ms, p99 N ms, max N ms" */
function percentiles(ms: number[]) {
  const sorted = ms.toSorted((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return `p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${sorted.at(-1) ?? 0} ms`;
}

before(async () => {
  server = await startServer({ WEB_CONCURRENCY: String(WORKERS) });
  await waitFor("every server process to listen", () => /2 server processes listening/.test(server.output()));
});
after(() => server?.close());

test("SIGKILLs of serving processes under a stream of requests: every request answered or refused, none hangs", async () => {
  const { token } = await newUser(server, "worker-kill");
  const outcomes: Outcome[] = [];
  const kills: number[] = [];
  const bursts: Promise<unknown>[] = [];
  let streaming = true;
  const stream = async (p: string, agent: http.Agent | false, auth?: string) => {
    while (streaming) outcomes.push(await request(p, agent, auth));
  };
  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 2 });
  const streams = [
    // Fresh connections are what the cluster's primary hands to a process, one by one.
    ...Array.from({ length: 4 }, () => stream("/api/health/live", false)),
    ...Array.from({ length: 2 }, () => stream("/api/v1/users/me", false, token)),
    // Kept-alive connections already belong to a process: they die with it.
    ...Array.from({ length: 2 }, () => stream("/api/v1/users/me", keepAlive, token)),
  ];

  const stormStart = Date.now();
  try {
    while (kills.length < KILLS && Date.now() - stormStart < STORM_LIMIT_MS) {
      // Kill only while both processes serve (a killed one may linger in /proc for a moment), so that
      // connections are being handed to the victim and the other one can take them.
      const serving = () => servingProcesses().filter((p) => !kills.includes(p.pid));
      if (serving().length < WORKERS) {
        await sleep(50);
        continue;
      }
      await sleep(100 + Math.random() * 200);
      const both = serving();
      if (both.length < WORKERS) continue;
      const victim = both[kills.length % both.length]!;
      // A burst of fresh connections just before the kill: connections are on their way to the victim
      // as it dies (with node:cluster's round-robin, the primary has one in hand for it at almost any time).
      bursts.push(...Array.from({ length: 12 }, () => request("/api/health/live", false).then((o) => outcomes.push(o))));
      await sleep(5 + Math.random() * 25);
      try {
        process.kill(victim.pid, "SIGKILL");
        kills.push(victim.pid);
      } catch {
        // it died meanwhile
      }
    }
    await sleep(1_000); // the stream goes on past the last kill
  } finally {
    streaming = false;
    await Promise.all([...streams, ...bursts]);
    keepAlive.destroy();
  }

  const hung = outcomes.filter((o) => o.kind === "hung");
  const answered = outcomes.filter((o) => o.kind === "answered");
  const refused = outcomes.filter((o) => o.kind === "refused");
  const summary =
    `${kills.length} kills in ${((Date.now() - stormStart) / 1000).toFixed(1)} s; ${outcomes.length} requests: ` +
    `${answered.length} answered, ${refused.length} refused or reset ` +
    `(${Object.entries(Object.groupBy(refused, (o) => o.code)).map(([code, list]) => `${code} ${list!.length}`).join(", ")}), ` +
    `${hung.length} hung; settled in ${percentiles([...answered, ...refused].map((o) => o.ms))}, ` +
    `${[...answered, ...refused].filter((o) => o.ms > 10_000).length} after more than 10 s`;
  console.log(summary);

  // Three are plenty to catch the old hang (it left a request hanging in 10 of 11 kills); a machine so
  // busy that the replacements come slowly may not reach all of them in time.
  assert.ok(kills.length >= 3, `only ${kills.length} kills: ${summary}\n${server.output()}`);
  assert.equal(hung.length, 0, `requests with no answer and no error after ${BOUND_MS / 1000} s: ${JSON.stringify(hung)}; ${summary}`);
  for (const o of refused) assert.ok(CONNECTION_ERRORS.has(o.code), `unexpected client error ${o.code}: ${summary}`);
  for (const o of answered) assert.equal(o.status, 200, summary);
  assert.ok(answered.length > refused.length, `most requests are answered: ${summary}`);
  for (const pid of kills) assert.match(server.output(), new RegExp(`\\(pid ${pid}\\) exited with signal SIGKILL`));

  // The replacements serve: fresh connections until each of the two processes has been seen with one.
  await waitFor("two server processes", () => serverProcesses().length === WORKERS);
  const seen = new Set<number>();
  const deadline = Date.now() + 30_000;
  while (seen.size < WORKERS) {
    assert.ok(Date.now() < deadline, `after 30 s, server processes seen serving: ${[...seen].join(", ")}\n${server.output()}`);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const held = Array.from({ length: 8 }, () => request("/api/health/live", agent));
    const replies = await Promise.all(held);
    for (const r of replies) assert.equal(r.kind === "answered" && r.status, 200, JSON.stringify(r));
    for (const p of servingProcesses()) seen.add(p.pid);
    agent.destroy();
    for (const pid of seen) assert.ok(!kills.includes(pid), "a killed process cannot serve");
  }
});
