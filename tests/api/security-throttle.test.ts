/**
 * Brute-force throttling, over HTTP against a production server: 429 with Retry-After after the limit,
 * the exponential delay, the right user signing in after the wait, the same counter for the token
 * endpoint and the Auth.js Credentials sign-in, the IP limit, and a counter that survives a restart.
 * The delays are shortened through LOGIN_THROTTLE_BASE_DELAY_SECONDS; the limits are the defaults.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { credentialsSignIn as signInWithCredentials } from "../helpers/authjs";
import { signup, startServer, uniqueEmail, type ApiResponse, type Server, keepProductionBcryptCost } from "../helpers/server";

// bcrypt at cost 10, not the suite's 4 (tests/helpers/server.ts): its bursts of concurrent password checks
// must overlap as long as real ones do.
keepProductionBcryptCost();

const TOKEN_URL = "/api/v1/login/access-token";
const PASSWORD = "throttle-test-password";
const BASE_DELAY = 2;

let server: Server;
before(async () => {
  // The tests play clients behind a proxy on 127.0.0.1, each with an address of its own.
  server = await startServer({
    LOGIN_THROTTLE_BASE_DELAY_SECONDS: String(BASE_DELAY),
    LOGIN_THROTTLE_IP_FAILURES: "30",
    TRUST_PROXY: "loopback",
  });
});
after(() => server?.close());

let ipCounter = 1;
/** A client address of its own per test (X-Forwarded-For from the trusted "proxy"), so the IP limit of one test
 * does not spill into another. */
const newIp = () => `198.51.100.${ipCounter++}`;

function tokenLogin(email: string, password: string, ip: string, on: Server = server) {
  return on.api(TOKEN_URL, { method: "POST", form: { username: email, password }, headers: { "x-forwarded-for": ip } });
}

async function fail(email: string, ip: string, times: number) {
  for (let i = 0; i < times; i++) {
    const res = await tokenLogin(email, "wrong-password-123", ip);
    assert.equal(res.status, 400, `failure ${i + 1}: ${res.text}`);
  }
}

function assertThrottled(res: ApiResponse, maxSeconds: number, minSeconds = 1): number {
  assert.equal(res.status, 429, res.text);
  const retryAfter = Number(res.headers.get("retry-after"));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= minSeconds && retryAfter <= maxSeconds, `Retry-After ${retryAfter}`);
  assert.deepEqual(res.body, { detail: `Too many failed sign-in attempts. Try again in ${retryAfter} seconds.` });
  assert.match(res.headers.get("cache-control") ?? "", /no-store/);
  return retryAfter;
}

const sleep = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000 + 250));

const credentialsSignIn = (email: string, password: string, ip: string) => signInWithCredentials(server, email, password, ip);

describe("per account", () => {
  test("10 failures → 429 with Retry-After, even with the right password; after the wait the user signs in", async () => {
    const email = uniqueEmail("throttle");
    await signup(server, email, PASSWORD);
    const ip = newIp();
    await fail(email, ip, 10);
    assertThrottled(await tokenLogin(email, PASSWORD, ip), BASE_DELAY);
    // Another address does not help: the account is locked.
    const retryAfter = assertThrottled(await tokenLogin(email.toUpperCase(), PASSWORD, newIp()), BASE_DELAY);
    await sleep(retryAfter);
    const ok = await tokenLogin(email, PASSWORD, ip);
    assert.equal(ok.status, 200, ok.text);
    // The success ended the streak: the next failure is an ordinary 400, and so are nine more.
    await fail(email, ip, 9);
    assert.equal((await tokenLogin(email, PASSWORD, ip)).status, 200);
  });

  test("an unknown email is throttled the same way, and the delay doubles with each further failure", async () => {
    const email = uniqueEmail("nobody");
    const ip = newIp();
    await fail(email, ip, 10);
    const first = assertThrottled(await tokenLogin(email, "anything-at-all", ip), BASE_DELAY);
    await sleep(first);
    await fail(email, ip, 1); // the 11th failure
    assertThrottled(await tokenLogin(email, "anything-at-all", ip), BASE_DELAY * 2, BASE_DELAY + 1);
  });

  test("the Credentials sign-in is throttled by the same counter and shows the wait in its code", async () => {
    const email = uniqueEmail("browser");
    await signup(server, email, PASSWORD);
    const ip = newIp();
    assert.equal(await credentialsSignIn(email, "wrong-password-123", ip), "credentials");
    await fail(email, ip, 4);
    for (let i = 0; i < 5; i++) assert.equal(await credentialsSignIn(email, "wrong-password-123", ip), "credentials");
    // 10 failures, from both paths: both refuse now, the right password too.
    const code = await credentialsSignIn(email, PASSWORD, ip);
    const match = /^throttled:(\d+)$/.exec(code);
    assert.ok(match, `code ${code}`);
    assert.ok(Number(match[1]) >= 1 && Number(match[1]) <= BASE_DELAY);
    assertThrottled(await tokenLogin(email, PASSWORD, ip), BASE_DELAY);
    await sleep(Number(match[1]));
    assert.equal(await credentialsSignIn(email, PASSWORD, ip), "ok");
  });
});

