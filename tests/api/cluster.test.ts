/**
 * `npm start` with several server processes on one port (WEB_CONCURRENCY=2, scripts/cluster.mjs):
 * both serve, a revocation holds on every one at once, concurrent sign-ups and sign-ins all land, a
 * killed process is replaced while the others keep answering, and SIGTERM drains the whole group.
 *
 * Which process served a connection is read from /proc (the open sockets on the server's port of
 * each server process), so the production server needs no header or log line for it.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { after, before, test } from "node:test";
import { appConnections } from "../helpers/postgres";
import { connectionsOnPort, groupProcesses } from "../helpers/processes";
import { adminToken, DATABASE, login, signup, startServer, uniqueEmail, type Server } from "../helpers/server";


const WORKERS = 2;
let server: Server;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, check: () => boolean, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${server.output()}`);
    await sleep(50);
  }
}

/** The server processes (scripts/serve.mjs) of the running group. */
function serverProcesses() {
  return groupProcesses(server.pid()!).filter((p) => /scripts\/serve\.mjs/.test(p.command));
}

type Reply = { status: number; body: string };

/** Asserts a status, showing the servers' log when it differs (a 500's cause is logged there, not answered). */
function expectStatus(r: { status: number; text: string }, status: number) {
  assert.equal(r.status, status, r.status === status ? "" : `${r.text}\n--- server log (last 4000 characters):\n${server.output().slice(-4000)}`);
}

