/**
 * What the audit trail and the throttle table keep, over HTTP against a production server and then
 * straight from its database: no password typed into the email field, on any sign-in path.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { credentialsSignIn } from "../helpers/authjs";
import { runSql } from "../helpers/database";
import { DATABASE, newUser, startServer, uniqueEmail, type Server, keepProductionBcryptCost } from "../helpers/server";

// bcrypt at cost 10, not the suite's 4 (tests/helpers/server.ts): its throttled bursts of concurrent password
// checks must overlap as long as real ones do.
keepProductionBcryptCost();

const TOKEN_URL = "/api/v1/login/access-token";
const ACCOUNT_FAILURES = 3;

let server: Server;
before(async () => {
  server = await startServer({
    LOGIN_THROTTLE_ACCOUNT_FAILURES: String(ACCOUNT_FAILURES),
    LOGIN_THROTTLE_BASE_DELAY_SECONDS: "60",
    // Each test is its own client (X-Forwarded-For), believed from a trusted proxy: the test, on loopback.
    TRUST_PROXY: "loopback",
  });
});
after(() => server?.close());

let ipCounter = 1;
const newIp = () => `192.0.2.${ipCounter++}`;

/** Every file of the SQLite database (the file, its WAL and shared memory), as one buffer. */
function sqliteBytes(): Buffer {
  const files = fs.readdirSync(server.dataDir).filter((f) => f.startsWith("app.db"));
  assert.ok(files.includes("app.db"), files.join(", "));
  return Buffer.concat(files.map((f) => fs.readFileSync(path.join(server.dataDir, f))));
}

describe("a password typed into the email field", () => {
  const SECRET = "MySecretPassw0rd!";

  test("is kept nowhere: token endpoint (form and JSON), Credentials sign-in, throttled attempts", async () => {
    const ip = newIp();
    const form = await server.api(TOKEN_URL, {
      method: "POST",
      form: { username: SECRET, password: "some-password-1" },
      headers: { "x-forwarded-for": ip },
    });
    assert.equal(form.status, 400, form.text);
    const json = await server.api(TOKEN_URL, {
      method: "POST",
      json: { username: SECRET, password: "some-password-2" },
      headers: { "x-forwarded-for": ip },
    });
    assert.equal(json.status, 400, json.text);
    assert.equal(await credentialsSignIn(server, SECRET, "some-password-3", ip), "credentials");
    // The same identifier is still throttled like any other (3 failures here), and its refusals are recorded too.
    const throttled = await server.api(TOKEN_URL, {
      method: "POST",
      form: { username: SECRET, password: "some-password-4" },
      headers: { "x-forwarded-for": ip },
    });
    assert.equal(throttled.status, 429, throttled.text);
    assert.match(await credentialsSignIn(server, SECRET, "some-password-5", ip), /^throttled:\d+$/);

    // Nothing in either table holds the string, in any case.
    const events = await runSql(server, `SELECT * FROM "auth_events" WHERE "ip" = ?`, [ip]);
    const throttles = await runSql(server, `SELECT * FROM "login_throttles"`);
    const stored = JSON.stringify([events, throttles]).toLowerCase();
    assert.ok(!stored.includes(SECRET.toLowerCase()), `the secret is stored: ${stored}`);
    if (DATABASE === "sqlite") {
      const bytes = sqliteBytes().toString("latin1").toLowerCase();
      assert.ok(!bytes.includes(SECRET.toLowerCase()), "the secret is somewhere in the database files");
    }
    // What is recorded instead: each attempt, without an email, flagged as not one.
    const types = events.map((e) => `${e.type}×${Number(e.count)}`).sort();
    assert.deepEqual(types, ["login_failure×1", "login_failure×1", "login_failure×1", "login_throttled×2"]);
    for (const e of events) {
      assert.equal(e.email, null);
      assert.ok(e.email_omitted === true || e.email_omitted === 1 || e.email_omitted === 1n, JSON.stringify(e, (_, v) => (typeof v === "bigint" ? Number(v) : v)));
    }
  });

  test("an email address is still recorded as given (normalized)", async () => {
    const ip = newIp();
    const email = uniqueEmail("Nobody");
    const res = await server.api(TOKEN_URL, {
      method: "POST",
      form: { username: ` ${email.toUpperCase()} `, password: "some-password-1" },
      headers: { "x-forwarded-for": ip },
    });
    assert.equal(res.status, 400, res.text);
    const events = await runSql(server, `SELECT "email", "email_omitted" FROM "auth_events" WHERE "ip" = ?`, [ip]);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.email, email.toLowerCase());
    assert.ok(!events[0]!.email_omitted);
  });
});

