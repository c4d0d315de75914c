/**
 * Load shedding of password checks: with one bcrypt thread at a high cost and a short max wait, a flood
 * of logins is answered at once with 503 and Retry-After for what the thread cannot get through in time,
 * no login waits past a bound, and users/me (which never hashes) stays fast throughout.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { credentialsSignIn } from "../helpers/authjs";
import { newUser, startServer, type Server, keepProductionBcryptCost } from "../helpers/server";

// bcrypt at cost 10, not the suite's 4 (tests/helpers/server.ts): it sets its own cost (13) for slow checks;
// nothing here needs the test flag.
keepProductionBcryptCost();

const MAX_WAIT_SECONDS = 4;
const FLOOD = 40;
let server: Server;

before(async () => {
  server = await startServer({
    BCRYPT_COST: "13",
    BCRYPT_THREADS: "1",
    BCRYPT_QUEUE_MAX_WAIT_SECONDS: String(MAX_WAIT_SECONDS),
    // The flood is one account's correct password from one address: the brute-force limits are not the subject.
    LOGIN_THROTTLE_ACCOUNT_FAILURES: "1000",
    LOGIN_THROTTLE_IP_FAILURES: "100000",
  });
});
after(() => server?.close());

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work();
  return { value, ms: performance.now() - start };
}

test("a flood of logins past capacity: 503 with Retry-After at once, no wait past the bound, users/me stays fast", async () => {
  const { email, password, token } = await newUser(server, "flood");
  const login = () => server.api("/api/v1/login/access-token", { method: "POST", form: { username: email, password } });
  const me = () => server.api("/api/v1/users/me", { token });

  const oneLogin = await timed(login);
  assert.equal(oneLogin.value.status, 200, oneLogin.value.text);
  const idle: number[] = [];
  for (let i = 0; i < 10; i++) idle.push((await timed(me)).ms);

  let flooding = true;
  const during: number[] = [];
  const probe = (async () => {
    while (flooding) {
      const reply = await timed(me);
      assert.equal(reply.value.status, 200, reply.value.text);
      during.push(reply.ms);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const replies = await Promise.all(Array.from({ length: FLOOD }, () => timed(login)));
  flooding = false;
  await probe;

  const statuses = replies.map((r) => r.value.status);
  assert.deepEqual([...new Set(statuses)].sort(), [200, 503], `only successes and refusals: ${statuses.join(" ")}`);
  const shed = replies.filter((r) => r.value.status === 503);
  for (const r of shed) {
    assert.match(r.value.headers.get("retry-after") ?? "", /^[1-9]\d*$/);
    assert.match(r.value.body.detail, /busy checking passwords/);
  }
  // Past the queue's bound a login is refused on arrival, before any max wait could run out.
  const quickest = Math.min(...shed.map((r) => r.ms));
  assert.ok(quickest < MAX_WAIT_SECONDS * 1000, `the first refusal took ${quickest} ms`);
  // Nothing waits past the max wait plus the hash it then gets (and the time a busy machine adds).
  const bound = MAX_WAIT_SECONDS * 1000 + 3 * oneLogin.ms + 2000;
  const slowest = Math.max(...replies.map((r) => r.ms));
  assert.ok(slowest < bound, `a login took ${Math.round(slowest)} ms (bound ${Math.round(bound)} ms)`);

  // users/me never hashes: while the logins are shed, its median stays near idle.
  const idleMs = median(idle);
  const duringMs = median(during);
  assert.ok(during.length >= 5, `users/me was probed ${during.length} times`);
  assert.ok(duringMs < Math.max(5 * idleMs, 250), `users/me median ${Math.round(duringMs)} ms during the flood, ${Math.round(idleMs)} ms idle`);
  console.log(`login ${Math.round(oneLogin.ms)} ms alone; flood of ${FLOOD}: ${shed.length} shed, first after ${Math.round(quickest)} ms, slowest ${Math.round(slowest)} ms; users/me median ${Math.round(idleMs)} ms idle, ${Math.round(duringMs)} ms during`);

  // The shed logins withdrew their throttle reservations, and the thread serves logins again at once.
  const again = await login();
  assert.equal(again.status, 200, again.text);
});

test("a browser sign-in shed for load says how long to wait (busy:N), as the sign-in page shows it", async () => {
  const { email, password } = await newUser(server, "flood-browser");
  const login = () => server.api("/api/v1/login/access-token", { method: "POST", form: { username: email, password } });
  const flood = Promise.all(Array.from({ length: FLOOD }, login));
  await new Promise((r) => setTimeout(r, 300)); // the queue is full by now
  const code = await credentialsSignIn(server, email, password, "127.0.0.1");
  await flood;
  const match = /^busy:(\d+)$/.exec(code);
  assert.ok(match && Number(match[1]) >= 1, `the Credentials sign-in answered ${code}`);
  assert.equal(await credentialsSignIn(server, email, password, "127.0.0.1"), "ok", "and signs in once the queue drained");
});