/** A GET over `agent` (node:http, so the connections it keeps open can be found in /proc). */
function get(agent: http.Agent, p: string, token?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${server.url}${p}`,
      { agent, headers: token ? { authorization: `Bearer ${token}` } : {} },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on("error", reject);
  });
}

/** `count` requests at once over as many kept-alive connections; the connections each process holds. */
async function burst(p: string, count: number, token?: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: count });
  try {
    const replies = await Promise.all(Array.from({ length: count }, () => get(agent, p, token)));
    const pids = serverProcesses().map((proc) => proc.pid);
    const perProcess = pids.map((pid) => connectionsOnPort(pid, server.port));
    return { replies, pids, perProcess };
  } finally {
    agent.destroy();
  }
}

before(async () => {
  server = await startServer({ WEB_CONCURRENCY: String(WORKERS) });
  await waitFor("every server process to listen", () => /2 server processes listening/.test(server.output()));
  // The start banner comes after the first answer to /api/health, a moment after the server counts as up.
  await waitFor("the start banner", () => /Ready: /.test(server.output()));
});
after(() => server?.close());

test("WEB_CONCURRENCY=2 runs two server processes, each serving its share of the connections", async () => {
  assert.match(server.output(), /2 server processes \(WEB_CONCURRENCY; one per core by default\)/);
  // Their bcrypt threads together are the cores (each process's pool has its share).
  assert.match(server.output(), /\d+ bcrypt threads? in all \(\d+ \+ \d+\)/);
  assert.equal(serverProcesses().length, WORKERS, JSON.stringify(groupProcesses(server.pid()!)));

  const { replies, perProcess } = await burst("/api/health", 12);
  assert.ok(replies.every((r) => r.status === 200), JSON.stringify(replies));
  assert.equal(perProcess.length, WORKERS);
  assert.ok(perProcess.every((n) => n > 0), `connections per server process: ${perProcess.join(", ")}`);
});

test("a revoked token is refused at once by every server process", async () => {
  const email = uniqueEmail("cluster-revoke");
  await signup(server, email, "password-cluster-1");
  const token = await login(server, email, "password-cluster-1");
  const accepted = await burst("/api/v1/users/me", 12, token);
  assert.ok(accepted.replies.every((r) => r.status === 200), JSON.stringify(accepted.replies));
  assert.ok(accepted.perProcess.every((n) => n > 0), `connections: ${accepted.perProcess.join(", ")}`);

  const logout = await server.api("/api/v1/logout", { method: "POST", token });
  assert.equal(logout.status, 200, logout.text);
  const refused = await burst("/api/v1/users/me", 12, token);
  assert.ok(refused.perProcess.every((n) => n > 0), `connections: ${refused.perProcess.join(", ")}`);
  for (const r of refused.replies) {
    assert.equal(r.status, 401, r.body);
    assert.equal(JSON.parse(r.body).reason, "revoked");
  }
});

test("concurrent sign-ups and sign-ins on both processes all land", async () => {
  const password = "password-cluster-2";
  const emails = Array.from({ length: 16 }, () => uniqueEmail("cluster-many"));
  const signups = await Promise.all(
    emails.map((email) => server.api("/api/v1/users/signup", { method: "POST", json: { email, password } })),
  );
  for (const r of signups) expectStatus(r, 201);
  const logins = await Promise.all(
    emails.flatMap((email) =>
      [1, 2].map(() =>
        server.api("/api/v1/login/access-token", { method: "POST", form: { username: email, password } }),
      ),
    ),
  );
  for (const r of logins) expectStatus(r, 200);

  // Transactions (a password change revokes the other tokens) meet plain writes from the other process.
  const mixed = await Promise.all([
    ...emails.slice(0, 8).map((_, i) =>
      server.api("/api/v1/users/me/password", {
        method: "PATCH",
        token: logins[2 * i]!.body.access_token,
        json: { current_password: password, new_password: `${password}-new` },
      }),
    ),
    ...emails.slice(8).map((email) =>
      server.api("/api/v1/login/access-token", { method: "POST", form: { username: email, password } }),
    ),
  ]);
  for (const r of mixed) expectStatus(r, 200);

  // Every account, token and revocation was written.
  const admin = await adminToken(server);
  const users = await server.api("/api/v1/users?limit=1000", { token: admin });
  assert.equal(users.status, 200, users.text);
  const listed = new Set((users.body.data as { email: string }[]).map((u) => u.email));
  for (const email of emails) assert.ok(listed.has(email), `${email} was lost`);
  for (const [i, email] of emails.entries()) {
    // The first 8 kept only the token that changed the password; the others have three sign-ins.
    const sessions = await server.api("/api/v1/sessions", { token: logins[2 * i]!.body.access_token });
    assert.equal(sessions.status, 200, sessions.text);
    assert.equal(sessions.body.count, i < 8 ? 1 : 3, `${email}: ${sessions.text}`);
  }
});

test("a killed server process is logged and replaced; the others keep answering", async () => {
  const [victim, survivor] = serverProcesses();
  assert.ok(victim && survivor);
  process.kill(victim.pid, "SIGKILL");
  await waitFor("the exit to be logged", () => new RegExp(`\\(pid ${victim.pid}\\) exited with signal SIGKILL`).test(server.output()));
  assert.match(server.output(), new RegExp(`\\(pid ${victim.pid}\\) exited with signal SIGKILL after [\\d.]+ s; starting a replacement in`));

  const meanwhile = await burst("/api/health", 8);
  assert.ok(meanwhile.replies.every((r) => r.status === 200), JSON.stringify(meanwhile.replies));

  await waitFor("the replacement to listen", () => /Server process \d replaced \(pid \d+\), listening\./.test(server.output()));
  const now = serverProcesses().map((p) => p.pid);
  assert.equal(now.length, WORKERS);
  assert.ok(!now.includes(victim.pid) && now.includes(survivor.pid), `server processes now: ${now.join(", ")}`);
  // "Listening" is logged before the replacement takes its first connection; on a loaded machine the
  // survivor can take a whole burst before it does. So bursts go on until each process, the replacement
  // too, has been seen serving one (every answer a 200), within a bounded time.
  const seen = new Map(now.map((pid) => [pid, 0]));
  const deadline = Date.now() + 30_000;
  while ([...seen.values()].some((n) => n === 0)) {
    assert.ok(Date.now() < deadline, `after 30 s of bursts, connections per server process: ${JSON.stringify([...seen])}`);
    const after = await burst("/api/health", 12);
    assert.ok(after.replies.every((r) => r.status === 200), JSON.stringify(after.replies));
    assert.deepEqual(after.pids.toSorted(), now.toSorted(), "no further process was replaced");
    after.pids.forEach((pid, i) => seen.set(pid, seen.get(pid)! + after.perProcess[i]!));
  }
});

test("SIGTERM drains every server process: the in-flight request finishes, each closes its database, exit 0", async () => {
  // A slow hash (about a second per sign-in) keeps a login in flight while the signal arrives.
  await server.restart({ WEB_CONCURRENCY: String(WORKERS), BCRYPT_COST: "14" });
  await waitFor("every server process to listen", () => (server.output().match(/2 server processes listening/g) ?? []).length === 2);
  const email = uniqueEmail("cluster-stop");
  await signup(server, email, "password-cluster-3");
  // Every process opens its database on its first request. Requests over one kept-alive connection all
  // reach one process (the CI run on PostgreSQL once saw the other stop with no database to close), so
  // reach both over fresh connections first.
  const warm = await burst("/api/health", 12);
  assert.ok(warm.perProcess.every((n) => n > 0), `connections per server process: ${warm.perProcess.join(", ")}`);
  const before = server.output().length;

  const inFlight = server.api("/api/v1/login/access-token", {
    method: "POST",
    form: { username: email, password: "password-cluster-3" },
  });
  await sleep(150);
  const exitCode = await server.signal("SIGTERM");
  const signedIn = await inFlight;
  const output = server.output().slice(before);

  assert.equal(signedIn.status, 200, signedIn.text);
  assert.equal(exitCode, 0, output);
  assert.equal((output.match(/SIGTERM: shutting down, finishing \d+ in-flight request/g) ?? []).length, WORKERS, output);
  assert.match(output, /SIGTERM: shutting down, finishing 1 in-flight request/);
  assert.equal((output.match(/Stopped \([^)]*close database\)\./g) ?? []).length, WORKERS, output);
  assert.match(output, /Stopped: 2 of 2 server processes drained and exited cleanly\./);
  assert.doesNotMatch(output, /replacement/, "nothing was restarted during the stop");

  await assert.rejects(fetch(`${server.url}/api/health`), "nothing listens any more");
  if (DATABASE === "postgresql") {
    assert.equal(await appConnections(server.databaseUrl!), 0, "every pooled connection was closed");
  } else {
    assert.ok(!fs.existsSync(path.join(server.dataDir, "app.db-wal")), "the last connection checkpointed the WAL");
  }
});