type Event = { type: string; method: string | null; count?: number };
async function eventsOf(token: string): Promise<Event[]> {
  const res = await server.api("/api/v1/users/me/events", { token });
  assert.equal(res.status, 200, res.text);
  return res.body.data as Event[];
}
const countOf = (events: Event[], type: string) =>
  events.filter((e) => e.type === type).reduce((n, e) => n + (e.count ?? 1), 0);

describe("PATCH /users/me/password checks the current password like a sign-in", () => {
  const PASSWORD_URL = "/api/v1/users/me/password";
  const change = (token: string, current: string, next: string, ip: string) =>
    server.api(PASSWORD_URL, {
      method: "PATCH",
      token,
      json: { current_password: current, new_password: next },
      headers: { "x-forwarded-for": ip },
    });

  test("wrong guesses count toward the account's throttle, then 429 (sign-in too), each one audited", async () => {
    const { email, password, token } = await newUser(server, "oracle");
    const ip = newIp();
    for (let i = 0; i < ACCOUNT_FAILURES; i++) {
      const res = await change(token, `wrong-guess-${i}-abc`, "a-brand-new-password-1", ip);
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.detail, "Incorrect password");
    }
    const right = await change(token, password, "a-brand-new-password-1", ip);
    assert.equal(right.status, 429, right.text);
    assert.ok(Number(right.headers.get("retry-after")) > 0);
    // The same counter as sign-in: the account is locked there too.
    const signIn = await server.api(TOKEN_URL, { method: "POST", form: { username: email, password }, headers: { "x-forwarded-for": newIp() } });
    assert.equal(signIn.status, 429, signIn.text);
    const events = await eventsOf(token);
    assert.equal(countOf(events, "password_check_failure"), ACCOUNT_FAILURES, JSON.stringify(events));
    assert.equal(countOf(events, "password_check_throttled"), 1, JSON.stringify(events));
    assert.equal(countOf(events, "password_changed"), 0);
  });

  test("the same password in both fields is refused before any check, whether it is right or not, and audited", async () => {
    const { password, token } = await newUser(server, "same");
    const ip = newIp();
    const right = await change(token, password, password, ip);
    const wrong = await change(token, "not-my-password-9", "not-my-password-9", ip);
    for (const res of [right, wrong]) {
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.detail, "New password cannot be the same as the current one");
    }
    const events = await eventsOf(token);
    assert.equal(countOf(events, "password_change_refused"), 2, JSON.stringify(events));
    assert.equal(countOf(events, "password_check_failure"), 0, "no password was checked");
  });
});

describe("flooding the audit trail", () => {
  test("300 throttled attempts make one row with a count, and the sign-in stays in the user's view", async () => {
    const { email, token } = await newUser(server, "flood");
    const ip = newIp();
    const attempt = (pw: string) =>
      server.api(TOKEN_URL, { method: "POST", form: { username: email, password: pw }, headers: { "x-forwarded-for": ip } });
    for (let i = 0; i < ACCOUNT_FAILURES; i++) assert.equal((await attempt("wrong-password-123")).status, 400);
    for (let batch = 0; batch < 10; batch++) {
      const answers = await Promise.all(Array.from({ length: 30 }, () => attempt("wrong-password-123")));
      assert.ok(answers.every((r) => r.status === 429), answers.map((r) => r.status).join(" "));
    }
    const events = await eventsOf(token);
    assert.ok(events.some((e) => e.type === "login_success"), `the sign-in was pushed out: ${events.map((e) => e.type).join(", ")}`);
    assert.equal(countOf(events, "login_throttled"), 300);
    assert.equal(countOf(events, "login_failure"), ACCOUNT_FAILURES);
    const [row] = await runSql<{ n: number | bigint | string }>(
      server,
      `SELECT COUNT(*) AS n FROM "auth_events" WHERE "ip" = ? AND "type" = 'login_throttled'`,
      [ip],
    );
    // One server process: concurrent refusals queue for the window's row, so exactly one is opened
    // (before, a burst of 30 could each find none and open 30).
    assert.equal(Number(row?.n), 1, `${row?.n} rows for 300 throttled attempts`);
  });

  test("a long user agent is stored cut to 256 characters", async () => {
    const { email } = await newUser(server, "agent");
    const ip = newIp();
    const userAgent = `Mozilla/5.0 ${"x".repeat(600)}`;
    const res = await server.api(TOKEN_URL, {
      method: "POST",
      form: { username: email, password: "wrong-password-123" },
      headers: { "x-forwarded-for": ip, "user-agent": userAgent },
    });
    assert.equal(res.status, 400);
    const [row] = await runSql<{ user_agent: string }>(server, `SELECT "user_agent" FROM "auth_events" WHERE "ip" = ?`, [ip]);
    assert.equal(row!.user_agent, userAgent.slice(0, 256));
  });
});