describe("per client IP", () => {
  test("one address failing against many accounts is throttled after the IP limit (30 here)", async () => {
    const ip = newIp();
    for (let i = 0; i < 30; i++) await fail(uniqueEmail(`spray${i}`), ip, 1);
    const email = uniqueEmail("victim");
    await signup(server, email, PASSWORD);
    assertThrottled(await tokenLogin(email, PASSWORD, ip), BASE_DELAY);
    // Another address is not affected.
    assert.equal((await tokenLogin(email, PASSWORD, newIp())).status, 200);
  });
});

describe("concurrent guesses (the attempt is reserved before the password is checked)", () => {
  // A server of their own with a long delay: the password checks of a burst take longer than the tests'
  // usual 2-second lock, which must still be on when the right password comes.
  let burstServer: Server;
  before(async () => {
    burstServer = await startServer({
      LOGIN_THROTTLE_BASE_DELAY_SECONDS: "60",
      LOGIN_THROTTLE_IP_FAILURES: "30",
      // X-Forwarded-For names the client only from a trusted proxy (here the test itself, on loopback).
      TRUST_PROXY: "loopback",
    });
  });
  after(() => burstServer?.close());
  const login = (email: string, password: string, ip: string) => tokenLogin(email, password, ip, burstServer);

  const statuses = (responses: ApiResponse[]) => {
    const counts: Record<number, number> = {};
    for (const r of responses) counts[r.status] = (counts[r.status] ?? 0) + 1;
    return counts;
  };

  test("40 wrong passwords at once at one account: at most 10 are checked, then the right one gets 429", async () => {
    const email = uniqueEmail("burst");
    await signup(burstServer, email, PASSWORD);
    const ip = newIp();
    // From several addresses, so the per-IP limit plays no part.
    const burst = await Promise.all(
      Array.from({ length: 40 }, (_, i) => login(email, "wrong-password-123", i % 2 ? ip : newIp())),
    );
    const counts = statuses(burst);
    assert.deepEqual(Object.keys(counts).sort(), ["400", "429"], JSON.stringify(counts));
    assert.equal(counts[400], 10, `password checks run: ${JSON.stringify(counts)}`);
    assertThrottled(await login(email, PASSWORD, newIp()), 60);
  });

  test("40 wrong passwords at once from one address at 40 accounts: at most the IP limit (30) are checked", async () => {
    const ip = newIp();
    const burst = await Promise.all(
      Array.from({ length: 40 }, (_, i) => login(uniqueEmail(`ipburst${i}`), "wrong-password-123", ip)),
    );
    const counts = statuses(burst);
    assert.equal(counts[400], 30, `password checks run: ${JSON.stringify(counts)}`);
    assert.equal(counts[429], 10, JSON.stringify(counts));
    const email = uniqueEmail("ipburst-victim");
    await signup(burstServer, email, PASSWORD);
    assertThrottled(await login(email, PASSWORD, ip), 60);
  });

  test("the right password among concurrent wrong ones below the limit signs in", async () => {
    const email = uniqueEmail("mixed");
    await signup(burstServer, email, PASSWORD);
    const ip = newIp();
    const burst = await Promise.all([
      ...Array.from({ length: 5 }, () => login(email, "wrong-password-123", ip)),
      login(email, PASSWORD, ip),
    ]);
    assert.deepEqual(burst.map((r) => r.status), [400, 400, 400, 400, 400, 200], burst.map((r) => r.text).join("\n"));
  });
});

describe("persistence", () => {
  test("the counter survives a restart", async () => {
    const email = uniqueEmail("restart");
    await signup(server, email, PASSWORD);
    const ip = newIp();
    await fail(email, ip, 10);
    assertThrottled(await tokenLogin(email, PASSWORD, ip), BASE_DELAY);
    // Restarted with a 10-minute base delay: the 10 failures, read back from the database, lock the
    // account for 10 minutes from the last one (a fresh counter would let the right password through).
    await server.restart({ LOGIN_THROTTLE_BASE_DELAY_SECONDS: "600", LOGIN_THROTTLE_IP_FAILURES: "30", TRUST_PROXY: "loopback" });
    assertThrottled(await tokenLogin(email, PASSWORD, ip), 600, 500);
  });
});
