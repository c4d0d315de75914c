/**
 * A database outage (PostgreSQL restarting or failing over): the API answers 503 with Retry-After, never
 * a 500 and never "wrong password", logs one line per failure rather than a stack trace, and recovers
 * by itself when the database is back, without a restart; the liveness check stays 200 throughout. PostgreSQL only: an embedded SQLite file
 * cannot go away underneath an open connection.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setAcceptingConnections } from "../helpers/postgres";
import { DATABASE, newUser, startServer, type Server } from "../helpers/server";

const skip = DATABASE === "postgresql" ? false : "needs PostgreSQL: set TEST_DATABASE_URL";
let server: Server;
before(async () => {
  if (!skip) server = await startServer();
});
after(async () => {
  if (server?.databaseUrl) await setAcceptingConnections(server.databaseUrl, true);
  await server?.close();
});

test("while the database is down the API answers 503 and retries work once it is back", { skip }, async () => {
  const { token, email, password } = await newUser(server, "outage");
  assert.equal((await server.api("/api/v1/users/me", { token })).status, 200);

  await setAcceptingConnections(server.databaseUrl!, false);
  try {
    const me = await server.api("/api/v1/users/me", { token });
    assert.equal(me.status, 503, me.text);
    assert.deepEqual(me.body, { detail: "Database unavailable, try again shortly" });
    assert.equal(me.headers.get("retry-after"), "5");

    // A sign-in must not be told its password is wrong because the database is away.
    const login = await server.api("/api/v1/login/access-token", { method: "POST", form: { username: email, password } });
    assert.equal(login.status, 503, login.text);

    const health = await server.api("/api/health");
    assert.equal(health.status, 503, health.text);
    // A liveness probe must not restart a process that only waits for its database.
    const live = await server.api("/api/health/live");
    assert.equal(live.status, 200, live.text);
  } finally {
    await setAcceptingConnections(server.databaseUrl!, true);
  }

  const again = await server.api("/api/v1/users/me", { token });
  assert.equal(again.status, 200, again.text);
  assert.equal((await server.api("/api/health")).status, 200);
  assert.match(server.output(), /Database unavailable: /);
  assert.doesNotMatch(server.output(), /Unhandled error in API handler/, "an outage is not logged as a bug");
});