describe("PATCH /users/me changing the email", () => {
  test("a few changes an hour (5), taken or not, then 429; each change and refusal audited", async () => {
    const { token, password } = await newUser(server, "mover");
    const { email: taken } = await newUser(server, "taken");
    const patch = (email: string) =>
      server.api("/api/v1/users/me", { method: "PATCH", token, json: { email, current_password: password } });
    // A taken address gets the same 202 as a free one (the change cannot probe for accounts).
    for (let i = 0; i < 3; i++) {
      const res = await patch(taken);
      assert.equal(res.status, 202, res.text);
    }
    for (let i = 0; i < 2; i++) {
      const res = await patch(uniqueEmail(`moved${i}`));
      assert.equal(res.status, 202, res.text);
    }
    // Only a change counts: the name alone, or the address it already has, does not.
    const me = (await server.api("/api/v1/users/me", { token })).body;
    assert.equal((await patch(me.email)).status, 200);
    assert.equal((await server.api("/api/v1/users/me", { method: "PATCH", token, json: { full_name: "Mover" } })).status, 200);
    for (const email of [taken, uniqueEmail("moved-again")]) {
      const res = await patch(email);
      assert.equal(res.status, 429, res.text);
      const retryAfter = Number(res.headers.get("retry-after"));
      assert.ok(retryAfter > 3000 && retryAfter <= 3600, `Retry-After ${retryAfter}`);
      assert.deepEqual(res.body, { detail: `Too many email changes. Try again in ${retryAfter} seconds.` });
    }
    assert.equal((await server.api("/api/v1/users/me", { token })).body.email, me.email, "the refused change changed nothing");
    const events = await eventsOf(token);
    assert.equal(countOf(events, "email_change_refused"), 3, JSON.stringify(events));
    assert.equal(countOf(events, "email_change_requested"), 2, JSON.stringify(events));
    assert.equal(countOf(events, "email_change_throttled"), 2, JSON.stringify(events));
  });
});

describe("GET /users/me/events pages the trail (issue 27)", () => {
  test("without parameters as before; skip/limit page each kind; has_more says when older ones follow; an API login keeps both events", async () => {
    const { email, password } = await newUser(server, "pages");
    const ip = newIp();
    const logins: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await server.api(TOKEN_URL, {
        method: "POST",
        form: { username: email, password },
        headers: { "x-forwarded-for": ip },
      });
      assert.equal(res.status, 200, res.text);
      logins.push(res.body.access_token);
    }
    const token = logins.at(-1)!;
    // Every API login: its sign-in and the token it was given.
    const all = await server.api("/api/v1/users/me/events", { token });
    assert.equal(all.status, 200, all.text);
    assert.equal(all.body.count, all.body.data.length);
    assert.equal(all.body.has_more, false);
    assert.equal(countOf(all.body.data, "login_success"), 4, all.text); // newUser's login too
    assert.equal(countOf(all.body.data, "token_issued"), 4, all.text);

    const first = await server.api("/api/v1/users/me/events?limit=3", { token });
    assert.equal(first.status, 200, first.text);
    assert.equal(first.body.data.length, 3);
    assert.equal(first.body.has_more, true);
    const rest = await server.api("/api/v1/users/me/events?skip=3&limit=10", { token });
    assert.equal(rest.body.has_more, false);
    const ids = [...first.body.data, ...rest.body.data].map((e: { id: string }) => e.id);
    assert.deepEqual(ids, all.body.data.map((e: { id: string }) => e.id), "the pages are the whole trail, in order");

    for (const bad of ["limit=0", "limit=51", "skip=-1", "limit=ten"]) {
      assert.equal((await server.api(`/api/v1/users/me/events?${bad}`, { token })).status, 422, bad);
    }
  });
});
